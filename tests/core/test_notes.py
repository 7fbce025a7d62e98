"""Notes: drafts, signing locks, addenda, co-signature, visibility, concurrent edits."""

import pytest
from sqlalchemy import text

from polymodal.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from polymodal.core.services import cases, clients, notes
from polymodal.core.services.notes import StaleDraft
from tests.tampering import without_triggers

CONTENT = {"data": "Client reports better sleep.", "assessment": "Improving.", "plan": "Continue weekly."}


@pytest.fixture
def case(practice, staff):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        return cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["trainee"].user_id, staff["other"].user_id])


def write(practice, actor, case, template="clinic/dap", content=CONTENT, sign=True):
    with practice.work(actor) as work:
        note = notes.start_note(work, case.id, template)
        notes.save_draft(work, note.id, content, note.revision)
        if sign:
            notes.sign_note(work, note.id)
    return note


def test_signing_validates_and_locks_the_note(practice, staff, case):
    with pytest.raises(ValidationFailed) as err:
        write(practice, staff["trainee"], case, content={"data": "x" * 60_000})
    assert "data" in err.value.errors
    note = write(practice, staff["trainee"], case)
    with practice.work(staff["trainee"]) as work:
        signed = notes.read_note(work, note.id)
        assert signed.status == "signed" and len(signed.content_hash) == 64
        with pytest.raises(Conflict, match="addendum"):
            notes.save_draft(work, note.id, {"data": "changed"}, signed.revision)
        with pytest.raises(Conflict):
            notes.sign_note(work, note.id)


@pytest.mark.parametrize("statement", [
    "UPDATE notes SET content = '{}'",
    "UPDATE notes SET status = 'draft'",
    "DELETE FROM notes",
])
def test_the_database_refuses_to_change_a_signed_note(practice, staff, case, statement):
    write(practice, staff["trainee"], case)
    with pytest.raises(Exception, match="signed note cannot change"), practice.engine.begin() as conn:
        conn.execute(text(statement))


def test_corrections_are_addenda_and_the_original_stays(practice, staff, case):
    note = write(practice, staff["trainee"], case)
    with practice.work(staff["other"]) as work:
        notes.add_addendum(work, note.id, "Correction: sleep improved on 4 of 7 nights.")
    with practice.work(staff["trainee"]) as work:
        original = notes.read_note(work, note.id)
        assert original.content["data"] == CONTENT["data"]
        assert [a.text for a in notes.addenda_of(work, original)] == ["Correction: sleep improved on 4 of 7 nights."]
    with pytest.raises(Exception, match="append-only"), practice.engine.begin() as conn:
        conn.execute(text("UPDATE note_addenda SET text = 'rewritten'"))


def test_supervisor_cosigns_once_and_cannot_undo(practice, staff, case):
    note = write(practice, staff["trainee"], case)
    with practice.work(staff["super"]) as work:
        assert [row.id for row in notes.cosign_queue(work)] == [note.id]
    with practice.work(staff["other"]) as work, pytest.raises((AccessDenied, NotFound)):
        notes.cosign(work, note.id)
    with practice.work(staff["super"]) as work:
        signature = notes.cosign(work, note.id)
        assert signature.note_hash == work.db.merge(note).content_hash
    with practice.work(staff["super"]) as work:
        assert notes.cosign_queue(work) == []
        with pytest.raises(Conflict, match="already"):
            notes.cosign(work, note.id)
    with pytest.raises(Exception, match="cannot be changed or undone"), practice.engine.begin() as conn:
        conn.execute(text("DELETE FROM note_cosignatures"))


def test_a_second_editor_gets_a_conflict_with_both_versions(practice, staff, case):
    with practice.work(staff["trainee"]) as work:
        note = notes.start_note(work, case.id, "clinic/dap")
    loaded_revision = note.revision
    with practice.work(staff["trainee"]) as work:  # first tab saves
        notes.save_draft(work, note.id, {"data": "first tab"}, loaded_revision)
    with practice.work(staff["trainee"]) as work, pytest.raises(StaleDraft) as err:  # second tab, stale
        notes.save_draft(work, note.id, {"data": "second tab"}, loaded_revision)
    assert err.value.current_content == {"data": "first tab"}
    assert err.value.attempted == {"data": "second tab"}


def test_process_notes_are_the_authors_alone(practice, staff, case):
    note = write(practice, staff["trainee"], case, template="clinic/process", content={"process": "CANARY-7731"})
    for name in ("other", "super", "admin", "desk"):
        with practice.work(staff[name]) as work, pytest.raises((NotFound, AccessDenied)):
            notes.read_note(work, note.id)
    with practice.work(staff["trainee"]) as work:
        assert notes.read_note(work, note.id).content == {"process": "CANARY-7731"}


def test_only_the_author_edits_a_draft(practice, staff, case):
    with practice.work(staff["trainee"]) as work:
        note = notes.start_note(work, case.id, "clinic/dap")
    # Someone else's draft is not even there for them (issue 12: drafts are their author's until signed).
    with practice.work(staff["other"]) as work, pytest.raises((AccessDenied, NotFound)):
        notes.save_draft(work, note.id, {"data": "not mine"}, 1)


def test_a_note_altered_in_the_database_fails_its_seal_on_read_export_and_verify(practice, staff, case):
    from sqlalchemy import update

    from polymodal.core import seals
    from polymodal.core.models import Note, NoteAddendum
    from polymodal.core.services import privacy

    note = write(practice, staff["trainee"], case)
    with practice.work(staff["trainee"]) as work:
        notes.add_addendum(work, note.id, "Sleep diary attached.")
    with practice.work(staff["trainee"]) as work:
        assert notes.note_details(work, notes.read_note(work, note.id))["seal_problems"] == []
        assert list(seals.scan(work.db, practice.keys)) == []
    altered = {**CONTENT, "plan": "Discharged; no further sessions."}
    with without_triggers(practice.engine, "notes", "note_addenda") as conn:
        conn.execute(update(Note.__table__).where(Note.__table__.c.id == note.id).values(content=altered))
        conn.execute(update(NoteAddendum.__table__).values(text="Sleep diary lost."))
    with practice.work(staff["trainee"]) as work:
        shown = notes.read_note(work, note.id)
        assert shown.content["plan"] == "Discharged; no further sessions."  # shown as stored, but flagged:
        problems = notes.note_details(work, shown)["seal_problems"]
        assert len(problems) == 2 and "changed after it was signed" in problems[0]
        assert {b.record_type for b in seals.scan(work.db, practice.keys)} == {"note", "addendum"}
    with practice.work(staff["trainee"]) as work:
        exported = privacy.export_record(work, case.clients[0].client_id)
        assert len(exported["notes"][0]["seal_problems"]) == 2


def test_revision_0012_re_keys_an_existing_trail_and_reseals_existing_notes(practice, staff, case):
    """A database written before the key: downgrading puts the unkeyed hashes back, upgrading re-keys them."""
    from sqlalchemy import select

    from polymodal.core import audit, migrations, seals
    from polymodal.core.models import AuditEvent, Note, NoteAddendum, NoteCosignature

    note = write(practice, staff["trainee"], case)
    with practice.work(staff["trainee"]) as work:
        notes.add_addendum(work, note.id, "Sleep diary attached.")
    with practice.work(staff["super"]) as work:
        notes.cosign(work, note.id)
    migrations.downgrade(practice.engine, "0011", practice.keys)
    with practice.engine.connect() as conn:
        table = AuditEvent.__table__
        rows = conn.execute(select(*(c for c in table.c if c.name != "key_id")).order_by(table.c.seq)).all()
        prev = audit.GENESIS
        for row in rows:  # the chain as revision 0011 wrote and checked it
            assert row.prev_hash == prev and row.hash == audit.unkeyed_digest(prev, row)
            prev = row.hash
        legacy = conn.scalar(text("SELECT content_hash FROM notes WHERE status = 'signed'"))
        assert conn.scalar(text("SELECT note_hash FROM note_cosignatures")) == legacy
    migrations.upgrade(practice.engine, "head", practice.keys)
    with practice.work(staff["trainee"], write=False) as work:
        assert audit.verify(work.db).ok and len(rows) > 5
        assert list(seals.scan(work.db, practice.keys)) == []
        sealed = work.db.get(Note, note.id)
        assert sealed.content_key == practice.keys.current and sealed.content_hash != legacy
        assert work.db.scalar(select(NoteCosignature.note_hash)) == sealed.content_hash
        assert work.db.scalar(select(NoteAddendum.content_key)) == practice.keys.current
