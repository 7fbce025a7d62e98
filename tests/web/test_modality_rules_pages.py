"""Breathwork's and bodywork's rules at the gates, through the pages: what refuses booking, what waits at check-in
for a clearance, and where a "modify" adaptation is shown (booking form, pre-flight, the note being written)."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Session
from polymodal.core.services import consent, forms
from tests.web.conftest import HTMX
from tests.web.test_eligibility_pages import (
    CLEAR,
    booking,
    breath_screening,
    case_and_room,
    check_in,
    status_of,
)

HEALTH = {"physician_care": False, "medications": "none", "blood_clot": False, "acute_illness": False,
          "cardiovascular_unstable": False, "bleeding_risk": False, "recent_surgery": False, "bone_fragility": False,
          "skin": "none", "varicose_veins": False, "cancer": False, "neuropathy": False, "pregnant": False,
          "lymphedema_risk": False, "local_inflammation": False, "aneurysm": False, "intoxicated": False}
PREGNANCY_BREATH = "no fast or mouth breathing and no breath holds"
PREGNANCY_BODY = "after the first trimester (about 13 weeks) no prone position"


@pytest.fixture
def hana(web_practice, client_id):
    cid = uuid.UUID(client_id("Sato", "Hana"))
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, cid, "breathwork/risk", signer_name="Hana Sato", answers={"touch_support": False})
    return cid


@pytest.fixture
def tom(web_practice, client_id, touch_consent):
    touch_consent("Becker", "Tom", low_back="consented", upper_back="consented")
    return uuid.UUID(client_id("Becker", "Tom"))


def history(web_practice, cid, **answers):
    with web_practice.work(Actor.system("test")) as work:
        forms.submit_form(work, cid, "bodywork/health-history", {**HEALTH, **answers})


def preview(client, token, case_title, web_practice, modality):
    case_id, room_id = case_and_room(web_practice, case_title)
    params = {k: v for k, v in booking(token, case_id, room_id, modality).items() if k != "_csrf"}
    return client.get("/schedule/eligibility", params=params, headers=HTMX).text


def adaptations(page):
    return page.split('id="note-adaptations"')[1].split("</section>")[0]


# --- breathwork --------------------------------------------------------------------------------------------------


def test_glaucoma_refuses_intensive_breathwork_and_books_gentle_with_the_adaptation(client, signed_in, web_practice,
                                                                                   hana):
    breath_screening(web_practice, hana, glaucoma=True)
    token = signed_in("frontdesk")
    case_id, room_id = case_and_room(web_practice, "Hana: breath")
    refused = client.post("/schedule/sessions", data=booking(token, case_id, room_id), headers=HTMX)
    assert refused.status_code == 422 and "Excluded from Breathwork" in refused.text
    booked = client.post("/schedule/sessions", data=booking(token, case_id, room_id, "breathwork/gentle"),
                         follow_redirects=False)
    assert booked.status_code == 303
    leo = signed_in("leo")
    shown = preview(client, leo, "Hana: breath", web_practice, "breathwork/gentle")
    assert 'verdict-modify">Modify</span>' in shown and "Gentle breathwork, adapted: glaucoma: no breath holds" in shown
    with web_practice.engine.connect() as conn:
        sid = conn.execute(select(Session.id).where(Session.modality_key == "breathwork/gentle")).scalar_one()
    assert check_in(client, leo, sid).status_code == 200 and status_of(web_practice, sid) == "checked_in"


def test_pregnancy_is_modify_shown_at_booking_in_pre_flight_and_beside_the_note(client, signed_in, web_practice,
                                                                               hana, session_of, start):
    breath_screening(web_practice, hana, pregnant=True)
    desk = signed_in("frontdesk")
    at_desk = preview(client, desk, "Hana: breath", web_practice, "breathwork/breathwork")
    assert 'verdict-modify">Modify</span>' in at_desk and "Breathwork is to be modified" in at_desk
    assert "will be refused" not in at_desk and "pending clearance" not in at_desk
    assert "pregnan" not in at_desk.lower() and "forms.gle" not in at_desk  # reason, code, rule source: care team only
    leo = signed_in("leo")
    assert PREGNANCY_BREATH in preview(client, leo, "Hana: breath", web_practice, "breathwork/breathwork")
    sid = session_of("Sato", "Hana")
    preflight = client.get(f"/sessions/{sid}").text.split('id="session-status"')[1]
    assert PREGNANCY_BREATH in preflight and "Pending clearance" not in preflight
    note = start(leo, "Sato", "Hana", "breathwork/session-note")
    page = client.get(f"/notes/{note}").text
    assert PREGNANCY_BREATH in adaptations(page) and 'id="f-c-adaptations-adaptations"' in page
    assert check_in(client, leo, sid).status_code == 200  # modify checks in


def test_the_talk_intakes_psychosis_free_answers_do_not_exclude_but_its_suicidal_ideation_does(
        client, signed_in, web_practice, hana, session_of):
    breath_screening(web_practice, hana)
    with web_practice.work(Actor.system("test")) as work:
        forms.submit_form(work, hana, "talk/intake", {
            "presenting_concerns": "Low mood", "medications": "none", "suicidal_thoughts_now": True,
            "suicidal_thoughts_past": False, "suicide_attempt": False, "self_harm": False, "violence_risk": False})
    signed_in("leo")
    page = client.get(f"/sessions/{session_of('Sato', 'Hana')}").text
    assert "Excluded from intensive breathwork (gentle breathwork may be offered, adapted): current suicidal " \
           "ideation" in page
    assert "Current suicidal ideation, found in the Talk therapy intake of 21 Oct 2026" in page


# --- bodywork ----------------------------------------------------------------------------------------------------


def test_unstable_blood_pressure_books_pending_clearance_and_check_in_waits_for_it(client, signed_in, web_practice,
                                                                                  tom, session_of):
    history(web_practice, tom, cardiovascular_unstable=True)
    desk = signed_in("frontdesk")
    case_id, room_id = case_and_room(web_practice, "Tom: low back")
    shown = preview(client, desk, "Tom: low back", web_practice, "bodywork/massage")
    assert "Clearance needed" in shown and "marked <strong>pending clearance</strong>" in shown
    booked = client.post("/schedule/sessions", data=booking(desk, case_id, room_id, "bodywork/massage"),
                         follow_redirects=False)
    assert booked.status_code == 303
    with web_practice.engine.connect() as conn:
        sid, pending = conn.execute(select(Session.id, Session.pending_clearance).where(
            Session.starts_at == dt.datetime(2026, 10, 23, 15, 0, tzinfo=dt.UTC))).one()
    assert pending
    maya = signed_in("maya")
    refused = check_in(client, maya, sid)
    assert refused.status_code == 409 and "Clearance needed" in refused.text and "stroke" in refused.text
    assert status_of(web_practice, sid) == "scheduled"
    ok = client.post(f"/clients/{tom}/clearances", data={
        "_csrf": maya, "modality_key": "bodywork/massage", "cleared_by_name": "Dr. Rao",
        "cleared_by_profession": "Cardiologist", "cleared_by_licence": "C-7", "cleared_on": "2026-10-20"},
        follow_redirects=False)
    assert ok.status_code == 303
    assert "Cleared by Dr. Rao (Cardiologist, licence C-7)" in client.get(f"/sessions/{sid}").text
    assert check_in(client, maya, sid).status_code == 200 and status_of(web_practice, sid) == "checked_in"


@pytest.mark.parametrize(("answer", "verdict", "words"), [
    ({"aneurysm": True}, "excluded", "Absolute: aneurysm"),
    ({"intoxicated": True}, "excluded", "Absolute today: under the influence of alcohol or drugs"),
    ({"lymphedema_risk": True}, "modify", "Light pressure only on the limb and body quadrant at risk"),
    ({"local_inflammation": True}, "modify", "Do not work the inflamed area"),
    ({"pregnant": True, "trimester": "2"}, "modify", PREGNANCY_BODY),
])
def test_each_new_bodywork_rule_reaches_the_massage_pre_flight(client, signed_in, web_practice, tom, session_of,
                                                              answer, verdict, words):
    history(web_practice, tom, **answer)
    maya = signed_in("maya")
    sid = session_of("Becker", "Tom")
    preflight = client.get(f"/sessions/{sid}").text.split('id="session-status"')[1]
    assert words in preflight and f"verdict-{verdict}" in preflight
    response = check_in(client, maya, sid)
    assert response.status_code == (409 if verdict == "excluded" else 200)


def test_massage_pregnancy_positioning_is_shown_beside_the_soap_note(client, signed_in, web_practice, tom, start):
    history(web_practice, tom, pregnant=True, trimester="3")
    note = start(signed_in("maya"), "Becker", "Tom", "bodywork/soap")
    shown = adaptations(client.get(f"/notes/{note}").text)
    assert "Modify:" in shown and PREGNANCY_BODY in shown and "Side-lying" not in shown.split("Modify:")[0]


def test_an_intoxicated_client_cannot_be_booked_for_massage(client, signed_in, web_practice, tom):
    history(web_practice, tom, intoxicated=True)
    desk = signed_in("frontdesk")
    case_id, room_id = case_and_room(web_practice, "Tom: low back")
    refused = client.post("/schedule/sessions", data=booking(desk, case_id, room_id, "bodywork/massage"),
                          headers=HTMX)
    assert refused.status_code == 422 and "Excluded from Massage therapy" in refused.text
    refusal = refused.text.split("booking-refused")[1]
    assert "alcohol" not in refusal and "abmp.com" not in refusal  # the desk sees the kind, not the answer


def test_screening_answers_unchanged_for_clear_clients(web_practice, hana):
    # A clear screening still books and checks in both styles: no rule fires for "no" everywhere.
    with web_practice.work(Actor.system("test")) as work:
        response = forms.submit_form(work, hana, "breathwork/screening", CLEAR)
        assert response.outcome == "eligible" and response.findings == []


def test_the_breathwork_note_is_not_signed_without_the_adaptations_and_then_signs(client, signed_in, web_practice,
                                                                                 hana, start):
    breath_screening(web_practice, hana, pregnant=True)
    leo = signed_in("leo")
    note = start(leo, "Sato", "Hana", "breathwork/session-note")
    data = {"_csrf": leo, "revision": "1", "c.intention.intention": "Rest <b>deeply</b>",
            "c.intention.recheck": "no change", "c.method.style": "slow-nasal", "c.breathing.rounds": "3",
            "c.breathing.active_minutes": "20", "c.response.response": "Calm, warm hands", "c.response.grounded": "yes",
            "c.adverse.adverse_events.0.type": "Lightheaded", "c.adverse.adverse_events.0.action": "Slowed down"}
    refused = client.post(f"/notes/{note}/sign", headers=HTMX, data=data)
    assert refused.status_code == 422 and 'id="f-c-adaptations-adaptations-error"' in refused.text
    assert "Rest &lt;b&gt;deeply&lt;/b&gt;" in refused.text and 'value="Slowed down"' in refused.text
    data.update({"revision": "2", "c.adaptations.adaptations": "Slow nasal breathing only, no breath holds"})
    done = client.post(f"/notes/{note}/sign", headers=HTMX, data=data)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == f"/notes/{note}"
    signed = client.get(f"/notes/{note}").text
    assert "Slow nasal breathing only, no breath holds" in signed and "Lightheaded" in signed
