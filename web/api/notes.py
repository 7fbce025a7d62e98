"""/api/v1/clients/{client_id}/notes: signed notes only; psychotherapy (process) notes never."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import NoteList, NoteOut


class NotesApi(Controller):
    path = "/clients/{client_id:uuid}/notes"
    tags = ["notes"]

    @get("/", opt={"action": "clinical.read"}, sync_to_thread=True)
    def notes(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID]) -> NoteList:
        """Signed notes this token's user may read (visibility rules as on the pages)."""
        with practice.work(actor, write=False) as work:
            return listing(records.notes_of(work, client_id))

    @get("/{note_id:uuid}", opt={"action": "clinical.read"}, sync_to_thread=True)
    def note(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             client_id: FromPath[uuid.UUID], note_id: FromPath[uuid.UUID]) -> NoteOut:
        with practice.work(actor, write=False) as work:
            return records.one_note(work, client_id, note_id)
