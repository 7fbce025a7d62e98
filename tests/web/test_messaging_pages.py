"""Messaging pages: private calendar feeds, the admin's outbox and wording, a practitioner's video room."""

from __future__ import annotations

import re
import uuid

from icalendar import Calendar
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.messaging import outbox
from polymodal.core.messaging.channels import DeliveryFailed
from polymodal.core.messaging.models import OutboxMessage
from polymodal.core.models import AuditEvent

FEED_URL = re.compile(r"http://[^<\s]+/feeds/([A-Za-z0-9_-]+)\.ics")


def _new_feed(client, csrf: str, path: str = "/me/calendar/feed", **form: str) -> str:
    response = client.post(path, data={"_csrf": csrf, **form})
    assert response.status_code == 200, response.text
    return "/feeds/" + FEED_URL.search(response.text).group(1) + ".ics"


def test_a_feed_url_validates_as_icalendar_and_stops_working_once_regenerated(client, signed_in):
    csrf = signed_in("rivera")
    first = _new_feed(client, csrf)
    response = client.get(first)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.text)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    assert events, "the demo gives Dr. Rivera sessions"
    for event in events:
        assert event["UID"].endswith("@polymodal") and event.decoded("DTSTART") < event.decoded("DTEND")
    text = response.text
    assert "Ellis" not in text and "Jordan" not in text  # initials by default, never a full name
    assert "J. E." in text
    second = _new_feed(client, csrf)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post("/me/calendar/feed/revoke", data={"_csrf": csrf})
    assert client.get(second).status_code == 404


def test_an_unknown_feed_gets_the_same_404(client):
    assert client.get(f"/feeds/{uuid.uuid4().hex}.ics").status_code == 404


def test_the_front_desk_makes_a_room_feed_without_client_names(client, signed_in, web_practice):
    from polymodal.core.services import center

    csrf = signed_in("frontdesk")
    with web_practice.work(Actor.system("test"), write=False) as work:
        room = next(r for r in center.rooms(work) if r.name == "Willow")
    url = _new_feed(client, csrf, "/me/calendar/room-feed", room=str(room.id))
    text = client.get(url).text
    cal = Calendar.from_ical(text)
    assert cal.walk("VEVENT") and all(e["LOCATION"] == "Willow" for e in cal.walk("VEVENT"))
    assert "Ellis" not in text and "J. E." not in text


def test_a_practitioner_cannot_make_a_room_feed(client, signed_in):
    csrf = signed_in("maya")
    assert client.post("/me/calendar/room-feed", data={"_csrf": csrf, "room": str(uuid.uuid4())}).status_code == 403


def test_the_standing_video_room_is_refused_unless_https(client, signed_in):
    csrf = signed_in("rivera")
    bad = client.post("/me/calendar/video-room", data={"_csrf": csrf, "meeting_url": "http://x.example/<b>"})
    assert bad.status_code == 422 and "https://" in bad.text and "<b>" not in bad.text
    good = client.post("/me/calendar/video-room", data={"_csrf": csrf, "meeting_url": "https://meet.example/dr"})
    assert good.status_code == 200 and 'value="https://meet.example/dr"' in good.text


def _fail_one(web_practice) -> OutboxMessage:
    with web_practice.work(Actor.system("test"), write=False) as work:
        row = work.db.query(OutboxMessage).filter(OutboxMessage.kind == "booking_confirmation").first()
    outbox.claim(web_practice, row.id)
    outbox.record_failure(web_practice, row.id, DeliveryFailed("550 5.1.1 <jordan@example.org>: no such user",
                                                               permanent=True), last_try=False)
    return row


def test_the_outbox_page_shows_each_message_and_a_failure_with_the_servers_answer(client, signed_in,
                                                                                   web_practice):
    row = _fail_one(web_practice)
    signed_in("admin")
    page = client.get("/admin/messages")
    assert page.status_code == 200
    assert "No SMTP server is set" in page.text
    assert "queued" in page.text and "Reminder" in page.text
    failed = client.get("/admin/messages?state=failed")
    assert "550 5.1.1 &lt;jordan@example.org&gt;: no such user" in failed.text
    assert f'name="message" value="{row.id}"' in failed.text


def test_only_the_admin_sees_the_outbox(client, signed_in):
    signed_in("frontdesk")
    assert client.get("/admin/messages").status_code == 403


def test_the_outbox_page_costs_the_same_with_more_messages(client, signed_in, queries, web_practice):
    signed_in("admin")
    client.get("/admin/messages")
    few = queries.of_page(client, "/admin/messages")
    with web_practice.work(Actor.system("test")) as work:
        for n in range(60):
            outbox.queue_message(work, "reminder", outbox.Recipient(f"c{n}@example.org", "C", "C"), {"when": "x"})
    assert queries.of_page(client, "/admin/messages") == few <= 8


def test_an_admin_rewords_a_message_and_a_broken_template_is_refused(client, signed_in, web_practice):
    csrf = signed_in("admin")
    broken = client.post("/admin/messages/templates",
                         data={"_csrf": csrf, "kind": "reminder", "subject": "See you {{ when", "text_body": "Hi {{ greeting }}",
                               "html_body": ""})
    assert broken.status_code == 422 and "This template does not work" in broken.text
    assert "See you {{ when" in broken.text  # what was typed is kept
    unknown = client.post("/admin/messages/templates",
                          data={"_csrf": csrf, "kind": "reminder", "subject": "{{ client.notes }}", "text_body": "x", "html_body": ""})
    assert unknown.status_code == 422
    ok = client.post("/admin/messages/templates",
                     data={"_csrf": csrf, "kind": "reminder", "subject": "See you {{ day }}", "text_body": "Hi {{ greeting }}",
                           "html_body": "<p>Hi {{ greeting }}</p>"}, follow_redirects=False)
    assert ok.status_code == 303
    from polymodal.core.messaging import templates

    with web_practice.work(Actor.system("test"), write=False) as work:
        wording = templates.render(templates.wording(work, "reminder"), {"day": "Fri", "greeting": "<Ana>"})
    assert (wording.subject, wording.text, wording.html) == ("See you Fri", "Hi <Ana>", "<p>Hi &lt;Ana&gt;</p>")


def test_reminder_hours_are_checked_and_kept(client, signed_in):
    csrf = signed_in("admin")
    bad = client.post("/admin/messages/settings", data={"_csrf": csrf, "reminder_hours": "48, 9999",
                                                        "detail": "none", "signature": "", "feed_client_names": "initials"})
    assert bad.status_code == 422 and "1 to 336 hours" in bad.text and 'value="48, 9999"' in bad.text
    ok = client.post("/admin/messages/settings", data={"_csrf": csrf, "reminder_hours": "24", "detail": "none",
                                                       "signature": "The desk", "feed_client_names": "none"},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert 'value="24"' in client.get("/admin/messages/settings").text


def test_a_video_session_shows_its_meeting_link_and_no_feed_carries_it(client, signed_in, web_practice):
    import datetime as dt

    from sqlalchemy import select

    from polymodal.core.messaging import meetings
    from polymodal.core.models import Case, User
    from polymodal.core.services import scheduling

    with web_practice.work(Actor.system("test")) as work:
        rivera = work.db.scalars(select(User).where(User.username == "rivera")).one()
        meetings.set_standing_room(work, rivera.id, "https://meet.example/rivera")
        case_id = work.db.scalars(select(Case.id).where(Case.title == "Jordan: anxiety")).one()
        (session,) = scheduling.schedule_session(work, {
            "case_id": case_id, "modality_key": "talk/psychotherapy", "delivery": "video",
            "practitioner_ids": [rivera.id], "starts_at": dt.datetime(2026, 10, 30, 7, 0)})
    csrf = signed_in("rivera")
    page = client.get(f"/sessions/{session.id}")
    assert 'href="https://meet.example/rivera"' in page.text
    feed = client.get(_new_feed(client, csrf)).text
    assert f"session-{session.id}@polymodal" in feed and "meet.example" not in feed


def test_the_front_desk_records_what_a_client_agreed_to_receive(client, signed_in, client_id, web_practice):
    csrf = signed_in("frontdesk")
    jordan = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{jordan}").text
    assert "Messages go to Jordan Ellis &lt;jordan@example.org&gt;" in page
    # Only reminders ticked: confirmations and the general consent are unticked, so they are sent as "no".
    response = client.post(f"/clients/{jordan}/contact-preferences",
                           data={"_csrf": csrf, "consent_to_contact": "yes", "email_reminders": "yes"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="client-tab"' in response.text
    assert re.search(r'name="email_notices" value="yes">', response.text)  # shown unticked
    assert re.search(r'name="email_reminders" value="yes" checked>', response.text)
    with web_practice.work(Actor.system("t"), write=False) as work:
        from polymodal.core.messaging.preferences import contact_preference

        saved = contact_preference(work, uuid.UUID(jordan))
        assert (saved.consent_to_contact, saved.email_notices, saved.email_reminders) == (True, False, True)
        [event] = [e for e in work.db.scalars(select(AuditEvent).where(
            AuditEvent.action == "client.contact_preferences"))]
        assert str(event.client_id) == jordan


def test_a_minors_messages_go_to_the_guardian_and_the_biller_cannot_change_preferences(client, signed_in,
                                                                                     client_id):
    sofia = client_id("Alvarez", "Sofia")
    csrf = signed_in("billing")
    page = client.get(f"/clients/{sofia}").text
    assert "Messages go to Lucia Alvarez" in page and "go to guardians who may consent" in page
    assert "/contact-preferences" not in page  # no form for someone who cannot edit the client
    refused = client.post(f"/clients/{sofia}/contact-preferences", data={"_csrf": csrf})
    assert refused.status_code == 403
