"""Every route × every role × own and other clients, against the declared policy.

Routes are enumerated from the app itself, so a new route (core or plugin) is
covered without editing this test; a route whose path names a record the
matrix does not know, or a record route without a declared action, fails.
The expected outcome comes from ``core.access.POLICY`` and the demo's care
teams as written down here, not from the code under test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar

from polymodal.core.access import POLICY, Role, Scope
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from polymodal.web.guards import policy_of

USERS = {
    "frontdesk": {Role.front_desk},
    "admin": {Role.admin},
    "rivera": {Role.practitioner, Role.supervisor},
    "trainee": {Role.practitioner},
    "maya": {Role.practitioner},
    "billing": {Role.biller},
}
# The demo's care teams (core/demo.py PLAN): Jordan is Dr. Rivera's, Tom is
# Maya's, Sofia is the trainee's, and Dr. Rivera supervises the trainee.
CLIENTS = {"jordan": ("Ellis", "Jordan"), "tom": ("Becker", "Tom"), "sofia": ("Alvarez", "Sofia")}
TEAM = {"rivera": {"jordan"}, "trainee": {"sofia", "jordan"}, "maya": {"tom"}}  # the trainee joins Jordan's (conftest)
SUPERVISES = {"rivera": {"trainee"}}
# The fixture's note of each client is an unsigned draft by the client's practitioner (conftest OWNERS):
# until signed it opens for its author and the author's supervisor only, whoever else is on the team.
DRAFT_AUTHOR = {"jordan": "rivera", "tom": "maya", "sofia": "trainee"}
DRAFT_ROUTES = ("/notes/{note_id:uuid}",)
CONSENT_PAGE = "/clients/{client_id:uuid}/consents/{consent_id:uuid}"
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def expected_allowed(user: str, action: str, client: str | None) -> bool:
    for role in USERS[user]:
        scope = POLICY.get(action, {}).get(role)
        if scope is None:
            continue
        if client is None or scope is Scope.any:
            return True
        team = set(TEAM.get(user, set()))
        if scope is Scope.supervised:
            for supervisee in SUPERVISES.get(user, ()):
                team |= TEAM.get(supervisee, set())
        if scope in (Scope.team, Scope.supervised) and client in team:
            return True
    return False


def may_open_draft(user: str, client: str) -> bool:
    author = DRAFT_AUTHOR[client]
    return user == author or author in SUPERVISES.get(user, ())


def routes(app: Litestar, *, api: bool = False) -> Iterator[tuple[str, str, str | None]]:
    """Page routes, or (``api``) the /api/v1 routes, which take a token instead of a session."""
    for route in app.routes:
        if route.path.startswith("/api/") != api:
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    yield route.path, method, policy_of(handler)


def fill(path: str, ids: dict[str, str]) -> str | None:
    missing = [p for p in PARAM.findall(path) if p not in ids]
    if missing:
        return None
    return PARAM.sub(lambda m: ids[m.group(1)], path)


@pytest.fixture
def app(web_practice):
    return create_app(web_practice, WebSettings(insecure_cookies=True))


def test_record_routes_declare_an_action_and_name_known_records(app, record_ids):
    known = set(record_ids["jordan"])
    problems = []
    for path, method, policy in routes(app):
        # file_path names a static file; token is a portal link's secret (/p/{token}), not a record id:
        # the link itself is the credential, so that route is public by design (tests/web/portal);
        # path is a page of the public API description under /schema/.
        params = set(PARAM.findall(path)) - {"file_path", "token", "path"}
        unknown = params - known
        if unknown:
            problems.append(f"{method} {path}: teach the matrix about {sorted(unknown)} (fixture record_ids)")
        if params and policy in (None, "authenticated", "public"):
            problems.append(f"{method} {path}: a record route needs a declared action, has {policy!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("user", list(USERS))
def test_get_routes_follow_the_policy_for_own_and_other_clients(app, client, signed_in, record_ids, user):
    signed_in(user)
    failures, cells = [], 0
    for path, method, policy in routes(app):
        if method != "GET" or policy in ("public", None) or "{file_path" in path:
            continue
        action = policy if policy in POLICY else None
        targets = list(CLIENTS) if PARAM.search(path) else [None]
        for target in targets:
            url = fill(path, record_ids[target]) if target else path
            if url is None:
                continue  # this client has no such record; other clients cover the route
            cells += 1
            allowed = expected_allowed(user, action, target) if action else True
            if path.startswith(DRAFT_ROUTES) and target:
                allowed = allowed and may_open_draft(user, target)
            response = client.get(url, follow_redirects=False)
            status = response.status_code
            ok = status == 200 if allowed else status in (403, 404)
            if not ok:
                failures.append(f"{user} GET {url} [{policy}, client {target}]: {status}, "
                                f"expected {'200' if allowed else '403/404'}")
            elif path == CONSENT_PAGE and status == 200:
                # Status for the front desk and billing; what the consent says only with consent.read.
                withheld = 'id="consent-contents-withheld"' in response.text
                if withheld == expected_allowed(user, "consent.read", target):
                    failures.append(f"{user} GET {url}: contents {'withheld' if withheld else 'shown'}")
    assert cells > 0
    assert not failures, "\n".join(failures)
