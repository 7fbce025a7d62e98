"""Keyed seals on signed clinical text: a note or addendum changed in the database no longer matches its seal.

A signed note's row is locked by a trigger, but whoever can write the database
can drop the trigger. The seal is an HMAC (key from ``polymodal.core.keys``,
never in the database) over what was signed; it is checked whenever the note is
shown or exported and by ``polymodal audit verify``, so an altered note is
flagged instead of shown as if it were the signed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from polymodal.core.keys import Keyring
from polymodal.core.models import Note, NoteAddendum

NOTE = "note-content"
ADDENDUM = "note-addendum"


def _plain(value: Any) -> Any:
    # PostgreSQL's JSONB gives 2.0 back as 2.0 but 1e2 as 100: whole floats are sealed as integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _note_message(note: Any) -> bytes:
    signed_at = note.signed_at.astimezone(dt.UTC).isoformat() if note.signed_at else None
    return json.dumps({"template": [note.template_key, note.template_version], "content": _plain(note.content),
                       "author": str(note.author_id), "signed_at": signed_at},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _addendum_message(addendum: Any) -> bytes:
    return json.dumps([str(addendum.note_id), str(addendum.author_id), addendum.text],
                      separators=(",", ":"), ensure_ascii=True).encode()


def note_seal(keys: Keyring, note: Any) -> str:
    """The seal of a signed note under the current key: its content, template, author and signing time."""
    return keys.mac(NOTE, _note_message(note)) or ""


def addendum_seal(keys: Keyring, addendum: Any) -> str:
    return keys.mac(ADDENDUM, _addendum_message(addendum)) or ""


def seal_note(keys: Keyring, note: Note) -> None:
    note.content_key, note.content_hash = keys.current, note_seal(keys, note)


def seal_addendum(keys: Keyring, addendum: NoteAddendum) -> None:
    addendum.content_key, addendum.content_hash = keys.current, addendum_seal(keys, addendum)


def note_problem(keys: Keyring, note: Any) -> str | None:
    """Why a signed note's seal fails, for the reader; None when it holds (or for a draft, which has none)."""
    if note.status != "signed":
        return None
    return _problem(keys, NOTE, _note_message(note), note.content_key, note.content_hash)


def addendum_problem(keys: Keyring, addendum: Any) -> str | None:
    return _problem(keys, ADDENDUM, _addendum_message(addendum), addendum.content_key, addendum.content_hash)


def _problem(keys: Keyring, purpose: str, message: bytes, key_id: str | None, seal: str | None) -> str | None:
    if not key_id:
        return "it was never sealed with the key"
    if keys.subkey(purpose, key_id) is None:
        return f"it was sealed with key {key_id!r}, which is not in the key ring"
    if keys.holds(purpose, message, key_id, seal):
        return None
    return "its text no longer matches its seal: it was changed after it was signed"


def legacy_note_hash(note: Any) -> str:
    """The unkeyed SHA-256 notes carried before revision 0012 (re-sealed by that migration when it holds)."""
    return hashlib.sha256(json.dumps({"template": [note.template_key, note.template_version],
                                      "content": note.content, "author": note.author_id,
                                      "signed_at": note.signed_at.isoformat()},
                                     sort_keys=True, default=str).encode()).hexdigest()


def legacy_addendum_hash(addendum: Any) -> str:
    return hashlib.sha256(json.dumps([str(addendum.note_id), addendum.text.strip()],
                                     sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Broken:
    record_type: str
    record_id: str
    detail: str


def scan(db: DbSession, keys: Keyring, batch: int = 2000) -> Iterator[Broken]:
    """Every signed note and addendum whose seal fails (for ``polymodal audit verify``)."""
    for model, kind, check in ((Note, "note", note_problem), (NoteAddendum, "addendum", addendum_problem)):
        stmt = select(model).order_by(model.id)
        if model is Note:
            stmt = stmt.where(Note.status == "signed")
        last = None
        while True:
            rows = db.scalars(stmt.where(model.id > last).limit(batch) if last else stmt.limit(batch)).all()
            if not rows:
                break
            for row in rows:
                problem = check(keys, row)
                if problem:
                    yield Broken(kind, str(row.id), problem)
            last = rows[-1].id
