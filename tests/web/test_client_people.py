"""Guardians and care team, edited in place on the client's overview."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from polymodal.core.models import CareTeamMember, Guardian, User

HTMX = {"HX-Request": "true"}


def test_guardian_form_full_page_and_fragment(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    signed_in("frontdesk")
    page = client.get(f"/clients/{cid}/guardians/new")
    assert page.status_code == 200 and "<html" in page.text and 'id="guardian-form"' in page.text
    fragment = client.get(f"/clients/{cid}/guardians/new", headers=HTMX)
    assert fragment.text.lstrip().startswith('<form id="guardian-form"') and "<html" not in fragment.text
    overview = client.get(f"/clients/{cid}").text
    assert f'hx-get="/clients/{cid}/guardians/new"' in overview and 'hx-target="#guardian-form"' in overview


def test_add_guardian_422_keeps_values(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    response = client.post(f"/clients/{cid}/guardians", headers=HTMX,
                           data={"name": "Kim Ellis", "relationship": "", "email": "nope", "_csrf": csrf})
    assert response.status_code == 422
    assert 'id="f-relationship-error"' in response.text and 'id="f-email-error"' in response.text
    assert 'value="Kim Ellis"' in response.text and 'value="nope"' in response.text
    assert 'name="can_consent" type="checkbox" value="true">' in response.text  # unticked stays unticked


def test_add_guardian_with_htmx_refreshes_the_overview_in_place(client, signed_in, client_id, web_practice):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    response = client.post(f"/clients/{cid}/guardians", headers={**HTMX, "X-CSRF-Token": csrf},
                           data={"name": "Kim Ellis", "relationship": "spouse"})
    assert response.status_code == 200
    assert response.headers["hx-retarget"] == "#client-tab" and response.headers["hx-reswap"] == "outerHTML"
    assert response.text.lstrip().startswith('<div id="client-tab"') and "Kim Ellis (spouse)" in response.text
    assert "may consent" not in response.text
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(Guardian.can_consent).where(Guardian.name == "Kim Ellis")).scalar() is False


def test_add_guardian_without_javascript_redirects(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    response = client.post(f"/clients/{cid}/guardians", follow_redirects=False,
                           data={"name": "Kim Ellis", "relationship": "spouse", "can_consent": "true",
                                 "_csrf": csrf})
    assert response.status_code == 303 and response.headers["location"] == f"/clients/{cid}"
    assert "Kim Ellis (spouse) · may consent" in client.get(f"/clients/{cid}").text


def test_practitioner_cannot_add_a_guardian_to_another_teams_client(client, signed_in, client_id, web_practice):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("maya")
    assert client.get(f"/clients/{cid}/guardians/new").status_code == 404
    response = client.post(f"/clients/{cid}/guardians", data={"name": "X", "relationship": "y", "_csrf": csrf})
    assert response.status_code == 404
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Guardian)
                            .where(Guardian.client_id == uuid.UUID(cid))).scalar() == 0


def test_care_team_form_lists_practitioners_not_yet_on_the_team(client, signed_in, client_id):
    cid = client_id("Becker", "Tom")
    signed_in("frontdesk")
    page = client.get(f"/clients/{cid}/care-team/new")
    assert page.status_code == 200 and "<html" in page.text
    options = re.findall(r'<option value="[0-9a-f-]{36}"[^>]*>([^<]+)</option>', page.text)
    assert "Maya Chen, LMT (massage)" not in options and "Leo Brandt (breathwork)" in options
    assert "Fran Desk" not in " ".join(options)
    fragment = client.get(f"/clients/{cid}/care-team/new", headers=HTMX)
    assert fragment.text.lstrip().startswith('<form id="care-team-form"')


def test_add_to_care_team(client, signed_in, client_id, web_practice):
    cid = client_id("Becker", "Tom")
    csrf = signed_in("frontdesk")
    with web_practice.engine.connect() as conn:
        leo = conn.execute(select(User.id).where(User.username == "leo")).scalar_one()
    response = client.post(f"/clients/{cid}/care-team", headers={**HTMX, "X-CSRF-Token": csrf},
                           data={"user_id": str(leo)})
    assert response.status_code == 200 and "Leo Brandt" in response.text
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CareTeamMember)
                            .where(CareTeamMember.client_id == uuid.UUID(cid))).scalar() == 2


def test_add_to_care_team_422(client, signed_in, client_id, web_practice):
    cid = client_id("Becker", "Tom")
    csrf = signed_in("frontdesk")
    with web_practice.engine.connect() as conn:
        desk = conn.execute(select(User.id).where(User.username == "frontdesk")).scalar_one()
    for bad in ("", "not-a-uuid", str(desk)):
        response = client.post(f"/clients/{cid}/care-team", headers=HTMX,
                               data={"user_id": bad, "_csrf": csrf})
        assert response.status_code == 422, bad
        assert 'class="error-summary"' in response.text


def test_practitioners_cannot_manage_care_teams(client, signed_in, client_id):
    cid = client_id("Becker", "Tom")
    csrf = signed_in("maya")
    assert "Add to the care team" not in client.get(f"/clients/{cid}").text
    assert client.get(f"/clients/{cid}/care-team/new").status_code == 403
    assert client.post(f"/clients/{cid}/care-team", data={"user_id": "", "_csrf": csrf}).status_code == 403
