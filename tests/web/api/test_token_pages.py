"""Making and revoking tokens on the pages: shown once, listed by prefix, revoked at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from polymodal.core.models import User
from tests.web.api.helpers import bearer
from tests.web.conftest import sign_in

SECRET = re.compile(r'<code id="new-token">(pm_[^<]+)</code>')


def test_a_personal_token_is_shown_once_then_works_then_is_revoked(client, signed_in):
    csrf = signed_in("maya")
    made = client.post("/profile/tokens", data={"name": "my script", "days": "30", "scopes": ["read"],
                                                "_csrf": csrf})
    assert made.status_code == 200
    secret = SECRET.search(made.text).group(1)
    listing = client.get("/profile/tokens").text
    assert secret not in listing and secret[:10] in listing and "my script" in listing
    assert client.get("/api/v1/clients", headers=bearer(secret)).status_code == 200

    token_id = re.search(r'name="token_id" value="([^"]+)"', listing).group(1)
    client.post("/profile/tokens/revoke", data={"token_id": token_id, "_csrf": csrf})
    assert ">revoked<" in client.get("/profile/tokens").text
    assert client.get("/api/v1/clients", headers=bearer(secret)).status_code == 401


def test_a_bad_token_form_names_each_field_and_keeps_the_name(client, signed_in):
    csrf = signed_in("maya")
    response = client.post("/profile/tokens", data={"name": "<b>mine</b>", "days": "9999", "_csrf": csrf},
                           headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="tokens">')  # htmx gets the form's block alone
    assert response.status_code == 422
    assert "A token lasts 1 to 365 days." in response.text and "Choose read, write or both." in response.text
    assert "&lt;b&gt;mine&lt;/b&gt;" in response.text and "new-token" not in response.text


def test_an_integration_acts_with_its_role_and_never_signs_in(client, web_practice, signed_in):
    csrf = signed_in("admin")
    made = client.post("/admin/integrations", data={"name": "Billing sync", "role": "front_desk", "days": "90",
                                                    "scopes": ["read"], "_csrf": csrf})
    secret = SECRET.search(made.text).group(1)
    assert "front_desk" in client.get("/admin/integrations").text
    listed = client.get("/api/v1/clients", headers=bearer(secret)).json()["data"]
    assert len(listed) > 1  # the front desk sees every client
    client.cookies.clear()
    with web_practice.engine.connect() as conn:
        username = conn.execute(select(User.username).where(User.display_name == "Integration: Billing sync")).scalar()
    page = client.get("/sign-in")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    refused = client.post("/sign-in", data={"username": username, "password": "", "_csrf": token},
                          follow_redirects=False)
    assert refused.status_code != 303


def test_only_admins_manage_integrations_and_no_one_revokes_another_s_token(client, web_practice, signed_in):
    csrf = signed_in("frontdesk")
    assert client.get("/admin/integrations").status_code == 403
    made = client.post("/profile/tokens", data={"name": "desk", "days": "5", "scopes": ["read"], "_csrf": csrf})
    secret = SECRET.search(made.text).group(1)
    token_id = re.search(r'name="token_id" value="([^"]+)"', client.get("/profile/tokens").text).group(1)
    client.cookies.clear()
    other = sign_in(client, "maya")
    response = client.post("/profile/tokens/revoke", data={"token_id": token_id, "_csrf": other})
    assert response.status_code == 404
    assert client.get("/api/v1/clients", headers=bearer(secret)).status_code == 200
