"""Set-up for API tests: tokens made through the token service, notes written and signed by their author."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.interop import tokens
from polymodal.core.models import CaseClient, Note, User
from polymodal.core.services import notes
from polymodal.core.testing import sample_content


def user_actor(practice, username: str) -> Actor:
    with practice.work(Actor.system("test"), write=False) as work:
        return Actor.of(work.db.scalars(select(User).where(User.username == username)).one())


def token_for(practice, username: str, scopes: tuple[str, ...] = ("read",), days: int = 30) -> str:
    """A personal token of ``username``'s, made as that user would on their profile page."""
    with practice.work(user_actor(practice, username)) as work:
        return tokens.create_personal_token(work, f"test {username}", list(scopes), days)[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def signed_note(practice, client_id: str | uuid.UUID, author: str, *, process_note: bool = False) -> Note:
    """A note of the client's first case, written and signed by ``author``."""
    actor = user_actor(practice, author)
    with practice.work(actor) as work:
        case_id = work.db.scalars(select(CaseClient.case_id).where(CaseClient.client_id == uuid.UUID(str(client_id)))).first()
        template = template_of(work, actor, process_note=process_note)
        note = notes.start_note(work, case_id, template.key)
        content = sample_content(template)
        for section in template.sections:  # no regions treated: a body map needs the client's touch consent
            for field in section.fields or ():
                if field.type == "body_map":
                    content[section.key][field.key] = {}
        notes.save_draft(work, note.id, content, note.revision)
        return notes.sign_note(work, note.id)


def template_of(work, actor: Actor, *, process_note: bool = False):
    """A note template of a modality in ``actor``'s discipline: a discipline's notes are its practitioners'."""
    mine = {m.key for m in work.registry.modalities if m.discipline in actor.disciplines}
    fitting = [t for t in work.registry.note_templates if t.psychotherapy_note == process_note
               and set(t.modalities) & mine]
    # A therapist's note is a talk/psychotherapy one, as the API tests expect; others their discipline's first.
    return next((t for t in fitting if "talk/psychotherapy" in t.modalities), fitting[0])
