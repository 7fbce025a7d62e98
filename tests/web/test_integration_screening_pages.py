"""Psychedelic integration through the pages: the screening's flags on the booking form and in pre-flight,
the consent's legal text, a v1 signature asked again, answers kept escaped."""

import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Case, Room
from polymodal.core.services import consent, forms
from tests.web.conftest import HTMX

MODALITY = "talk/psychedelic-integration"
CLEAR = {"psychosis_personal": False, "bipolar_personal": False, "family_psychosis_bipolar": False,
         "interacting_medications": ["none"], "heart_condition": False, "pregnant": False}
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def elena(client_id):
    return uuid.UUID(client_id("Moreau", "Elena"))


def screen(web_practice, cid, **answers):
    with web_practice.work(Actor.system("test")) as work:
        return forms.submit_form(work, cid, "talk/integration-screening", {**CLEAR, **answers}).id


def preview_params(web_practice):
    with web_practice.engine.connect() as conn:
        case_id = conn.execute(select(Case.id).where(Case.title == "Elena: integration")).scalar_one()
        room_id = conn.execute(select(Room.id).order_by(Room.name).limit(1)).scalar_one()
    return {"case_id": str(case_id), "modality_key": MODALITY, "format": "individual", "date": "2026-10-23",
            "time": "08:00", "minutes": "50", "delivery": "in_person", "room_id": str(room_id), "weeks": "1"}


def test_the_booking_form_shows_screening_needed_then_the_flagged_outcome(client, signed_in, web_practice, elena):
    signed_in("frontdesk")
    params = preview_params(web_practice)
    before = client.get("/schedule/eligibility", params=params, headers=HTMX).text
    assert "Screening needed" in before and "needs the Psychedelic integration health screening" in before
    screen(web_practice, elena, interacting_medications=["lithium", "ssri-snri"], family_psychosis_bipolar=True)
    flagged = client.get("/schedule/eligibility", params=params, headers=HTMX).text
    assert 'verdict-review">Needs review</span>' in flagged and "will be refused" not in flagged
    assert "needs a practitioner&#39;s review before Psychedelic integration" in flagged
    assert "lithium" not in flagged.lower()  # the front desk sees the kind and source, not the clinical answer


def test_pre_flight_names_the_interactions_and_check_in_waits_for_review(client, signed_in, web_practice, elena,
                                                                         session_of):
    screen(web_practice, elena, interacting_medications=["lithium", "ssri-snri"], psychosis_personal=True)
    sid = session_of("Moreau", "Elena")
    token = signed_in("rivera")
    page = client.get(f"/sessions/{sid}").text
    assert "Needs review: takes lithium" in page and "seizures" in page
    assert "Needs review: personal history of psychosis" in page
    assert "Modify: takes a serotonergic medicine" in page
    assert "Nayak et al. 2021" in page and "Johnson, Richards &amp; Griffiths 2008" in page
    refused = client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token}, headers=HTMX)
    assert refused.status_code == 409 and "Needs review" in refused.text


def test_a_clear_screening_is_not_silently_missing(client, signed_in, web_practice, elena, session_of):
    sid = session_of("Moreau", "Elena")
    signed_in("rivera")
    assert "Psychedelic integration health screening" in client.get(f"/sessions/{sid}").text  # screening needed
    screen(web_practice, elena)
    page = client.get(f"/sessions/{sid}").text
    assert "has none on file" not in page and "Needs review" not in page


def test_a_version_1_signature_is_asked_again(client, signed_in, web_practice, elena, session_of):
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, elena, MODALITY, signer_name="Elena Moreau", version=1)
    sid = session_of("Moreau", "Elena")
    signed_in("rivera")
    page = client.get(f"/sessions/{sid}").text
    assert "was signed on version 1; version 2 changed what it says, so it must be signed again" in page
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, elena, MODALITY, signer_name="Elena Moreau")
    assert "must be signed again" not in client.get(f"/sessions/{sid}").text


def test_answers_with_html_are_kept_and_shown_escaped(client, signed_in, web_practice, elena):
    response_id = screen(web_practice, elena, other_medications=SCRIPT, prescriber="<b>Dr. X</b>")
    signed_in("rivera")
    page = client.get(f"/clients/{elena}/intake/{response_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and SCRIPT not in page
    assert "&lt;b&gt;Dr. X&lt;/b&gt;" in page


def test_a_wrong_answer_names_the_field_and_keeps_what_was_typed(client, signed_in, web_practice, elena):
    token = signed_in("trainee")  # Elena's practitioner
    data = {"_csrf": token, "form_key": "talk/integration-screening", "a.psychosis_personal": "perhaps",
            "a.other_medications": SCRIPT}
    response = client.post(f"/clients/{elena}/intake/new", data=data, headers=HTMX)
    assert response.status_code == 422
    assert "Answer yes or no." in response.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert SCRIPT not in response.text
