"""The eligibility decision at each gate, through the pages: booking (and its live preview), moving,
check-in, signing; the records that settle it (clearance, override, risk acknowledgement, location, regions)."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Case, Room, Session, User
from polymodal.core.services import consent, forms
from tests.web.conftest import HTMX

CLEAR = {"cardiovascular": False, "aneurysm": False, "epilepsy": False, "glaucoma": False,
         "retinal_detachment": False, "recent_injury_surgery": False, "blood_pressure": "normal", "asthma": "none",
         "kidney_disease": False, "severe_osteoporosis": False, "thyroid": False, "diabetes": False,
         "pregnant": False, "untreated_condition": False, "ptsd": False, "recent_crisis": False,
         "antidepressant_change": False, "active_addiction": False}


@pytest.fixture
def hana(web_practice, client_id):
    """Hana Sato: breathwork with Leo; her consent to the breathwork risks signed."""
    cid = uuid.UUID(client_id("Sato", "Hana"))
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, cid, "breathwork/risk", signer_name="Hana Sato",
                               answers={"touch_support": False})
    return cid


def breath_screening(web_practice, cid, **answers):
    with web_practice.work(Actor.system("test")) as work:
        return forms.submit_form(work, cid, "breathwork/screening", {**CLEAR, **answers}).id


def case_and_room(web_practice, title):
    with web_practice.engine.connect() as conn:
        case_id = conn.execute(select(Case.id).where(Case.title == title)).scalar_one()
        room_id = conn.execute(select(Room.id).order_by(Room.name).limit(1)).scalar_one()
    return str(case_id), str(room_id)


def booking(token, case_id, room_id, modality="breathwork/breathwork", **extra):
    return {"_csrf": token, "case_id": case_id, "modality_key": modality, "format": "individual",
            "date": "2026-10-23", "time": "08:00", "minutes": "50", "delivery": "in_person", "room_id": room_id,
            "weeks": "1", **extra}


def status_of(web_practice, sid):
    with web_practice.engine.connect() as conn:
        return conn.execute(select(Session.status).where(Session.id == uuid.UUID(str(sid)))).scalar_one()


def check_in(client, token, sid):
    return client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token}, headers=HTMX)


# --- booking and moving ----------------------------------------------------------------------------------------


def test_front_desk_booking_an_excluded_client_is_refused_with_the_reason(client, signed_in, web_practice, hana):
    breath_screening(web_practice, hana, glaucoma=True)
    case_id, room_id = case_and_room(web_practice, "Hana: breath")
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=booking(token, case_id, room_id), headers=HTMX)
    assert response.status_code == 422 and "Not booked: not eligible" in response.text
    assert "Excluded from Breathwork by the Breathwork health screening of 21 Oct 2026" in response.text
    assert "Next: Do not book Breathwork; offer another modality" in response.text
    assert "glaucoma" not in response.text.lower().split("booking-refused")[1]  # clinical detail stays with the team
    assert 'value="2026-10-23"' in response.text  # nothing typed is lost
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(Session.id).where(Session.starts_at == dt.datetime(2026, 10, 23, 15, 0,
                                                                                        tzinfo=dt.UTC))).first() is None


def test_the_booking_form_shows_the_decision_live(client, signed_in, web_practice, hana, web_clock):
    case_id, room_id = case_and_room(web_practice, "Hana: breath")
    token = signed_in("frontdesk")
    params = {k: v for k, v in booking(token, case_id, room_id).items() if k != "_csrf"}
    before = client.get("/schedule/eligibility", params=params, headers=HTMX)
    assert before.status_code == 200 and before.text.lstrip().startswith('<section id="booking-decision"')
    assert "Screening needed" in before.text and "needs the Breathwork health screening" in before.text
    breath_screening(web_practice, hana, ptsd=True)
    pending = client.get("/schedule/eligibility", params=params, headers=HTMX).text
    assert "Clearance needed" in pending and "marked <strong>pending clearance</strong>" in pending
    web_clock.advance(minutes=1)
    breath_screening(web_practice, hana, glaucoma=True)
    refused = client.get("/schedule/eligibility", params=params, headers=HTMX).text
    assert "Excluded" in refused and "This booking will be refused" in refused
    page = client.get("/schedule/new", params=params).text  # the full form carries the same block
    assert 'id="booking-decision"' in page and 'hx-trigger="change from:#booking-form"' in page


def test_clearance_needed_books_marked_pending_and_check_in_waits(client, signed_in, web_practice, hana):
    breath_screening(web_practice, hana, ptsd=True)
    case_id, room_id = case_and_room(web_practice, "Hana: breath")
    desk = signed_in("frontdesk")
    booked = client.post("/schedule/sessions", data=booking(desk, case_id, room_id), follow_redirects=False)
    assert booked.status_code == 303
    with web_practice.engine.connect() as conn:
        sid, pending = conn.execute(select(Session.id, Session.pending_clearance).where(
            Session.starts_at == dt.datetime(2026, 10, 23, 15, 0, tzinfo=dt.UTC))).one()
    assert pending
    assert "Pending clearance" in client.get(f"/sessions/{sid}").text
    refused = check_in(client, desk, sid)
    assert refused.status_code == 409 and "Clearance needed" in refused.text
    assert status_of(web_practice, sid) == "scheduled"


def test_moving_an_excluded_session_is_refused(client, signed_in, web_practice, hana, session_of, web_clock):
    breath_screening(web_practice, hana)
    sid = session_of("Sato", "Hana")
    web_clock.advance(minutes=1)
    breath_screening(web_practice, hana, epilepsy=True)
    token = signed_in("frontdesk")
    response = client.post(f"/schedule/sessions/{sid}/move", headers=HTMX,
                           data={"_csrf": token, "date": "2026-10-30", "time": "08:00", "room_id": ""})
    assert response.status_code == 422 and "Not moved" in response.text and "Excluded from Breathwork" in response.text


# --- check-in ----------------------------------------------------------------------------------------------------


def test_screening_needed_refuses_check_in(client, signed_in, web_practice, hana, session_of):
    sid = session_of("Sato", "Hana")
    token = signed_in("leo")
    page = client.get(f"/sessions/{sid}").text
    assert "Screening needed" in page and "has none on file" in page
    response = check_in(client, token, sid)
    assert response.status_code == 409 and "Cannot start" in response.text and "Screening needed" in response.text
    breath_screening(web_practice, hana)
    assert check_in(client, token, sid).status_code == 200 and status_of(web_practice, sid) == "checked_in"


def test_a_recorded_clearance_lets_check_in_proceed(client, signed_in, web_practice, hana, session_of):
    breath_screening(web_practice, hana, ptsd=True)
    sid = session_of("Sato", "Hana")
    token = signed_in("leo")
    assert check_in(client, token, sid).status_code == 409
    bad = client.post(f"/clients/{hana}/clearances", headers=HTMX, data={
        "_csrf": token, "modality_key": "breathwork/breathwork", "cleared_by_name": "Dr. Okafor",
        "cleared_by_profession": "", "cleared_by_licence": "<b>A1</b>", "cleared_on": "2026-10-20"})
    assert bad.status_code == 422 and "Give their profession" in bad.text and "&lt;b&gt;A1&lt;/b&gt;" in bad.text
    ok = client.post(f"/clients/{hana}/clearances", data={
        "_csrf": token, "modality_key": "breathwork/breathwork", "cleared_by_name": "Dr. Okafor",
        "cleared_by_profession": "Psychiatrist", "cleared_by_licence": "A1", "cleared_on": "2026-10-20",
        "valid_until": "2027-01-31"}, follow_redirects=False)
    assert ok.status_code == 303
    tab = client.get(f"/clients/{hana}/eligibility").text
    assert "Dr. Okafor, Psychiatrist, licence A1" in tab
    assert "Cleared by Dr. Okafor (Psychiatrist, licence A1)" in client.get(f"/sessions/{sid}").text
    assert check_in(client, token, sid).status_code == 200


def test_risk_blocks_check_in_until_a_clinician_acknowledges_it_with_a_plan(client, signed_in, web_practice,
                                                                            session_of, client_id, web_clock):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    web_clock.advance(days=-45)  # older than the 30-day flags panel: the risk still stays on the start page
    with web_practice.work(Actor.system("test")) as work:
        assessment = work.registry.assessments.get("talk/phq-9")
        answers = {item.key: (item.options or assessment.options)[0].value for item in assessment.items}
        answers["q9"] = "2"  # thoughts of being better off dead
        from polymodal.core.services import assessments
        assessments.record_assessment(work, jordan, "talk/phq-9", answers)
    web_clock.advance(days=45)
    sid = session_of("Ellis", "Jordan")
    token = signed_in("rivera")
    refused = check_in(client, token, sid)
    assert refused.status_code == 409 and "Risk" in refused.text
    board = client.get("/").text.split('id="risk-board"')[1].split("</section>")[0]
    assert "Jordan Ellis" in board and "PHQ-9 of 06 Sep 2026" in board
    tab = client.get(f"/clients/{jordan}/eligibility").text
    code = tab.split('name="code" value="')[1].split('"')[0]
    short = client.post(f"/clients/{jordan}/risks", data={"_csrf": token, "code": code, "plan": "ok"}, headers=HTMX)
    assert short.status_code == 422 and "Write the plan" in short.text
    done = client.post(f"/clients/{jordan}/risks", follow_redirects=False,
                       data={"_csrf": token, "code": code, "plan": "C-SSRS done, safety plan made, 988 given."})
    assert done.status_code == 303
    assert "Plan: C-SSRS done, safety plan made" in client.get(f"/clients/{jordan}/eligibility").text
    assert 'id="risk-board"' not in client.get("/").text
    assert check_in(client, token, sid).status_code == 200


def test_a_supervisor_overrides_a_block_with_a_reason_visible_on_the_session(client, signed_in, web_practice, hana,
                                                                             session_of):
    with web_practice.work(Actor.system("test")) as work:
        leo = work.db.scalar(select(User).where(User.username == "leo"))
        leo.roles = ["practitioner", "supervisor"]
    breath_screening(web_practice, hana, glaucoma=True)
    sid = session_of("Sato", "Hana")
    token = signed_in("leo")
    page = client.get(f"/sessions/{sid}").text
    assert "Override a block" in page
    refused = check_in(client, token, sid)
    assert refused.status_code == 409 and "Excluded" in refused.text and "glaucoma" in refused.text
    choice = f"{hana} breathwork/glaucoma"
    empty = client.post(f"/sessions/{sid}/override", headers=HTMX, data={"_csrf": token, "finding": choice,
                                                                        "reason": ""})
    assert empty.status_code == 422 and "Type the clinical reason" in empty.text
    done = client.post(f"/sessions/{sid}/override", follow_redirects=False, data={
        "_csrf": token, "finding": choice, "reason": "Ophthalmologist confirms gentle nasal breathing is safe."})
    assert done.status_code == 303
    page = client.get(f"/sessions/{sid}").text
    assert "overridden by Leo Brandt" in page and "Ophthalmologist confirms" in page
    assert check_in(client, token, sid).status_code == 200
    desk = signed_in("frontdesk")
    assert "Override a block" not in client.get(f"/sessions/{sid}").text
    assert desk


def test_a_video_session_needs_telehealth_consent_and_the_clients_location(client, signed_in, web_practice,
                                                                          session_of):
    sid = session_of("Ellis", "Jordan")
    with web_practice.work(Actor.system("test")) as work:
        work.db.get(Session, uuid.UUID(sid)).delivery = "video"
    token = signed_in("rivera")
    refused = check_in(client, token, sid)
    assert refused.status_code == 409 and "Telehealth consent is missing" in refused.text
    assert "location for this video session is not confirmed" in refused.text
    jordan = next(link.client_id for link in _session(web_practice, sid).clients)
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, jordan, "talk/telehealth", signer_name="Jordan Ellis",
                               answers={"location": "Home", "private_space": True})
    bad = client.post(f"/sessions/{sid}/location", headers=HTMX,
                      data={"_csrf": token, "client_id": str(jordan), "location": "Home", "jurisdiction": "Calif"})
    assert bad.status_code == 422 and "ISO 3166" in bad.text
    ok = client.post(f"/sessions/{sid}/location", follow_redirects=False,
                     data={"_csrf": token, "client_id": str(jordan), "location": "Home, Oakland", "jurisdiction": "US-CA"})
    assert ok.status_code == 303
    assert check_in(client, token, sid).status_code == 200


def _session(web_practice, sid):
    with web_practice.work(Actor.system("test"), write=False) as work:
        session = work.db.get(Session, uuid.UUID(str(sid)))
        list(session.clients)
        return session


# --- signing and body regions ------------------------------------------------------------------------------------


def test_a_note_treating_a_declined_region_cannot_be_signed_and_names_it(client, signed_in, touch_consent, start):
    touch_consent("Becker", "Tom", low_back="consented", gluteal="declined")
    token = signed_in("maya")
    note_id = start(token, "Becker", "Tom", "bodywork/soap")
    data = {"_csrf": token, "revision": "1", "c.subjective.complaint": "Low back ache",
            "c.subjective.medication_changes": "no change", "c.objective.body_map.gluteal": "on",
            "c.objective.body_map.gluteal.consent": "consented", "c.objective.body_map.gluteal.technique": "Trigger point"}
    response = client.post(f"/notes/{note_id}/sign", headers=HTMX, data=data)
    assert response.status_code == 422 and "Gluteal: declined in the Consent to touch" in response.text
    assert 'value="Trigger point"' in response.text


def test_a_region_withdrawn_mid_session_shows_on_the_open_page_and_stops_signing(client, signed_in, touch_consent,
                                                                                 start, session_of):
    touch_consent("Becker", "Tom", low_back="consented", abdomen="ask-each-time", gluteal="declined")
    sid = session_of("Becker", "Tom")
    token = signed_in("maya")
    page = client.get(f"/sessions/{sid}").text
    assert 'id="session-regions"' in page and 'hx-trigger="every 5s"' in page
    panel = client.get(f"/sessions/{sid}/regions", headers=HTMX).text
    client_value = panel.split('name="client_id" value="')[1].split('"')[0]
    withdrawn = client.post(f"/sessions/{sid}/regions", headers=HTMX, data={
        "_csrf": token, "client_id": client_value, "region": "low_back", "change": "withdraw"})
    assert withdrawn.status_code == 200 and 'data-region="low_back" class="region-withdrawn"' in withdrawn.text
    # Another open page picks the change up on its next refresh of the panel.
    assert 'class="region-withdrawn"' in client.get(f"/sessions/{sid}/regions", headers=HTMX).text
    refused = client.post(f"/sessions/{sid}/regions", headers=HTMX, data={
        "_csrf": token, "client_id": client_value, "region": "gluteal", "change": "confirm"})
    assert refused.status_code == 422 and "no consent to confirm or withdraw" in refused.text
    plain = client.post(f"/sessions/{sid}/regions", data={  # without JavaScript: the whole page, message in place
        "_csrf": token, "client_id": client_value, "region": "gluteal", "change": "confirm"})
    assert plain.status_code == 422 and "<html" in plain.text and "no consent to confirm or withdraw" in plain.text
    assert "<html" in client.get(f"/sessions/{sid}/regions").text
    note_id = start(token, "Becker", "Tom", "bodywork/soap")
    data = {"_csrf": token, "revision": "1", "c.subjective.complaint": "Ache",
            "c.subjective.medication_changes": "no change", "c.objective.body_map.low_back": "on",
            "c.objective.body_map.low_back.consent": "consented"}
    response = client.post(f"/notes/{note_id}/sign", headers=HTMX, data=data)
    assert response.status_code == 422 and "Low back: withdrawn by the client during this session" in response.text


# --- credentials on the booking form --------------------------------------------------------------------------


def test_practitioners_whose_credential_does_not_cover_the_modality_are_not_offered(client, signed_in, web_practice):
    case_id, _ = case_and_room(web_practice, "Ravi: art")
    signed_in("frontdesk")
    params = {"case_id": case_id, "modality_key": "arts/art-therapy"}
    assert "Ari Vance, ATR-BC" in client.get("/schedule/new", params=params).text  # no art therapy licence in CA
    with web_practice.work(Actor.system("test")) as work:
        work.center.jurisdiction = "US-NY"  # New York licenses creative arts therapists (LCAT)
    page = client.get("/schedule/new", params=params).text
    assert "Ari Vance, ATR-BC" not in page.split('id="f-practitioner_ids"')[1].split("</fieldset>")[0]
    assert "holds no valid LCAT" in page  # the decision says why


def _offered(client, case_id, modality):
    page = client.get("/schedule/new", params={"case_id": case_id, "modality_key": modality}).text
    return page.split('id="f-practitioner_ids"')[1].split("</fieldset>")[0]


STAFF_NAMES = ("Dr. Dana Rivera", "Sam Okafor (associate)", "Maya Chen, LMT", "Leo Brandt", "Ari Vance, ATR-BC")


@pytest.mark.parametrize(("case", "modality", "offered"), [
    ("Jordan: anxiety", "talk/psychotherapy", {"Dr. Dana Rivera", "Sam Okafor (associate)"}),  # LMFT; AMFT supervised
    ("Tom: low back", "bodywork/massage", {"Maya Chen, LMT"}),  # CAMTC-certified
    ("Ravi: art", "arts/art-therapy", {"Ari Vance, ATR-BC"}),
    ("Jordan: anxiety", "talk/coaching", set(STAFF_NAMES)),  # no licence exists for coaching
])
def test_the_booking_form_offers_only_practitioners_whose_credential_covers_the_modality(
        client, signed_in, web_practice, case, modality, offered):
    case_id, _ = case_and_room(web_practice, case)
    signed_in("frontdesk")
    fieldset = _offered(client, case_id, modality)
    assert {name for name in STAFF_NAMES if name in fieldset} == offered


def test_an_associate_without_a_supervisor_is_not_offered_and_a_massage_therapist_is_refused_for_therapy(
        client, signed_in, web_practice):
    case_id, room_id = case_and_room(web_practice, "Jordan: anxiety")
    token = signed_in("frontdesk")
    with web_practice.work(Actor.system("test")) as work:
        trainee = work.db.scalar(select(User).where(User.username == "trainee"))
        trainee.supervisor_id = None
        maya = work.db.scalar(select(User.id).where(User.username == "maya"))
    assert "Sam Okafor" not in _offered(client, case_id, "talk/psychotherapy")
    refused = client.post("/schedule/sessions", headers=HTMX, data=booking(
        token, case_id, room_id, "talk/psychotherapy", practitioner_ids=str(maya)))
    assert refused.status_code in (409, 422)
    assert ("Maya Chen, LMT holds no valid PSY / LMFT / LCSW / LPCC for Individual psychotherapy and counselling in "
            "US-CA") in refused.text


def test_breathwork_sees_the_suicidal_ideation_the_talk_intake_found(client, signed_in, web_practice, hana,
                                                                      session_of):
    breath_screening(web_practice, hana)
    with web_practice.work(Actor.system("test")) as work:
        forms.submit_form(work, hana, "talk/intake", {
            "presenting_concerns": "Low mood", "medications": "none", "suicidal_thoughts_now": True,
            "suicidal_thoughts_past": False, "suicide_attempt": False, "self_harm": False, "violence_risk": False})
    sid = session_of("Sato", "Hana")
    token = signed_in("leo")
    page = client.get(f"/sessions/{sid}").text
    assert "Risk: current suicidal ideation (found in the Talk therapy intake of 21 Oct 2026)" in page
    refused = check_in(client, token, sid)
    assert refused.status_code == 409 and "current suicidal ideation" in refused.text


@pytest.mark.parametrize("verdict", ["risk", "screening"])
def test_the_booking_page_books_risk_and_screening_needed(client, signed_in, web_practice, hana, verdict):
    if verdict == "risk":
        breath_screening(web_practice, hana)
        with web_practice.work(Actor.system("test")) as work:
            forms.submit_form(work, hana, "talk/intake", {
                "presenting_concerns": "Low mood", "medications": "none", "suicidal_thoughts_now": True,
                "suicidal_thoughts_past": False, "suicide_attempt": False, "self_harm": False,
                "violence_risk": False})
    case_id, room_id = case_and_room(web_practice, "Hana: breath")
    token = signed_in("frontdesk")
    # Current suicidal ideation also excludes the intensive styles (breathwork's own rule): gentle books.
    modality = "breathwork/gentle" if verdict == "risk" else "breathwork/breathwork"
    params = {k: v for k, v in booking(token, case_id, room_id, modality).items() if k != "_csrf"}
    label = {"risk": "Risk", "screening": "Screening needed"}[verdict]
    preview = client.get("/schedule/eligibility", params=params, headers=HTMX).text
    assert f'verdict-{verdict}">{label}</span>' in preview and "will be refused" not in preview
    booked = client.post("/schedule/sessions", data=booking(token, case_id, room_id, modality),
                         follow_redirects=False)
    assert booked.status_code == 303


def test_the_note_shows_what_the_decision_asks_of_the_session(client, signed_in, web_practice, client_id, start,
                                                              session_of):
    token = signed_in("rivera")
    plain = start(token, "Ellis", "Jordan", "talk/soap")
    assert 'id="note-adaptations"' not in client.get(f"/notes/{plain}").text  # eligible: nothing to adapt
    with web_practice.work(Actor.system("test")) as work:
        forms.submit_form(work, uuid.UUID(client_id("Ellis", "Jordan")), "talk/intake", {
            "presenting_concerns": "Low mood", "medications": "none", "suicidal_thoughts_now": False,
            "suicidal_thoughts_past": True, "suicide_attempt": False, "self_harm": False, "violence_risk": False})
    shown = client.get(f"/notes/{plain}").text.split('id="note-adaptations"')[1].split("</section>")[0]
    assert "Modify:" in shown and "past thoughts of suicide" in shown
    assert check_in(client, token, session_of("Ellis", "Jordan")).status_code == 200  # modify checks in


def test_the_eligibility_tab_costs_the_same_statements_however_many_records(client, signed_in, web_practice, hana,
                                                                            queries, web_clock):
    signed_in("leo")
    url = f"/clients/{hana}/eligibility"
    client.get(url)
    few = queries.of_page(client, url)
    assert few <= 17  # 16, and one for the safety plan's versions (tests/web/test_safety_pages.py)
    with web_practice.work(Actor.system("test")) as work:
        from polymodal.core import eligibility

        for n in range(8):
            web_clock.advance(minutes=1)
            forms.submit_form(work, hana, "breathwork/screening", {**CLEAR, "glaucoma": n % 2 == 0})
            eligibility.record_clearance(work, hana, {
                "modality_key": "breathwork/breathwork", "cleared_by_name": f"Dr. {n}", "cleared_by_profession": "GP",
                "cleared_by_licence": f"L{n}", "cleared_on": "2026-10-01"})
    page = client.get(url)
    assert page.text.count("licence L") == 8 and "lowers the outcome to" in page.text
    assert queries.of_page(client, url) == few
