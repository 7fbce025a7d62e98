
"""Booking, move and cancellation notices go through the outbox to a real SMTP server, once."""

import datetime as dt
import time

import pytest
from icalendar import Calendar

from polymodal.core.access import Actor
from polymodal.core.messaging.queue import jobs_of
from polymodal.core.services import scheduling
from tests.messaging.conftest import outbox, run_jobs


def only_attachment(message):
    (part,) = list(message.iter_attachments())
    return part


def test_a_booking_sends_one_confirmation_with_a_valid_ics(practice, sink, book):
    (session,) = book()
    assert run_jobs(practice) == 1
    run_jobs(practice)  # a second pass finds nothing more to send
    (received,) = sink.messages
    mail = received.message
    assert received.recipients == ["ada@example.org"]
    assert mail["To"] == "Ada Lovelace <ada@example.org>"
    assert mail["From"] == "Test Center <desk@center.example>"
    assert mail["Subject"] == "Test Center: your appointment on Thu 05 Mar"
    assert mail["Message-ID"] and mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Thursday 05 March 2026, 10:00–10:50" in text and "Therapy with Super" in text
    assert "room Cedar, Main" in text
    assert mail.get_body(preferencelist=("html",)) is not None
    part = only_attachment(mail)
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert part.get_filename() == "appointment.ics"
    cal = Calendar.from_ical(part.get_content())
    assert cal["METHOD"] == "REQUEST" and cal["VERSION"] == "2.0" and cal["PRODID"]
    (event,) = cal.walk("VEVENT")
    assert event["UID"] == f"session-{session.id}@polymodal"
    assert event.decoded("DTSTART") == session.starts_at and event.decoded("DTEND") == session.ends_at
    assert event["STATUS"] == "CONFIRMED"
    assert [m.state for m in outbox(practice, kind="booking_confirmation")] == ["sent"]


def test_a_rolled_back_booking_sends_nothing(practice, sink, staff, client_case, rooms):
    with pytest.raises(RuntimeError), practice.work(staff["desk"]) as work:
        scheduling.schedule_session(work, {"case_id": client_case[1], "modality_key": "clinic/therapy",
                                           "starts_at": dt.datetime(2026, 3, 5, 10, 0), "room_id": rooms[0]})
        raise RuntimeError("something later in the same change failed")
    assert run_jobs(practice) == 0
    assert outbox(practice) == []
    assert sink.messages == []


def test_a_failed_send_is_retried_and_shown_failed_after_the_last_try(practice, sink, book):
    sink.refuse["ada@example.org"] = "451 4.3.0 Mailbox busy, try later"
    book()
    assert run_jobs(practice) == 3  # the first try and two retries
    (message,) = outbox(practice, kind="booking_confirmation")
    assert message.state == "failed" and message.attempts == 3
    assert message.last_error == "451 4.3.0 Mailbox busy, try later"
    assert sink.messages == []


def test_a_permanent_refusal_is_not_retried(practice, sink, book):
    sink.refuse["ada@example.org"] = "550 5.1.1 No such user here"
    book()
    assert run_jobs(practice) == 1
    (message,) = outbox(practice, kind="booking_confirmation")
    assert (message.state, message.attempts, message.last_error) == ("failed", 1, "550 5.1.1 No such user here")


def test_a_retry_that_succeeds_sends_once(practice, sink, book):
    sink.refuse["ada@example.org"] = "421 4.7.0 Too many connections"
    book()
    queue = jobs_of(practice)
    task = queue.huey.dequeue()
    queue.huey.execute(task)  # the first try fails
    (message,) = outbox(practice, kind="booking_confirmation")
    assert (message.state, message.attempts) == ("retrying", 1)
    del sink.refuse["ada@example.org"]
    run_jobs(practice)
    (message,) = outbox(practice, kind="booking_confirmation")
    assert (message.state, message.attempts, message.last_error) == ("sent", 2, "")
    assert len(sink.messages) == 1


def test_reminders_fire_once_at_the_centers_times(practice, sink, book, clock):
    (session,) = book()
    run_jobs(practice)
    reminders = outbox(practice, kind="reminder")
    assert [session.starts_at - r.send_after for r in reminders] == [dt.timedelta(hours=48), dt.timedelta(hours=2)]
    queue = jobs_of(practice)
    clock.now = reminders[0].send_after - dt.timedelta(minutes=1)
    queue.sweep()
    run_jobs(practice)
    assert len(sink.messages) == 1  # the confirmation only
    clock.now = reminders[0].send_after
    queue.sweep()
    queue.sweep()  # told twice, as two workers' schedulers would
    run_jobs(practice)
    assert [m.message["Subject"] for m in sink.messages[1:]] == ["Test Center: reminder of your appointment on Thu 05 Mar"]
    assert [r.state for r in outbox(practice, kind="reminder")] == ["sent", "queued"]


def test_a_reminder_fires_once_with_two_workers(make_practice, practice, sink, book, clock):
    """Two worker pools (two practices, as two processes would have) share one queue."""
    (session,) = book()
    other = make_practice(*[(name, plugin) for name, plugin in practice.pm.list_name_plugin()
                            if name.startswith("clinic")])
    first, second = jobs_of(practice), jobs_of(other)
    (reminder, _) = outbox(practice, kind="reminder")
    clock.now = reminder.send_after
    first.start(workers=2)
    second.start(workers=2)
    for _ in range(3):
        first.sweep()
        second.sweep()
    deadline = 400
    while deadline and [m.state for m in outbox(practice, kind="reminder")][0] != "sent":
        deadline -= 1
        time.sleep(0.05)  # a timed Event.wait never returns under libfaketime; a sleep does
    first.stop()
    second.stop()
    subjects = sorted(str(m.message["Subject"]) for m in sink.messages)
    assert subjects == ["Test Center: reminder of your appointment on Thu 05 Mar",
                        "Test Center: your appointment on Thu 05 Mar"]


def test_a_moved_session_sends_a_change_and_retimes_its_reminders(practice, sink, staff, book):
    (session,) = book()
    with practice.work(staff["desk"]) as work:
        scheduling.move_session(work, session.id, dt.datetime(2026, 3, 6, 14, 0))
    run_jobs(practice)
    subjects = [str(m.message["Subject"]) for m in sink.messages]
    assert subjects == ["Test Center: your appointment on Thu 05 Mar",
                        "Test Center: your appointment has moved to Fri 06 Mar"]
    cal = Calendar.from_ical(only_attachment(sink.messages[1].message).get_content())
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 3, 6, 22, 0, tzinfo=dt.UTC)
    states = [(r.state, r.send_after) for r in outbox(practice, kind="reminder")]
    assert sorted(s for s, _ in states) == ["cancelled", "cancelled", "queued", "queued"]


def test_a_cancellation_sends_a_cancel_ics_and_drops_reminders(practice, sink, staff, book):
    (session,) = book()
    with practice.work(staff["desk"]) as work:
        scheduling.cancel_session(work, session.id, "client", "client asked")
    run_jobs(practice)
    mail = sink.messages[-1].message
    assert mail["Subject"] == "Test Center: your appointment on Thu 05 Mar is cancelled"
    assert "client asked" not in mail.as_string()
    part = only_attachment(mail)
    assert part.get_param("method") == "CANCEL"
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert {r.state for r in outbox(practice, kind="reminder")} == {"cancelled"}


def test_nothing_is_sent_to_a_client_who_withdrew_consent_to_contact(practice, sink, staff, book, client_case):
    from polymodal.core.messaging.preferences import save_contact_preference

    with practice.work(staff["desk"]) as work:
        save_contact_preference(work, client_case[0], consent_to_contact=False, email_notices=True,
                                email_reminders=True)
    book()
    assert outbox(practice) == []


def test_a_minors_messages_go_to_the_guardian(practice, sink, staff, rooms):
    from polymodal.core.services import cases, clients

    with practice.work(staff["desk"]) as work:
        kid = clients.register_client(work, {"legal_first_name": "Mila", "legal_last_name": "Okafor",
                                             "date_of_birth": "2016-01-15", "email": "mila@example.org"})
        clients.add_guardian(work, kid.id, {"name": "Grace Okafor", "relationship": "mother",
                                            "email": "grace@example.org"})
        case = cases.open_case(work, title="Mila", kind="individual", client_ids=[kid.id],
                               practitioner_ids=[staff["super"].user_id])
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                           "starts_at": dt.datetime(2026, 3, 5, 10, 0), "room_id": rooms[0]})
    run_jobs(practice)
    (received,) = sink.messages
    assert received.recipients == ["grace@example.org"]
    assert received.message.get_body(preferencelist=("plain",)).get_content().startswith("Hello Grace Okafor,")


def test_the_center_can_say_less(practice, sink, book):
    from polymodal.core.messaging.preferences import save_center_messaging

    with practice.work(Actor.system("test")) as work:
        save_center_messaging(work, {"detail": "none", "reminder_hours": "24"})
    book()
    run_jobs(practice)
    text = sink.messages[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "Therapy" not in text and "Super" not in text
    assert len(outbox(practice, kind="reminder")) == 1


def test_erasure_removes_the_clients_messages_and_stops_pending_ones(practice, sink, staff, book, client_case):
    from polymodal.core.services import privacy

    book()
    run_jobs(practice)
    with practice.work(staff["admin"]) as work:
        counts = privacy.erase_client(work, client_case[0])
    assert counts["messages"] == 3
    rows = outbox(practice)
    assert {(r.recipient, r.subject) for r in rows} == {("", "[erased]")}
    assert sorted(r.state for r in rows) == ["cancelled", "cancelled", "sent"]
    assert all("Ada" not in r.text_body and not r.ics for r in rows)
