"""Staff notices say where to look, never what a record says."""

import dataclasses

from polymodal.core.access import Actor
from polymodal.core.messaging import notices
from polymodal.core.models import User
from polymodal.core.services import cases, clients, notes
from tests.messaging.conftest import run_jobs

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
