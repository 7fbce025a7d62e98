"""Note lists (your drafts, a client's notes, a session's notes), the co-sign queue, and the session view."""

import datetime as dt

import pytest

from polymodal.core.errors import AccessDenied, Conflict, NotFound
from polymodal.core.services import cases, clients, forms, notes, session_view
from polymodal.core.services import scheduling as sched

CONTENT = {"data": "Slept better.", "assessment": "Improving.", "plan": "Weekly."}


@pytest.fixture
def setting(practice, staff, rooms):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["trainee"].user_id, staff["other"].user_id,
                                                 staff["masseur"].user_id])
        # The masseur shares the case but holds no therapy licence: the session is the therapists'.
        (session,) = sched.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                                   "starts_at": dt.datetime(2026, 3, 3, 10), "room_id": rooms[0],
                                                   "practitioner_ids": [staff["trainee"].user_id]})
    return client.id, case.id, session.id


def write(practice, actor, case_id, template="clinic/dap", sign=True, session_id=None):
    with practice.work(actor) as work:
        note = notes.start_note(work, case_id, template, session_id=session_id)
        notes.save_draft(work, note.id, CONTENT if template == "clinic/dap" else {"process": "mine"}, note.revision)
        if sign:
            notes.sign_note(work, note.id)
        return note.id


def test_my_drafts_lists_only_the_actors_unsigned_notes(practice, staff, setting):
    _, case_id, _ = setting
    draft = write(practice, staff["trainee"], case_id, sign=False)
    write(practice, staff["trainee"], case_id)
    write(practice, staff["other"], case_id, sign=False)
    with practice.work(staff["trainee"]) as work:
        assert [r.id for r in notes.my_drafts(work)] == [draft]
        assert notes.my_drafts(work)[0].case_title == "Ada"


def test_notes_of_client_follow_visibility_and_are_audited(practice, staff, setting):
    client_id, case_id, _ = setting
    shared = write(practice, staff["trainee"], case_id)
    private = write(practice, staff["trainee"], case_id, template="clinic/process")
    with practice.work(staff["trainee"]) as work:
        assert {r.id for r in notes.notes_of_client(work, client_id)} == {shared, private}
    for reader in ("other", "super"):  # a colleague on the team; the author's supervisor
        with practice.work(staff[reader]) as work:
            rows = notes.notes_of_client(work, client_id)
            assert [r.id for r in rows] == [shared], reader
            assert rows[0].author == "Trainee" and rows[0].needs_cosign and not rows[0].cosigned
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):
        notes.notes_of_client(work, client_id)
    from polymodal.core.models import AuditEvent
    with practice.work(staff["other"], write=False) as work:
        assert work.db.query(AuditEvent).filter_by(action="note.list", client_id=client_id).count() >= 2


def test_discipline_notes_reach_only_the_same_discipline(practice, staff, setting):
    client_id, case_id, _ = setting
    note_id = write(practice, staff["trainee"], case_id, sign=False)  # a signed row could not be changed
    from polymodal.core.models import Note
    with practice.engine.begin() as conn:
        # Simulate a template with discipline visibility (none of the fixture's has one).
        conn.execute(Note.__table__.update().where(Note.id == note_id).values(visibility="discipline"))
    with practice.work(staff["trainee"]) as work:  # signed: a draft is its author's alone
        notes.sign_note(work, note_id)
    with practice.work(staff["other"]) as work:
        assert [r.id for r in notes.notes_of_client(work, client_id)] == [note_id]
    with practice.work(staff["masseur"]) as work:
        assert notes.notes_of_client(work, client_id) == []


def test_notes_of_session_and_details(practice, staff, setting):
    _, case_id, session_id = setting
    note_id = write(practice, staff["trainee"], case_id, session_id=session_id)
    write(practice, staff["trainee"], case_id)  # not for this session
    with practice.work(staff["super"]) as work:
        session = sched.get_session(work, session_id)
        assert [r.id for r in notes.notes_of_session(work, session)] == [note_id]
        details = notes.note_details(work, notes.read_note(work, note_id))
        assert details["author"] == "Trainee" and details["may_cosign"] and details["cosigned"] is None
        assert not details["may_add"]  # a supervisor writes only for their own team's clients
    with practice.work(staff["super"]) as work:
        notes.cosign(work, note_id)
    with practice.work(staff["other"]) as work:
        notes.add_addendum(work, note_id, "Seen together.")
    with practice.work(staff["other"]) as work:
        details = notes.note_details(work, notes.read_note(work, note_id))
        assert details["cosigned"].by == "Super" and not details["may_cosign"] and details["may_add"]
        assert [(a.text, a.author) for a in details["addenda"]] == [("Seen together.", "Other")]


def test_cosign_queue_leaves_out_process_notes(practice, staff, setting):
    _, case_id, _ = setting
    shared = write(practice, staff["trainee"], case_id)
    write(practice, staff["trainee"], case_id, template="clinic/process")
    with practice.work(staff["super"]) as work:
        assert [r.id for r in notes.cosign_queue(work)] == [shared]


def test_draft_template_is_for_the_authors_own_draft_only(practice, staff, setting):
    _, case_id, _ = setting
    draft = write(practice, staff["trainee"], case_id, sign=False)
    signed = write(practice, staff["trainee"], case_id)
    with practice.work(staff["trainee"]) as work:
        assert notes.draft_template(work, draft).key == "clinic/dap"
        with pytest.raises(Conflict):
            notes.draft_template(work, signed)
    with practice.work(staff["other"]) as work, pytest.raises((AccessDenied, NotFound)):
        notes.draft_template(work, draft)


def test_session_view_gives_logistics_to_the_desk_and_redacts_clinical_findings(practice, staff, setting):
    client_id, _, session_id = setting
    with practice.work(staff["trainee"]) as work:
        forms.submit_form(work, client_id, "clinic/intake", {"concern": "sleep", "seizures": True})
    with practice.work(staff["desk"]) as work:
        view = session_view.open_session(work, session_id)
        assert not view.clinical and view.can_manage and not view.can_write_notes
        assert [c.legal_last_name for c in view.clients] == ["Lovelace"] and view.room == "Cedar"
        findings = session_view.findings_for(work, view)
        codes = [f.code for f in findings]
        # The desk reads the kind of finding, never its code or rule source: either can name the condition.
        assert "core/consent-missing" in codes and "clinical/excluded" in codes and "clinic/seizures" not in codes
        excluded = next(f for f in findings if f.code == "clinical/excluded")
        assert "Seizure" not in excluded.reason and excluded.reason == "Excluded from Therapy by the Intake of 02 Mar 2026."
        assert "seizure" not in excluded.source.lower()
    with practice.work(staff["desk"]) as work, pytest.raises(Conflict) as refused:
        session_view.change_status(work, session_id, "checked_in")
    assert "Seizure" not in str(refused.value) and "Excluded from Therapy by the Intake" in str(refused.value)
    with practice.work(staff["trainee"]) as work:
        view = session_view.open_session(work, session_id)
        assert view.clinical and view.can_write_notes
        assert any(f.code == "clinic/seizures" and "Seizure history" in f.reason
                   for f in session_view.findings_for(work, view))
    with practice.work(staff["trainee"]) as work, pytest.raises(Conflict, match="Seizure history"):
        session_view.change_status(work, session_id, "checked_in")
    with practice.work(staff["masseur"]) as work:
        assert session_view.open_session(work, session_id).clinical  # on the team
