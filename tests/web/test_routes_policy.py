"""Every route declares who may use it; anything undeclared is refused (deny by default)."""

from __future__ import annotations

import re

from litestar import Litestar

from polymodal.core.access import POLICY
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from polymodal.web.guards import policy_of

PUBLIC = {("/sign-in", "GET"), ("/sign-in", "POST"), ("/healthz", "GET"), ("/static/{file_path:path}", "GET"),
          # The second step of a sign-in: only a pending-sign-in cookie (a right password) gets further.
          ("/sign-in/second-step", "GET"), ("/sign-in/second-step", "POST"), ("/sign-in/enrol", "POST"),
          ("/static/{file_path:path}", "HEAD"),
          ("/p/{token:str}", "GET"),  # a portal link: the token is the credential (tests/web/portal)
          ("/feeds/{token:str}", "GET"),  # a calendar feed: likewise (tests/web/test_messaging_pages.py)
          # The API's description and its interactive page: routes and shapes, never data (tests/web/api).
          ("/schema", "GET"), ("/schema/swagger", "GET"), ("/schema/openapi.json", "GET"),
          ("/schema/{path:str}", "GET")}


def _handlers(app: Litestar):
    for route in app.routes:
        for handler in route.route_handlers:
            for method in handler.http_methods:
                yield route.path, method, handler


def test_every_route_declares_a_known_policy(web_practice):
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    missing, unknown, public = [], [], set()
    for path, method, handler in _handlers(app):
        policy = policy_of(handler)
        if method == "OPTIONS":
            continue  # Litestar's automatic OPTIONS handlers: they only list methods (web/guards.py)
        if policy is None:
            missing.append((path, method))
        elif policy == "public":
            public.add((path, method))
        elif policy != "authenticated" and policy not in POLICY:
            unknown.append((path, method, policy))
    assert not missing, f"routes without an access policy: {missing}"
    assert not unknown, f"routes naming undeclared actions: {unknown}"
    assert public <= PUBLIC, f"unexpected public routes: {public - PUBLIC}"


def test_anonymous_requests_to_every_non_public_route_are_turned_away(web_practice, client):
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    sample_id = "00000000-0000-4000-8000-000000000000"
    for path, method, handler in _handlers(app):
        if policy_of(handler) == "public" or method in ("OPTIONS", "HEAD"):
            continue
        url = re.sub(r"\{\w+:uuid\}", sample_id, path)  # every id parameter, not only the client's
        response = client.request(method, url, follow_redirects=False)
        if handler.opt.get("api"):
            # The API answers for itself: 401 and a problem document, whatever the method.
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
            continue
        if handler.opt.get("portal"):
            # Client portal pages: no portal session → a page saying to open the link again, never staff sign-in.
            assert response.status_code == 403 and "open" in response.text.lower(), (method, url)
            continue
        # GETs go to sign-in; unsafe methods are refused even earlier, by the CSRF check or sign-in.
        assert response.status_code in (303, 403), (method, url, response.status_code)
        if method == "GET":
            assert response.headers["location"].startswith("/sign-in")


def test_automatic_options_handlers_say_only_which_methods_are_allowed(client):
    # Refusing them logged an error per request (issue 12); they carry no data, so they answer anyone.
    response = client.options("/clients")
    assert response.status_code == 204 and response.content == b""
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_route_without_policy_is_refused(web_practice, client):
    from litestar import get

    @get("/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "should never be served"

    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    app.register(undeclared)
    from litestar.testing import TestClient

    with TestClient(app=app) as test_client:
        response = test_client.get("/undeclared")
    assert response.status_code == 403 and "should never" not in response.text
