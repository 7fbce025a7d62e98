"""Staff notices say where to look, never what a record says."""

import dataclasses

import pytest

from polymodal.core.access import Actor
from polymodal.core.messaging import notices
from polymodal.core.models import User
from polymodal.core.services import assessments, cases, clients, notes
from tests.messaging.conftest import outbox, run_jobs

CONTENT = {"data": "Client reports better sleep.", "assessment": "Improving.", "plan": "Continue weekly."}


def _emails(practice, **addresses):
    with practice.work(Actor.system("test")) as work:
        for username, email in addresses.items():
            work.db.query(User).filter(User.username == username).update({"email": email})


def test_a_note_waiting_for_co_signature_tells_the_supervisor(practice, staff, sink):
    practice.settings = dataclasses.replace(practice.settings, public_url="https://care.example.org")
    _emails(practice, super="super@center.example")
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["trainee"].user_id])
    with practice.work(staff["trainee"]) as work:
        note = notes.start_note(work, case.id, "clinic/dap")
        notes.save_draft(work, note.id, CONTENT, note.revision)
        notes.sign_note(work, note.id)
    run_jobs(practice)
    (received,) = sink.messages
    assert received.recipients == ["super@center.example"]
    assert received.message["Subject"] == "Test Center: a note waits for your co-signature"
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "A note by Trainee waits" in text and "https://care.example.org/notes/cosign" in text
    assert "sleep" not in received.message.as_string() and "Lovelace" not in received.message.as_string()


def test_a_risk_finding_tells_the_practitioners_without_saying_what(practice, staff, sink):
    _emails(practice, other="other@center.example")
    with practice.work(Actor.system("test")) as work:
        notices.risk_needs_acknowledgement(work, [staff["other"].user_id, staff["masseur"].user_id], "c-1")
    run_jobs(practice)
    (received,) = sink.messages  # the masseur has no address: nothing queued for them
    assert received.recipients == ["other@center.example"]
    assert "needs your acknowledgement" in received.message.get_body(preferencelist=("plain",)).get_content()


def test_a_new_risk_answer_tells_the_care_team_once(practice, staff, sink, client_case, clock):
    """A scale whose risk item is endorsed queues one notice per care-team member with an address; the same
    risk answered again while it waits for acknowledgement queues nothing more, nor does a calm answer."""
    practice.settings = dataclasses.replace(practice.settings, public_url="https://care.example.org")
    _emails(practice, super="super@center.example")
    client_id, _ = client_case
    calm, risky = {"i1": "1", "i2": "0", "risk": "0"}, {"i1": "1", "i2": "0", "risk": "2"}
    with practice.work(staff["super"]) as work:
        assessments.record_assessment(work, client_id, "clinic/mini", calm)
    assert outbox(practice, kind="risk_acknowledgement") == []
    for _ in range(2):
        clock.advance(days=1)
        with practice.work(staff["super"]) as work:
            assessments.record_assessment(work, client_id, "clinic/mini", risky)
    run_jobs(practice)
    (received,) = sink.messages
    assert received.recipients == ["super@center.example"]
    assert f"/clients/{client_id}" in received.message.get_body(preferencelist=("plain",)).get_content()
    assert "Lovelace" not in received.message.as_string() and "Risk item" not in received.message.as_string()


def test_a_risk_answer_that_rolls_back_tells_no_one(practice, staff, sink, client_case):
    _emails(practice, super="super@center.example")
    client_id, _ = client_case
    with pytest.raises(RuntimeError), practice.work(staff["super"]) as work:
        assessments.record_assessment(work, client_id, "clinic/mini", {"i1": "0", "i2": "0", "risk": "3"})
        raise RuntimeError("the request failed after the answer")
    run_jobs(practice)
    assert sink.messages == [] and outbox(practice, kind="risk_acknowledgement") == []
