"""The access matrix again, through the API: a token of each role gets exactly what its user gets signed in.

Routes come from the app (every /api/v1 GET route), expectations from
``core.access.POLICY`` and the demo's care teams, as in ``test_access_matrix``.
"""

from __future__ import annotations

import pytest

from polymodal.core.access import POLICY
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.api.helpers import bearer, signed_note, token_for
from tests.web.security.conftest import OWNERS
from tests.web.security.test_access_matrix import CLIENTS, PARAM, USERS, expected_allowed, fill, routes

# Routes that answer only to query parameters (without them: 400 naming each): what the matrix sends.
QUERIES = {"/api/v1/waitlist/candidates": "starts_at=2026-03-02T10:00&practitioner_id={user_id}"}


@pytest.fixture
def app(web_practice):
    return create_app(web_practice, WebSettings(insecure_cookies=True))


@pytest.fixture
def api_record_ids(web_practice, record_ids):
    """The matrix's records, with a signed (shareable) note per client in place of the draft."""
    ids = {name: dict(found) for name, found in record_ids.items()}
    for name, (_last, _first, author) in OWNERS.items():
        ids[name]["note_id"] = str(signed_note(web_practice, ids[name]["client_id"], author).id)
    return ids


@pytest.mark.parametrize("user", list(USERS))
def test_api_get_routes_follow_the_policy_for_own_and_other_clients(app, client, web_practice, api_record_ids,
                                                                     user):
    headers = bearer(token_for(web_practice, user))
    failures, cells = [], 0
    for path, method, policy in routes(app, api=True):
        if method != "GET":
            continue
        assert policy in POLICY, f"{path}: an API route declares an action"
        for target in list(CLIENTS) if PARAM.search(path) else [None]:
            url = fill(path, api_record_ids[target]) if target else path
            if url is None:
                continue
            if path in QUERIES:
                url += "?" + QUERIES[path].format(**api_record_ids["jordan"])
            cells += 1
            allowed = expected_allowed(user, policy, target)
            status = client.get(url, headers=headers).status_code
            if status != 200 if allowed else status not in (403, 404):
                failures.append(f"{user} GET {url} [{policy}, client {target}]: {status}, "
                                f"expected {'200' if allowed else '403/404'}")
    assert cells > 20
    assert not failures, "\n".join(failures)


def test_a_session_cookie_does_not_open_the_api(client, signed_in):
    signed_in("rivera")
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json()["status"] == 401
