"""The booking form's defaults (issue 13 item 4): a first appointment needs no case; the modality, length and
note template come from the case and the modality's own structure; the booked practitioner joins the care
team, or the calendar says why not."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import CareTeamMember, Case, CaseClient, Session
from polymodal.core.services import cases

HTMX = {"HX-Request": "true"}
DAY = "2030-01-07"


def _selected(page: str, name: str) -> str:
    block = page.split(f'name="{name}"')[1].split("</select>")[0]
    found = re.search(r'<option value="([^"]*)" selected>', block)
    return found.group(1) if found else ""


def test_a_new_couple_case_books_couple_therapy_for_its_fifty_minute_session(client, signed_in, web_practice,
                                                                             client_id, ids):
    token = signed_in("frontdesk")
    with web_practice.work(Actor.system("test")) as work:
        case_id = cases.open_case(work, title="Natarajans again", kind="couple", practitioner_ids=[ids.user("rivera")],
                                  client_ids=[uuid.UUID(client_id("Natarajan", "Priya")),
                                              uuid.UUID(client_id("Natarajan", "Marcus"))]).id
    form = client.get(f"/schedule/new?case_id={case_id}").text
    modalities = form.split('name="modality_key"')[1].split("</select>")[0]
    # Dr. Rivera also coaches, and "talk/coaching" sorted first; coaching is not given to couples.
    assert "talk/coaching" not in modalities and _selected(form, "modality_key") == "talk/couple-therapy"
    assert "Leave empty for the structure&#39;s length (50 min)" in form
    response = client.post("/schedule/sessions", follow_redirects=False, data={
        "_csrf": token, "case_id": str(case_id), "modality_key": "talk/couple-therapy", "format": "couple",
        "date": DAY, "time": "10:00", "minutes": "", "delivery": "video", "weeks": "1"})
    assert response.status_code == 303, response.text
    with web_practice.engine.connect() as conn:
        start, end = conn.execute(select(Session.starts_at, Session.ends_at).where(Session.case_id == case_id)).one()
    assert (end - start).total_seconds() == 50 * 60


def test_a_psychotherapy_session_offers_talks_own_notes_first(client, signed_in, session_of):
    signed_in("rivera")
    page = client.get(f"/sessions/{session_of('Ellis', 'Jordan')}").text
    options = re.findall(r'<option value="([a-z]+/[a-z0-9-]+)"', page.split('name="template_key"')[1]
                         .split("</select>")[0])
    assert options[0].startswith("talk/") and "ecotherapy/walk-and-talk" not in options[:-1]


def test_the_next_note_starts_in_the_format_last_written_in_the_case(client, signed_in, start, ids):
    token = signed_in("rivera")
    first, second = (row.id for row in ids.sessions_of("Jordan: anxiety")[:2])
    assert _selected(client.get(f"/sessions/{second}").text, "template_key") == ""  # talk's own first, SOAP
    start(token, "Ellis", "Jordan", "talk/dap")
    assert _selected(client.get(f"/sessions/{second}").text, "template_key") == "talk/dap"


def test_a_first_appointment_from_the_client_page_opens_a_case_named_by_the_modality(client, signed_in, ids,
                                                                                  client_id, web_practice):
    token = signed_in("frontdesk")
    hana = client_id("Sato", "Hana")
    form = client.get(f"/schedule/new?client_id={hana}").text
    assert "For <a" in form and "Hana Sato" in form
    assert "None yet: a case is opened for this first appointment" in form
    response = client.post("/schedule/sessions", follow_redirects=False, data={
        "_csrf": token, "client_id": hana, "case_id": "", "modality_key": "arts/art-therapy", "format": "individual",
        "date": DAY, "time": "15:00", "minutes": "", "delivery": "in_person", "room_id": str(ids.room("Studio")),
        "weeks": "1", "practitioner_ids": [str(ids.user("ari"))]})
    assert response.status_code == 303, response.text
    with web_practice.engine.connect() as conn:
        title, kind = conn.execute(select(Case.title, Case.kind).join(CaseClient, CaseClient.case_id == Case.id)
                                   .where(CaseClient.client_id == uuid.UUID(hana), Case.title == "Art therapy")).one()
        assert kind == "individual"
        assert conn.execute(select(CareTeamMember.user_id).where(
            CareTeamMember.client_id == uuid.UUID(hana), CareTeamMember.user_id == ids.user("ari"))).scalar() is not None


def test_without_a_case_or_client_the_form_says_what_to_choose(client, signed_in):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data={"_csrf": token, "modality_key": "talk/psychotherapy",
                                                       "date": DAY, "time": "10:00", "delivery": "video"})
    assert response.status_code == 422
    assert "Choose a case, or book from the client&#39;s page for a first appointment." in response.text


def test_the_booked_practitioner_joins_the_care_team(client, signed_in, ids, client_id, web_practice):
    token = signed_in("frontdesk")
    jordan = client_id("Ellis", "Jordan")
    response = client.post("/schedule/sessions", follow_redirects=False, data={
        "_csrf": token, "case_id": str(ids.case("Jordan: anxiety")), "modality_key": "talk/psychotherapy",
        "format": "individual", "date": DAY, "time": "11:00", "delivery": "video", "weeks": "1",
        "practitioner_ids": [str(ids.user("trainee"))]})
    assert response.status_code == 303, response.text
    assert "session=" not in response.headers["location"]  # nobody is missing from the team
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(CareTeamMember.user_id).where(
            CareTeamMember.client_id == uuid.UUID(jordan), CareTeamMember.user_id == ids.user("trainee"))).scalar()


def test_when_the_booker_cannot_place_a_colleague_the_calendar_says_why(client, signed_in, ids):
    token = signed_in("trainee")  # Sofia's practitioner, who does not manage care teams
    response = client.post("/schedule/sessions", follow_redirects=False, data={
        "_csrf": token, "case_id": str(ids.case("Sofia: school stress")), "modality_key": "talk/psychotherapy",
        "format": "individual", "date": DAY, "time": "12:00", "delivery": "video", "weeks": "1",
        "practitioner_ids": [str(ids.user("trainee")), str(ids.user("rivera"))]})
    assert response.status_code == 303, response.text
    assert "&session=" in response.headers["location"]
    calendar = client.get(response.headers["location"]).text
    assert ("Dr. Dana Rivera is not on Sofi Alvarez&#39;s care team: the front desk or a supervisor adds them, "
            "so they can open this session.") in calendar
