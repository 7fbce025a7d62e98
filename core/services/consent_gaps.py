"""The sessions a client lacks a required consent for (``consent_gaps``), kept as the records change.

The dashboard lists them (``attention.consents_due``). A gap follows from three things, and every change to
one of them refreshes the gaps it moves, in its own transaction:

- a session's start and clients: booking and moving (``services.scheduling``);
- a client's consent state: signing, revoking, destroying (``services.consent.keep_state``, retention);
- what each modality requires, which the plugins say: ``sync``, on the app's first transaction.

On PostgreSQL a booking and a revocation for the same client could each refresh from what the other had not
committed yet, and the session would lack a gap. Every refresh runs in work that writes, which holds the audit
chain's lock from its start (``Practice.work``): the second refresh waits for the first and sees its commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, exists, insert, inspect, or_, select

from polymodal.core.audit import hold_chain
from polymodal.core.db import writer_of
from polymodal.core.models import ClientConsentState, ConsentGap, ConsentRequirement, Session, SessionClient

Needs = frozenset[tuple[str, str]]
COLUMNS = ("session_id", "client_id", "document_key", "starts_at")


def needs_of(registry: Any) -> Needs:
    """(modality, document) for every consent a modality offered here requires before its sessions."""
    return frozenset((m.key, key) for m in registry.modalities for key in m.consents_required)


def _fill(*where: Any) -> Any:
    """Insert the gaps among the (session, client, required document) that ``where`` selects: those no stored
    consent state covers at the session's start (``ClientConsentState.covered``)."""
    state, need = ClientConsentState, ConsentRequirement
    covered = exists().where(state.client_id == SessionClient.client_id, state.document_key == need.document_key,
                             or_(state.valid_until.is_(None), state.valid_until > Session.starts_at))
    lacking = (select(SessionClient.session_id, SessionClient.client_id, need.document_key, Session.starts_at)
               .join(Session, Session.id == SessionClient.session_id)
               .join(need, need.modality_key == Session.modality_key)
               .where(*where, ~covered))
    return insert(ConsentGap).from_select(COLUMNS, lacking)


_SESSIONS = bindparam("session_ids", expanding=True)
_FORGET_SESSIONS = delete(ConsentGap).where(ConsentGap.session_id.in_(_SESSIONS))
_FILL_SESSIONS = _fill(SessionClient.session_id.in_(_SESSIONS))
_DOCUMENTS = bindparam("document_keys", expanding=True)
_FORGET_CLIENT = delete(ConsentGap).where(ConsentGap.client_id == bindparam("client_id"),
                                          ConsentGap.document_key.in_(_DOCUMENTS))
_FILL_CLIENT = _fill(SessionClient.client_id == bindparam("client_id"), ConsentRequirement.document_key.in_(_DOCUMENTS))
_FORGET_CLIENT_ALL = delete(ConsentGap).where(ConsentGap.client_id == bindparam("client_id"))
_FILL_CLIENT_ALL = _fill(SessionClient.client_id == bindparam("client_id"))


def sessions_changed(conn: Connection, session_ids: Iterable[uuid.UUID]) -> None:
    """Booked or moved: the gaps of these sessions, computed again (the sessions and their clients flushed)."""
    ids = list(session_ids)
    conn.execute(_FORGET_SESSIONS, {"session_ids": ids})
    conn.execute(_FILL_SESSIONS, {"session_ids": ids})


def client_changed(conn: Connection, client_id: uuid.UUID, document_keys: Iterable[str] | None = None) -> None:
    """The client's consent state changed for these documents (every document: None): their gaps, over all the
    client's sessions, computed again."""
    if document_keys is None:
        conn.execute(_FORGET_CLIENT_ALL, {"client_id": client_id})
        conn.execute(_FILL_CLIENT_ALL, {"client_id": client_id})
    else:
        values = {"client_id": client_id, "document_keys": list(document_keys)}
        conn.execute(_FORGET_CLIENT, values)
        conn.execute(_FILL_CLIENT, values)


def sync(engine: Engine, needs: Needs) -> bool:
    """Store the requirements the plugins give that are not stored yet, with their gaps over every session.

    Run once per app, before its first transaction; False while the schema is not there yet (the caller tries
    again). Requirements are only added: a requirement another app on this database still has must keep its
    gaps, and one no plugin gives any more costs only its upkeep, since the dashboard reads the gaps of its own
    requirements alone."""
    with writer_of(engine).begin() as conn:
        if not inspect(conn).has_table(ConsentRequirement.__tablename__):
            return False
        hold_chain(conn)  # two processes starting at once: the second sees the first's rows
        stored = set(conn.execute(select(ConsentRequirement.modality_key, ConsentRequirement.document_key)).all())
        added = sorted(needs - stored)
        if added:
            conn.execute(insert(ConsentRequirement), [{"modality_key": m, "document_key": d} for m, d in added])
            for modality_key, document_key in added:
                conn.execute(_fill(Session.modality_key == modality_key,
                                   ConsentRequirement.document_key == document_key))
    return True
