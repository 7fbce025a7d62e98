"""Side doors (issue 12), through pages and the API of the demo center: one test per door.

Each test fails on the code before the door was closed.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent, Case, User
from polymodal.core.services import clients, consent, notes
from polymodal.core.testing import sample_content
from tests.web.api.helpers import bearer, token_for, user_actor

ROI = {"information": "Attendance dates and diagnosis", "categories": ["substance-use", "hiv"],
       "discloser": "Riverside Integrative Health", "recipient": "Dr. Quill, Harbor Clinic",
       "purpose": "Coordination of care", "expiry": "2027-12-31"}


def _as_system(web_practice, fn):
    with web_practice.work(Actor.system("test")) as work:
        return fn(work)


def _user_id(web_practice, username: str) -> uuid.UUID:
    return _as_system(web_practice, lambda work: work.db.scalar(select(User.id).where(User.username == username)))


def _note(web_practice, author: str, case_title: str, modality: str, *, sign: bool = True):
    """A note by ``author`` on a demo case, with valid content, signed unless ``sign`` is False."""
    with web_practice.work(user_actor(web_practice, author)) as work:
        case_id = work.db.scalar(select(Case.id).where(Case.title == case_title))
        template = next(t for t in work.registry.note_templates.for_modality(modality) if not t.psychotherapy_note)
        note = notes.start_note(work, case_id, template.key)
        notes.save_draft(work, note.id, sample_content(template), note.revision)
        if sign:
            notes.sign_note(work, note.id)
    return note


@pytest.fixture
def joint_note(web_practice, client_id) -> tuple[str, str]:
    """Dr. Rivera's signed joint note on the Natarajan couple; Ari is on Priya's care team only."""
    priya = uuid.UUID(client_id("Natarajan", "Priya"))
    ari = _user_id(web_practice, "ari")
    _as_system(web_practice, lambda work: clients.join_care_team(work, priya, ari))
    note = _note(web_practice, "rivera", "Natarajan couple", "talk/couple-therapy")
    assert note.client_id is None  # about both partners
    return str(priya), str(note.id)


# --- door 1 ---------------------------------------------------------------------------------------------

def test_the_export_and_the_fhir_bundle_hold_only_notes_the_requester_can_open(client, signed_in, web_practice,
                                                                                 joint_note):
    priya, note_id = joint_note
    signed_in("ari")
    assert client.get(f"/notes/{note_id}").status_code in (403, 404)
    assert note_id not in client.get(f"/clients/{priya}/notes").text
    download = client.get(f"/clients/{priya}/export.json")
    assert download.status_code == 200 and note_id not in download.text
    bundle = client.get(f"/api/v1/clients/{priya}/fhir", headers=bearer(token_for(web_practice, "ari")))
    assert bundle.status_code == 200 and note_id not in bundle.text
    listed = client.get(f"/api/v1/clients/{priya}/notes", headers=bearer(token_for(web_practice, "ari")))
    assert listed.status_code == 200 and note_id not in listed.text
    signed_in("rivera")  # on both partners' teams: the page opens and the export holds it
    assert client.get(f"/notes/{note_id}").status_code == 200
    assert note_id in client.get(f"/clients/{priya}/export.json").text


# --- door 4 ---------------------------------------------------------------------------------------------

def test_the_front_desk_sees_a_release_of_information_as_status_only(client, signed_in, web_practice, client_id):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    record = _as_system(web_practice, lambda work: consent.record_consent(
        work, jordan, "talk/release-of-information", signer_name="Jordan Ellis", answers=ROI))
    signed_in("frontdesk")
    tab = client.get(f"/clients/{jordan}/consents")
    assert tab.status_code == 200 and "Authorization to release information" in tab.text
    page = client.get(f"/clients/{jordan}/consents/{record.id}")
    assert page.status_code == 200 and "state-active" in page.text
    for secret in ("Harbor Clinic", "Attendance dates", "HIV-related information", "42 CFR Part 2"):
        assert secret not in page.text, secret
    token = bearer(token_for(web_practice, "frontdesk"))
    assert client.get(f"/api/v1/clients/{jordan}/consents", headers=token).status_code == 200
    assert client.get(f"/api/v1/clients/{jordan}/consents/{record.id}", headers=token).status_code == 403
    signed_in("rivera")  # Jordan's therapist reads what it discloses and to whom
    assert "Harbor Clinic" in client.get(f"/clients/{jordan}/consents/{record.id}").text


# --- door 5 ---------------------------------------------------------------------------------------------

def test_a_draft_is_not_open_to_the_rest_of_the_care_team(client, signed_in, web_practice, client_id):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    ari = _user_id(web_practice, "ari")
    _as_system(web_practice, lambda work: clients.join_care_team(work, jordan, ari))
    draft = _note(web_practice, "rivera", "Jordan: anxiety", "talk/psychotherapy", sign=False)
    signed_in("ari")
    assert client.get(f"/notes/{draft.id}").status_code == 404
    assert str(draft.id) not in client.get(f"/clients/{jordan}/notes").text
    signed_in("rivera")
    assert client.get(f"/notes/{draft.id}").status_code == 200


# --- door 2 ---------------------------------------------------------------------------------------------

def test_opening_a_case_does_not_let_a_practitioner_assign_a_colleague(client, signed_in, web_practice, client_id):
    tom = client_id("Becker", "Tom")
    maya, leo = _user_id(web_practice, "maya"), _user_id(web_practice, "leo")
    csrf = signed_in("maya")
    response = client.post("/cases", data={"title": "Tom: breath", "kind": "individual", "client_ids": tom,
                                           "practitioner_ids": [str(maya), str(leo)], "_csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 422 and "front desk or a supervisor" in response.text
    signed_in("leo")
    assert client.get(f"/clients/{tom}").status_code == 404  # Leo never joined Tom's team


# --- door 3 ---------------------------------------------------------------------------------------------

def test_an_admin_cannot_make_themself_a_practitioner_or_join_a_care_team(client, signed_in, web_practice,
                                                                          client_id):
    jordan = client_id("Ellis", "Jordan")
    admin = _user_id(web_practice, "admin")
    csrf = signed_in("admin")
    response = client.post(f"/admin/users/{admin}/roles", data={"roles": ["admin", "practitioner"], "_csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 422 and "You cannot give yourself a role" in response.text
    response = client.post(f"/clients/{jordan}/care-team", data={"user_id": str(admin), "_csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 422
    assert client.get(f"/clients/{jordan}/notes").status_code in (403, 404)


# --- door 6 ---------------------------------------------------------------------------------------------

def test_a_breathwork_practitioner_cannot_write_a_process_note_on_a_psychotherapy_session(
        client, signed_in, web_practice, client_id, session_of):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    leo = _user_id(web_practice, "leo")
    _as_system(web_practice, lambda work: clients.join_care_team(work, jordan, leo))
    csrf = signed_in("leo")
    response = client.post(f"/sessions/{session_of('Ellis', 'Jordan')}/notes",
                           data={"template_key": "talk/process-note", "_csrf": csrf}, follow_redirects=False)
    assert response.status_code in (403, 404)
    csrf = signed_in("rivera")  # the session's own therapist
    response = client.post(f"/sessions/{session_of('Ellis', 'Jordan')}/notes",
                           data={"template_key": "talk/process-note", "_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303


# --- door 7 ---------------------------------------------------------------------------------------------

def test_the_front_desk_removes_a_care_team_member_and_their_access_ends(client, signed_in, web_practice,
                                                                         client_id):
    jordan = client_id("Ellis", "Jordan")
    rivera = _user_id(web_practice, "rivera")
    csrf = signed_in("frontdesk")
    remove = f"/clients/{jordan}/care-team/{rivera}/remove"
    assert f'action="{remove}"' in client.get(f"/clients/{jordan}").text
    response = client.post(remove, data={"reason": "", "_csrf": csrf}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and f'id="f-remove-{rivera}-error"' in response.text
    response = client.post(remove, data={"reason": "Left the center", "_csrf": csrf},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Dr. Dana Rivera" not in response.text
    signed_in("rivera")
    assert client.get(f"/clients/{jordan}").status_code == 404
    event = _as_system(web_practice, lambda work: work.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "care_team.remove")).one())
    assert (str(event.client_id), event.record_id, event.reason) == (jordan, str(rivera), "Left the center")
