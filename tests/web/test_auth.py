"""Sign-in, sign-out, session expiry, throttling, CSRF and hardening headers."""

from __future__ import annotations

import re

from litestar.testing import TestClient
from sqlalchemy import func, select

from polymodal.core.models import AuditEvent, WebSession
from polymodal.core.services import signin, throttle
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

HTMX = {"HX-Request": "true"}
FIELD = re.compile(r'name="_csrf" value="([^"]+)"')


def _form_token(client: TestClient) -> str:
    return FIELD.search(client.get("/sign-in").text).group(1)


def _attempt(client: TestClient, username: str, password: str) -> int:
    token = _form_token(client)
    return client.post("/sign-in", data={"username": username, "password": password, "_csrf": token},
                       follow_redirects=False).status_code


def test_sign_in_page_full_and_fragment(client):
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert "<html" in page.text and 'id="sign-in-form"' in page.text
    assert page.headers["vary"] == "HX-Request"
    fragment = client.get("/sign-in", headers=HTMX)
    assert "<html" not in fragment.text and 'id="sign-in-form"' in fragment.text


def test_unauthenticated_pages_redirect_to_sign_in(client):
    response = client.get("/clients?q=el", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/clients%3Fq%3Del"
    htmx = client.get("/clients", headers=HTMX, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/sign-in")


def test_sign_in_sets_a_hardened_session_cookie_and_stores_only_its_hash(client, web_practice):
    token = _form_token(client)
    response = client.post("/sign-in", data={"username": "frontdesk", "password": "polymodal-demo-2026",
                                             "_csrf": token, "next": "/clients"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/clients"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("pm_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    raw = cookie.split(";")[0].split("=", 1)[1]
    assert len(raw) >= 43  # 256 bits, URL-safe base64
    with web_practice.engine.connect() as conn:
        stored = conn.execute(select(WebSession.token_hash)).scalars().all()
    assert stored == [signin.hash_token(raw)] and raw not in stored


def test_next_never_leaves_the_site(client):
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        token = _form_token(client)
        response = client.post("/sign-in", data={"username": "frontdesk", "password": "polymodal-demo-2026",
                                                 "_csrf": token, "next": evil}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_secure_mode_cookie_uses_host_prefix_and_hsts(web_practice):
    app = create_app(web_practice, WebSettings(insecure_cookies=False, public_url="https://testserver.local"))
    with TestClient(app=app, base_url="https://testserver.local") as client:
        page = client.get("/sign-in")
        assert "max-age=" in page.headers["strict-transport-security"]
        csrf_cookie = page.headers["set-cookie"]
        assert csrf_cookie.startswith("__Host-pm_csrf=") and "Secure" in csrf_cookie and "Path=/" in csrf_cookie
        token = FIELD.search(page.text).group(1)
        response = client.post("/sign-in", data={"username": "frontdesk", "password": "polymodal-demo-2026",
                                                 "_csrf": token}, follow_redirects=False)
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-pm_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie


def test_same_message_for_unknown_user_and_wrong_password(client):
    token = _form_token(client)
    unknown = client.post("/sign-in", data={"username": "nobody", "password": "x" * 12, "_csrf": token})
    wrong = client.post("/sign-in", data={"username": "frontdesk", "password": "x" * 12, "_csrf": token})
    assert unknown.status_code == wrong.status_code == 422
    assert "The username or password is not right." in unknown.text
    assert unknown.text.replace("nobody", "frontdesk") == wrong.text


def test_failures_slow_the_next_attempt_even_with_fresh_cookies(client, web_practice, web_clock):
    for _ in range(throttle.RULES[0].free):  # one username from one address
        client.cookies.clear()
        assert _attempt(client, "frontdesk", "wrong-password-1") == 422
    client.cookies.clear()
    token = _form_token(client)
    refused = client.post("/sign-in", data={"username": "frontdesk", "password": "polymodal-demo-2026",
                                            "_csrf": token}, follow_redirects=False)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Wait 1 seconds, then try again." in refused.text
    # Another account from the same address is not slowed by this one's failures.
    assert _attempt(client, "maya", "polymodal-demo-2026") == 303
    client.cookies.clear()
    web_clock.advance(seconds=1)  # a wait, never a lockout
    assert _attempt(client, "frontdesk", "polymodal-demo-2026") == 303
    with web_practice.engine.connect() as conn:
        throttled = conn.execute(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.reason == "throttled")).scalar()
    assert throttled == 1


def test_sign_out_deletes_the_server_session(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    old_cookie = client.cookies.get("pm_session")
    response = client.post("/sign-out", data={"_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    assert "clear-site-data" in response.headers
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(WebSession)).scalar() == 0
    # Replaying the old cookie gets nowhere.
    client.cookies.set("pm_session", old_cookie)
    assert client.get("/clients", follow_redirects=False).status_code == 303


def test_new_session_on_each_sign_in(client, signed_in, web_practice):
    signed_in("frontdesk")
    first = client.cookies.get("pm_session")
    signed_in("frontdesk")
    second = client.cookies.get("pm_session")
    assert first != second
    with web_practice.engine.connect() as conn:
        hashes = conn.execute(select(WebSession.token_hash)).scalars().all()
    assert hashes == [signin.hash_token(second)]


def test_idle_timeout_cannot_be_skipped(client, signed_in, web_clock):
    signed_in("frontdesk")
    web_clock.advance(minutes=20)
    assert client.get("/clients", follow_redirects=False).status_code == 200
    web_clock.advance(minutes=20)  # 20 idle minutes since the last request: still alive
    assert client.get("/clients", follow_redirects=False).status_code == 200
    web_clock.advance(minutes=31)
    for url in ("/clients?skip_timeout_reset=1", "/?keepalive=1", "/clients"):
        response = client.get(url, headers=HTMX, follow_redirects=False)
        assert response.status_code == 401 and "hx-redirect" in response.headers
    client.cookies.set("pm_session", "the-old-token")
    response = client.get("/clients", follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=/clients&ended=1"
    assert "Your session ended" in client.get(response.headers["location"]).text


def test_absolute_timeout(client, signed_in, web_clock):
    signed_in("frontdesk")
    for _ in range(26):  # active every 28 minutes, for 12 h 8 min
        web_clock.advance(minutes=28)
        response = client.get("/clients", follow_redirects=False)
    assert response.status_code == 303


def test_disabled_user_loses_the_session(client, signed_in, web_practice):
    from polymodal.core.models import User

    signed_in("frontdesk")
    with web_practice.engine.begin() as conn:
        conn.execute(User.__table__.update().where(User.username == "frontdesk").values(active=False))
    assert client.get("/clients", follow_redirects=False).status_code == 303


def test_csrf_required_on_unsafe_methods(client, signed_in):
    csrf = signed_in("frontdesk")
    data = {"legal_first_name": "Ada", "legal_last_name": "Byron", "date_of_birth": "1990-01-01"}
    assert client.post("/clients", data=data, follow_redirects=False).status_code == 403
    assert client.post("/clients", data={**data, "_csrf": "wrong"}, follow_redirects=False).status_code == 403
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    cross = client.post("/clients", data={**data, "_csrf": csrf}, headers={"Origin": "https://evil.example"},
                        follow_redirects=False)
    assert cross.status_code == 403
    ok = client.post("/clients", data=data, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_sign_in_form_needs_its_csrf_token(client):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"username": "frontdesk", "password": "polymodal-demo-2026"},
                           follow_redirects=False)
    assert response.status_code == 403


def test_another_sessions_csrf_token_is_refused(web_practice, signed_in, client):
    other = TestClient(app=create_app(web_practice, WebSettings(insecure_cookies=True)))
    with other:
        other_csrf = _sign_in_other(other)
    signed_in("frontdesk")
    data = {"legal_first_name": "Ada", "legal_last_name": "Byron", "date_of_birth": "1990-01-01",
            "_csrf": other_csrf}
    assert client.post("/clients", data=data, follow_redirects=False).status_code == 403


def _sign_in_other(client: TestClient) -> str:
    token = _form_token(client)
    client.post("/sign-in", data={"username": "maya", "password": "polymodal-demo-2026", "_csrf": token})
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)


def test_hardening_headers_on_every_kind_of_response(client, signed_in):
    signed_in("frontdesk")
    for url in ("/", "/clients", "/sign-in", "/no-such-page", "/static/app.css", "/healthz",
                "/clients/00000000-0000-0000-0000-000000000000"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                     "frame-ancestors 'none'", "form-action 'self'"):
            assert part in csp, (url, part)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        if not url.startswith("/static/"):
            assert headers["cache-control"] == "no-store", url


def test_pages_have_no_inline_script_or_style(client, signed_in):
    signed_in("frontdesk")
    for url in ("/", "/clients", "/clients/new", "/sign-in"):
        html = client.get(url).text
        assert re.search(r"<[^>]+\son[a-z]+\s*=", html) is None, url
        assert "style=" not in html and "<style" not in html, url
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all('src="/static/' in tag for tag in scripts), url


def test_session_token_appears_only_in_set_cookie(client, signed_in, client_id):
    signed_in("rivera")
    token = client.cookies.get("pm_session")
    cid = client_id("Ellis", "Jordan")
    for url in ("/", "/clients", f"/clients/{cid}", f"/clients/{cid}/edit", "/no-such-page"):
        response = client.get(url)
        assert token not in response.text, url
        assert all(token not in value for key, value in response.headers.items() if key != "set-cookie"), url


def test_anonymous_csrf_cookie_is_httponly_and_strict(client):
    cookie = client.get("/sign-in").headers["set-cookie"]
    assert cookie.startswith("pm_csrf=") and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace(
        "Strict", "strict")


def _denials(web_practice, action: str) -> int:
    with web_practice.engine.connect() as conn:
        return conn.execute(select(func.count()).where(AuditEvent.action == action,
                                                       AuditEvent.outcome == "denied")).scalar_one()


def test_the_quick_sign_in_check_still_records_refusals_and_touches_sessions(client, signed_in, client_id,
                                                                           web_practice, web_clock):
    """On SQLite the sign-in check reads without a worker thread; whatever must be written still is."""
    assert web_practice.quick_reads_inline == (web_practice.engine.dialect.name == "sqlite")
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    signed_in("maya")  # a massage therapist: Tom's care team, not Jordan's
    assert client.get(f"/clients/{tom}").status_code == 200
    assert client.get(f"/clients/{jordan}").status_code == 404
    assert _denials(web_practice, "client.read") == 1
    assert client.get("/admin/users").status_code == 403
    assert _denials(web_practice, "user.manage") == 1
    web_clock.advance(minutes=5)  # past the touch interval: the session's last-seen time is written
    assert client.get("/clients").status_code == 200
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.max(WebSession.last_seen_at))).scalar_one() == web_clock.now


def test_plugin_votes_on_access_are_heard_before_every_page(web_practice, sign_in, client_id):
    """With a plugin voting on access, the sign-in check runs in a worker thread and the plugin's deny wins."""
    import types

    from polymodal.core.api import PermissionRule, hookimpl
    from polymodal.core.plugins import get_plugin_manager
    from polymodal.core.practice import Practice

    voter = types.ModuleType("no_exports")
    voter.polymodal_permission_rules = hookimpl(
        lambda actor, request: PermissionRule(allow=False, reason="no exports")
        if request.action == "client.read" and request.client_id else None)
    practice = Practice(get_plugin_manager(plugins=[("no_exports", voter)]), web_practice.settings,
                        engine=web_practice.engine, clock=web_practice.clock)
    assert not practice.quick_reads_inline
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as client:
        sign_in(client, "frontdesk")
        assert client.get("/clients").status_code == 200
        assert client.get(f"/clients/{client_id('Ellis', 'Jordan')}").status_code == 404
