"""Every page renders for every demo role without a server error."""

from __future__ import annotations

import pytest

from polymodal.core.demo import STAFF

ROLES = [username for username, *_ in STAFF]


@pytest.mark.parametrize("username", ROLES)
def test_dashboard_and_clients_render_for_every_role(client, signed_in, username):
    signed_in(username)
    home = client.get("/")
    assert home.status_code == 200 and "<h1>Today" in home.text
    listing = client.get("/clients")
    assert listing.status_code in (200, 403)


@pytest.mark.parametrize("username", ROLES)
def test_client_pages_never_fail_for_any_role(client, signed_in, client_id, username):
    cid = client_id("Alvarez", "Sofia")
    signed_in(username)
    for suffix in ("", "/cases", "/sessions", "/intake", "/consents", "/notes", "/assessments", "/edit",
                   "/guardians/new", "/care-team/new"):
        for headers in ({}, {"HX-Request": "true"}):
            status = client.get(f"/clients/{cid}{suffix}", headers=headers).status_code
            assert status in (200, 403, 404), (username, suffix, status)
