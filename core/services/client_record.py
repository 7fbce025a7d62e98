"""Read-side queries behind client pages and day sheets: cases, sessions, attendees (columns only)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import uuid
from typing import Any, TypeVar

from sqlalchemy import bindparam, select

from polymodal.core.access import FilterShape, bound_client_filter, filter_shape, filter_values
from polymodal.core.db import connection_of
from polymodal.core.errors import Conflict, NotFound
from polymodal.core.models import Case, CaseClient, Client, Session, SessionClient
from polymodal.core.practice import Work
from polymodal.core.services import clients

T = TypeVar("T")


def one_of_client(work: Work, model: type[T], client_id: uuid.UUID, record_id: uuid.UUID, *, action: str,
                  record_type: str, missing: str) -> T:
    """One record of the client's, its reading audited as ``<record_type>.read``.

    Access is asked for the client named in the path first; a record of
    another client is then 'not found', never a hint that it exists.
    """
    work.require(action, client_id, record_type=record_type, record_id=record_id)
    record = work.db.get(model, record_id)
    if record is None or record.client_id != client_id:
        raise NotFound(missing)
    work.audit(f"{record_type}.read", record_type=record_type, record_id=record.id, client_id=client_id)
    return record


def cases_of(work: Work, client_id: uuid.UUID) -> list[Any]:
    work.require("client.read", client_id, record_type="case")
    rows = list(work.db.execute(
        select(Case.id, Case.title, Case.kind, Case.opened_on, Case.closed_on)
        .join(CaseClient, CaseClient.case_id == Case.id)
        .where(CaseClient.client_id == client_id).order_by(Case.opened_on.desc(), Case.title)
    ).all())
    work.audit("case.list", record_type="case", client_id=client_id)
    return rows


def sessions_of(work: Work, client_id: uuid.UUID, *, limit: int = 100) -> list[Any]:
    """The client's sessions, newest first: times, modality and status, no clinical content."""
    work.require("client.read", client_id, record_type="session")
    rows = list(work.db.execute(
        select(Session.id, Session.starts_at, Session.ends_at, Session.modality_key, Session.status,
               Session.delivery, Session.cancel_reason, Session.late)
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id)
        .order_by(Session.starts_at.desc()).limit(min(max(limit, 1), 500))
    ).all())
    work.audit("session.list", record_type="session", client_id=client_id)
    return rows


def require_clinical(work: Work, client_id: uuid.UUID) -> None:
    """For pages that show a clinical section before its own service exists: the same check."""
    work.require("clinical.read", client_id, record_type="client", record_id=client_id)


def attendees(work: Work, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """Clients of these sessions whom the actor may see, as (id, name) by session: one query for a day sheet.

    A client outside the actor's access is left out rather than named, so a
    shared session never reveals who else attends it.
    """
    if not session_ids:
        return {}
    work.require("schedule.read")
    rows = connection_of(work.db).execute(_attendees_statement(filter_shape(work.actor, "client.read")),
                                          {"ids": session_ids, **filter_values(work.actor, work.now)}).all()
    found: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    # By position, in the statement's column order: a row read by name costs five times as much.
    for session_id, client_id, preferred, first, last in rows:
        found.setdefault(session_id, []).append((client_id, f"{preferred or first} {last}"))
    return found


@functools.lru_cache(maxsize=64)
def _attendees_statement(readable: FilterShape) -> Any:
    # Built once per access shape, its values bound, as the calendar's are: built per page around 50 ids, its
    # cache key was computed again each time.
    return (select(SessionClient.session_id, Client.id, Client.preferred_name, Client.legal_first_name,
                   Client.legal_last_name)
            .join(Client, Client.id == SessionClient.client_id)
            .where(SessionClient.session_id.in_(bindparam("ids", expanding=True)), bound_client_filter(readable))
            .order_by(Client.search_key))


class StaleClient(Conflict):
    """The client's details changed since the editor loaded them; nothing was saved."""

    def __init__(self, current: dict[str, str], version: str) -> None:
        super().__init__("Someone else changed these details while you were editing. Nothing was saved.")
        self.current = current
        self.version = version


def editable_values(client: Client) -> dict[str, str]:
    return {name: "" if getattr(client, name) is None else str(getattr(client, name))
            for name in clients.ClientInput.model_fields}


def version_of(client: Client) -> str:
    """A fingerprint of the editable details: the edit form sends it back to detect a lost update."""
    payload = json.dumps(editable_values(client), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def update_client_if_unchanged(work: Work, client_id: uuid.UUID, data: dict[str, Any], version: str) -> Client:
    """``clients.update_client``, refused with ``StaleClient`` if someone saved in between."""
    # Lock the row (PostgreSQL; SQLite's write transaction already holds the database) so two
    # editors cannot both pass the check and the second silently overwrite the first.
    client = work.db.scalars(select(Client).where(Client.id == client_id).with_for_update()).first()
    if client is None:
        raise NotFound("no such client")
    work.require("client.update", client.id, record_type="client", record_id=client.id)
    current = version_of(client)
    if not hmac.compare_digest(current, version or ""):
        raise StaleClient(editable_values(client), current)
    return clients.update_client(work, client_id, data)


def modalities_of(work: Work, client_id: uuid.UUID) -> list[str]:
    """The modality keys of the client's sessions (what forms and consents to offer them)."""
    work.require("client.read", client_id, record_type="session")
    return sorted(work.db.scalars(
        select(Session.modality_key).distinct()
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id)
    ).all())
