"""Booking, moving and cancelling: success, 422 forms (conflict, DST gap, missing fields), htmx and plain."""

from __future__ import annotations

import datetime as dt
import re

HTMX = {"HX-Request": "true"}
FAR_MONDAY = dt.date(2030, 1, 7)


def _booking(ids, token: str, **changes) -> dict:
    data = {"_csrf": token, "case_id": str(ids.case("Tom: low back")), "modality_key": "bodywork/massage",
            "format": "individual", "structure_key": "", "date": FAR_MONDAY.isoformat(), "time": "10:00",
            "minutes": "", "delivery": "in_person", "room_id": str(ids.room("Cedar")), "weeks": "1",
            "practitioner_ids": [str(ids.user("maya"))]}
    data.update(changes)
    return data


# --- the booking form -------------------------------------------------------------


def test_booking_form_page_and_fragment(client, signed_in):
    signed_in("frontdesk")
    page = client.get("/schedule/new")
    assert page.status_code == 200 and "<html" in page.text and 'id="booking-form"' in page.text
    for label in ("Case", "Modality", "Format", "Session structure", "Date", "Start time", "Length in minutes",
                  "Repeat weekly for (weeks)", "Room", "Practitioners", "Delivery"):
        assert label in page.text, label
    fragment = client.get("/schedule/new", headers=HTMX)
    assert fragment.text.lstrip().startswith('<form id="booking-form"') and "<html" not in fragment.text


def test_choosing_a_case_narrows_the_modalities_and_fills_its_people(client, signed_in, ids):
    signed_in("frontdesk")
    case = ids.case("Natarajan couple")
    fragment = client.get(f"/schedule/new?case_id={case}&modality_key=", headers={**HTMX, "HX-Trigger-Name": "case_id"}).text
    assert fragment.lstrip().startswith('<form id="booking-form"')
    modalities = re.findall(r'<option value="([a-z]+/[a-z-]+)"', fragment.split('name="modality_key"')[1]
                            .split("</select>")[0])
    assert "talk/couple-therapy" in modalities and "bodywork/massage" not in modalities  # Dr. Rivera's offer
    assert re.search(r'<option value="couple" selected>', fragment)
    assert f'value="{ids.user("rivera")}" checked' in fragment
    assert "_csrf=" not in fragment
    # A modality narrows the structures to its own, and the hint names the usual length.
    fragment = client.get(f"/schedule/new?case_id={case}&modality_key=talk/couple-therapy&format=couple",
                          headers={**HTMX, "HX-Trigger-Name": "modality_key"}).text
    structures = fragment.split('name="structure_key"')[1].split("</select>")[0]
    assert "talk/couple-assessment" in structures and "talk/individual-50" not in structures


def test_the_days_book_link_prefills_the_date(client, signed_in):
    signed_in("frontdesk")
    page = client.get(f"/schedule?view=week&date={FAR_MONDAY}").text
    assert f'href="/schedule/new?date={FAR_MONDAY}"' in page
    form = client.get(f"/schedule/new?date={FAR_MONDAY}").text
    assert f'name="date" type="date" value="{FAR_MONDAY}"' in form


def test_case_from_the_link_prefills_the_form(client, signed_in, ids):
    signed_in("frontdesk")
    page = client.get(f"/schedule/new?case_id={ids.case('Tom: low back')}").text
    assert re.search(r'<option value="bodywork/massage" selected>', page)
    assert f'value="{ids.user("maya")}" checked' in page


def test_booking_a_weekly_series_redirects_to_its_week(client, signed_in, ids):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=_booking(ids, token, weeks="3"), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/schedule?view=week&date={FAR_MONDAY}&booked=3"
    sessions = [s for s in ids.sessions_of("Tom: low back") if s.starts_at.year == 2030]
    assert len(sessions) == 3
    assert [s.starts_at - sessions[0].starts_at for s in sessions] == [dt.timedelta(weeks=w) for w in range(3)]
    page = client.get(response.headers["location"]).text
    assert "Booked 3 sessions." in page and "Tom Becker" in page and ">10:00</time>–11:25" in page  # a first visit


def test_booking_with_htmx_answers_with_hx_redirect(client, signed_in, ids):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=_booking(ids, token), headers=HTMX, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith(f"/schedule?view=week&date={FAR_MONDAY}")


def test_a_double_booking_is_a_422_with_the_message_and_every_value_kept(client, signed_in, ids):
    token = signed_in("frontdesk")
    assert client.post("/schedule/sessions", data=_booking(ids, token), follow_redirects=False).status_code == 303
    again = _booking(ids, token, time="10:30", minutes="40", weeks="2")
    response = client.post("/schedule/sessions", data=again)
    assert response.status_code == 422 and "<html" in response.text
    page = response.text
    assert 'id="booking-conflict"' in page and "Maya Chen, LMT is already booked" in page
    assert 'value="10:30"' in page and 'value="40"' in page and 'value="2"' in page
    assert re.search(r'<option value="bodywork/massage" selected>', page)
    assert re.search(rf'<option value="{ids.room("Cedar")}" selected>', page)
    assert f'value="{ids.user("maya")}" checked' in page
    assert len([s for s in ids.sessions_of("Tom: low back") if s.starts_at.year == 2030]) == 1  # nothing half-booked
    fragment = client.post("/schedule/sessions", data=again, headers=HTMX)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith('<form id="booking-form"')
    assert "already booked" in fragment.text


def test_a_room_clash_names_the_room(client, signed_in, ids):
    token = signed_in("frontdesk")
    client.post("/schedule/sessions", data=_booking(ids, token), follow_redirects=False)
    other = _booking(ids, token, case_id=str(ids.case("Jordan: anxiety")), modality_key="talk/psychotherapy",
                     practitioner_ids=[str(ids.user("rivera"))])
    response = client.post("/schedule/sessions", data=other)
    assert response.status_code == 422 and "Room Cedar is already booked" in response.text


def test_a_time_skipped_by_the_clocks_is_a_field_error(client, signed_in, ids):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=_booking(ids, token, date="2030-03-10", time="02:30"))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="f-time-error">([^<]+)</p>', response.text).group(1)
    assert "does not exist in America/Los_Angeles" in error
    assert 'value="2030-03-10"' in response.text and 'value="02:30"' in response.text


def test_missing_fields_are_each_reported(client, signed_in):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data={"_csrf": token, "delivery": "in_person"}, headers=HTMX)
    assert response.status_code == 422
    for name in ("case_id", "modality_key", "date", "time"):
        assert f'id="f-{name}-error"' in response.text, name
    assert 'class="error-summary"' in response.text


def test_bad_numbers_and_ids_are_field_errors(client, signed_in, ids):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=_booking(ids, token, minutes="2", weeks="500", room_id="x",
                                                               practitioner_ids=["nope"]))
    assert response.status_code == 422
    for name in ("minutes", "weeks", "room_id", "practitioner_ids"):
        assert f'id="f-{name}-error"' in response.text, name


def test_service_rules_come_back_beside_their_fields(client, signed_in, ids):
    token = signed_in("frontdesk")
    response = client.post("/schedule/sessions", data=_booking(ids, token, room_id="", delivery="in_person"))
    assert response.status_code == 422 and "An in-person session needs a room." in response.text
    response = client.post("/schedule/sessions", data=_booking(ids, token, format="group"))
    assert response.status_code == 422 and 'id="f-format-error"' in response.text


# --- access -----------------------------------------------------------------------


def test_a_practitioner_cannot_book_for_a_client_outside_their_care_team(client, signed_in, ids):
    token = signed_in("trainee")
    response = client.post("/schedule/sessions", data=_booking(ids, token, practitioner_ids=[]))
    assert response.status_code == 404 and "Tom" not in response.text
    assert not [s for s in ids.sessions_of("Tom: low back") if s.starts_at.year == 2030]
    # Their form lists only the cases of their own clients.
    page = client.get("/schedule/new").text
    assert "Sofia: school stress" in page and "Tom: low back" not in page and "Jordan: anxiety" not in page
    # Asking the form to prefill another practitioner's case is a 404 too.
    assert client.get(f"/schedule/new?case_id={ids.case('Tom: low back')}").status_code == 404


def test_a_practitioner_books_for_their_own_client(client, signed_in, ids):
    token = signed_in("trainee")
    data = _booking(ids, token, case_id=str(ids.case("Sofia: school stress")), modality_key="talk/psychotherapy",
                    practitioner_ids=[str(ids.user("trainee"))])
    assert client.post("/schedule/sessions", data=data, follow_redirects=False).status_code == 303


def test_admin_may_not_book(client, signed_in, ids):
    token = signed_in("admin")
    assert client.get("/schedule/new").status_code == 403
    assert client.post("/schedule/sessions", data=_booking(ids, token)).status_code == 403


def test_booking_needs_the_csrf_token(client, signed_in, ids):
    signed_in("frontdesk")
    data = _booking(ids, "wrong")
    assert client.post("/schedule/sessions", data=data).status_code == 403


# --- move and cancel --------------------------------------------------------------


def _back(ids) -> str:
    return f"view=day&date={FAR_MONDAY}&practitioner={ids.user('maya')}"


def test_move_without_javascript_redirects_back_to_the_same_calendar(client, signed_in, ids, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)), room="Cedar")
    token = signed_in("frontdesk")
    response = client.post(f"/schedule/sessions/{session_id}/move", follow_redirects=False, data={
        "_csrf": token, "back": _back(ids), "date": "2030-01-08", "time": "14:30", "room_id": str(ids.room("Studio"))})
    assert response.status_code == 303
    assert response.headers["location"] == f"/schedule?{_back(ids)}&done=moved"
    assert "Session moved." in client.get(response.headers["location"]).text
    (moved,) = [s for s in ids.sessions_of("Tom: low back") if s.id == session_id]
    assert moved.room_id == ids.room("Studio")
    assert moved.starts_at == dt.datetime(2030, 1, 8, 22, 30, tzinfo=dt.UTC)  # 14:30 PST


def test_move_with_htmx_rerenders_the_calendar_block(client, signed_in, ids, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    token = signed_in("frontdesk")
    response = client.post(f"/schedule/sessions/{session_id}/move", headers=HTMX, data={
        "_csrf": token, "back": f"view=day&date={FAR_MONDAY}", "date": str(FAR_MONDAY), "time": "15:00",
        "room_id": ""})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="schedule-calendar"')
    assert "Session moved to Mon 07 Jan 15:00." in response.text and ">15:00</time>" in response.text


def test_a_clashing_move_is_a_422_beside_that_session(client, signed_in, ids, book):
    (first,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    (second,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(11)))
    token = signed_in("frontdesk")
    data = {"_csrf": token, "back": f"view=day&date={FAR_MONDAY}", "date": str(FAR_MONDAY), "time": "09:05",
            "room_id": ""}
    response = client.post(f"/schedule/sessions/{second}/move", headers=HTMX, data=data)
    assert response.status_code == 422 and response.text.lstrip().startswith('<div id="schedule-calendar"')
    card = response.text.split(f'id="session-{second}"')[1].split("</article>")[0]
    assert "<details open>" in card and "already booked" in card and 'value="09:05"' in card
    assert "<details open>" not in response.text.split(f'id="session-{first}"')[1].split("</article>")[0]
    plain = client.post(f"/schedule/sessions/{second}/move", data=data)
    assert plain.status_code == 422 and "<html" in plain.text


def test_moving_into_the_dst_gap_or_without_a_date_are_field_errors(client, signed_in, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    token = signed_in("frontdesk")
    response = client.post(f"/schedule/sessions/{session_id}/move", data={
        "_csrf": token, "back": f"view=day&date={FAR_MONDAY}", "date": "2030-03-10", "time": "02:15"})
    assert response.status_code == 422 and f'id="mv-{session_id}-time-error"' in response.text
    assert "does not exist" in response.text
    response = client.post(f"/schedule/sessions/{session_id}/move", data={
        "_csrf": token, "back": f"view=day&date={FAR_MONDAY}", "date": "", "time": "10:00"})
    assert response.status_code == 422 and f'id="mv-{session_id}-date-error"' in response.text


def test_cancel_needs_a_reason_then_cancels(client, signed_in, ids, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    token = signed_in("frontdesk")
    url = f"/schedule/sessions/{session_id}/cancel"
    back = f"view=day&date={FAR_MONDAY}"
    response = client.post(url, data={"_csrf": token, "back": back, "reason": "Client has the flu"}, headers=HTMX)
    assert response.status_code == 422 and f'id="cx-{session_id}-kind-error"' in response.text
    assert "Choose why the session is cancelled." in response.text and 'value="Client has the flu"' in response.text
    response = client.post(url, data={"_csrf": token, "back": back, "cancel_reason": "teleported"}, headers=HTMX)
    assert response.status_code == 422 and "Choose why the session is cancelled." in response.text
    response = client.post(url, data={"_csrf": token, "back": back, "cancel_reason": "illness",
                                      "reason": "Client has the flu"}, headers=HTMX)
    assert response.status_code == 200 and "Session of Mon 07 Jan 09:00 cancelled." in response.text
    card = response.text.split(f'id="session-{session_id}"')[1].split("</article>")[0]
    assert "cancelled" in card and "Move or cancel" not in card
    (row,) = [s for s in ids.sessions_of("Tom: low back") if s.id == session_id]
    assert row.status == "cancelled" and row.status_reason == "Client has the flu"
    assert row.cancel_reason == "illness" and not row.late
    # Cancelling again: the lifecycle refuses it, with the reason why.
    again = client.post(url, data={"_csrf": token, "back": back, "reason": "again"})
    assert again.status_code == 422 and "cannot become cancelled" in again.text


def test_cancel_without_javascript_redirects(client, signed_in, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    token = signed_in("frontdesk")
    response = client.post(f"/schedule/sessions/{session_id}/cancel", follow_redirects=False,
                           data={"_csrf": token, "back": "view=week", "cancel_reason": "weather",
                                 "reason": "Room flooded"})
    # The freed slot is named, so the calendar offers it to the waitlist.
    assert response.status_code == 303
    assert response.headers["location"] == f"/schedule?view=week&done=cancelled&freed={session_id}"
    assert "Fill from the waitlist" in client.get(response.headers["location"]).text


def test_a_practitioner_cannot_move_or_cancel_another_teams_session(client, signed_in, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    token = signed_in("trainee")
    for action, data in (("move", {"date": "2030-01-08", "time": "10:00"}), ("cancel", {"reason": "no"})):
        response = client.post(f"/schedule/sessions/{session_id}/{action}", data={"_csrf": token, **data})
        assert response.status_code == 404, action
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.post(f"/schedule/sessions/{unknown}/cancel",
                       data={"_csrf": token, "reason": "x"}).status_code == 404


def test_every_form_control_on_the_schedule_has_a_label(client, signed_in, book):
    (session_id,) = book("Tom: low back", dt.datetime.combine(FAR_MONDAY, dt.time(9)))
    signed_in("frontdesk")
    for url in (f"/schedule?view=day&date={FAR_MONDAY}", f"/schedule/sessions/{session_id}/change", "/schedule/new",
                "/cases/new"):
        page = client.get(url).text
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        controls = re.findall(r'<(?:input|select|textarea)\b([^>]*)>', page)
        for attrs in controls:
            if 'type="hidden"' in attrs or 'type="radio"' in attrs or 'type="checkbox"' in attrs:
                continue  # radios and checkboxes sit inside their <label>
            control_id = re.search(r'id="([^"]+)"', attrs)
            assert control_id and control_id.group(1) in labelled, (url, attrs[:80])


def test_a_clients_cancellation_inside_the_centers_window_is_late_and_counted_on_the_client(
        client, signed_in, ids, book, web_clock, client_id):
    """The demo's window is the default 24 hours: a client cancelling 23 hours ahead is late, 25 hours ahead is
    not; the practitioner cancelling is never the client's late cancellation."""
    now = web_clock.now
    (late,) = book("Tom: low back", now + dt.timedelta(hours=23))
    (early,) = book("Tom: low back", now + dt.timedelta(hours=25))
    (theirs,) = book("Tom: low back", now + dt.timedelta(hours=23, minutes=30))
    token = signed_in("frontdesk")
    for session_id, reason in ((late, "client"), (early, "client"), (theirs, "practitioner")):
        assert client.post(f"/schedule/sessions/{session_id}/cancel",
                           data={"_csrf": token, "cancel_reason": reason}, headers=HTMX).status_code == 200
    rows = {s.id: s for s in ids.sessions_of("Tom: low back")}
    assert (rows[late].late, rows[early].late, rows[theirs].late) == (True, False, False)
    tab = client.get(f"/clients/{client_id('Becker', 'Tom')}/sessions").text
    assert re.search(r'id="attendance">Cancelled 3 \(1 late\)', tab) and "Client cancelled, late" in tab


def test_a_no_show_is_refused_before_the_session_starts_and_offered_after(client, signed_in, book, web_practice,
                                                                        web_clock, ids):
    (session_id,) = book("Tom: low back", web_clock.now + dt.timedelta(hours=1))
    token = signed_in("frontdesk")
    page = client.get(f"/sessions/{session_id}").text
    assert "Mark no-show" not in page
    early = client.post(f"/sessions/{session_id}/status", data={"_csrf": token, "status": "no_show"},
                        headers=HTMX)
    assert early.status_code == 409 and "once the session has started" in early.text
    web_clock.now = web_clock.now + dt.timedelta(hours=1, minutes=10)
    token = signed_in("frontdesk")  # an hour idle ended the sign-in
    page = client.get(f"/sessions/{session_id}").text
    assert "Mark no-show" in page and 'hx-confirm="Record that the client did not come?"' in page
    done = client.post(f"/sessions/{session_id}/status", data={"_csrf": token, "status": "no_show"}, headers=HTMX)
    assert done.status_code == 200
    (row,) = [s for s in ids.sessions_of("Tom: low back") if s.id == session_id]
    assert row.status == "no_show"
