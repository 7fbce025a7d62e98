"""Break the glass, right of access without psychotherapy notes, erasure within retention."""

import json

import pytest

from polymodal.core.errors import AccessDenied, NotFound, ValidationFailed
from polymodal.core.services import cases, clients, notes, privacy

PASSWORD = "correct-horse-battery"  # the staff fixture's password


@pytest.fixture
def case(practice, staff):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01", "email": "ada@example.org"})
        return cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["trainee"].user_id])


def signed(practice, actor, case, template, content):
    with practice.work(actor) as work:
        note = notes.start_note(work, case.id, template)
        notes.save_draft(work, note.id, content, note.revision)
        notes.sign_note(work, note.id)
    return note


def test_break_the_glass_is_justified_reauthenticated_scoped_and_time_boxed(practice, staff, case, clock):
    client_id = case.clients[0].client_id
    note = signed(practice, staff["trainee"], case, "clinic/dap", {"data": "d", "assessment": "a", "plan": "p"})
    with practice.work(staff["admin"]) as work, pytest.raises((AccessDenied, NotFound)):
        notes.read_note(work, note.id)
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed):
        privacy.break_glass(work, client_id, "need", PASSWORD)
    with practice.work(staff["admin"]) as work, pytest.raises(AccessDenied):
        privacy.break_glass(work, client_id, "Client in crisis, clinician unreachable", "wrong password")
    with practice.work(staff["admin"]) as work:
        privacy.break_glass(work, client_id, "Client in crisis, clinician unreachable", PASSWORD, minutes=30)
    with practice.work(staff["admin"]) as work:
        assert notes.read_note(work, note.id).id == note.id
    clock.advance(minutes=31)
    with practice.work(staff["admin"]) as work, pytest.raises((AccessDenied, NotFound)):
        notes.read_note(work, note.id)
    with practice.work(staff["super"]) as work:
        (grant,) = privacy.grants_to_review(work)
        privacy.review_grant(work, grant.id)
    with practice.work(staff["admin"]) as work:
        actions = [e.action for e in privacy.access_history(work, client_id)]
        assert "break_glass.grant" in actions and "note.read" in actions


def test_the_export_has_the_record_but_no_psychotherapy_notes(practice, staff, case):
    client_id = case.clients[0].client_id
    with practice.work(staff["desk"]) as work:
        clients.add_guardian(work, client_id, {"name": "Pat Lovelace", "relationship": "father"})
    signed(practice, staff["trainee"], case, "clinic/dap", {"data": "progress", "assessment": "a", "plan": "p"})
    signed(practice, staff["trainee"], case, "clinic/process", {"process": "CANARY-PSY-5512"})
    with practice.work(staff["trainee"]) as work:
        exported = privacy.export_record(work, client_id)
    text = json.dumps(exported)
    assert "CANARY-PSY-5512" not in text
    assert [n["content"]["data"] for n in exported["notes"]] == ["progress"]
    assert exported["client"]["email"] == "ada@example.org"
    assert [(g["name"], g["relationship"]) for g in exported["guardians"]] == [("Pat Lovelace", "father")]
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):
        privacy.export_record(work, client_id)


def test_erasure_deletes_contact_details_and_restricts_the_clinical_record(practice, staff, case):
    client_id = case.clients[0].client_id
    with practice.work(staff["admin"]) as work:
        privacy.erase_client(work, client_id)
    with practice.work(staff["desk"]) as work:
        assert clients.search_clients(work, "lovelace") == []
        with pytest.raises(AccessDenied):
            clients.get_client(work, client_id)
    with practice.work(staff["trainee"]) as work:
        exported = privacy.export_record(work, client_id)  # retained, still exportable
        assert exported["client"]["email"] == "" and exported["client"]["restricted"] is True
