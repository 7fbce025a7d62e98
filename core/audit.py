"""Append to and verify the hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session as DbSession

from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it names the lock that serialises appends on PostgreSQL.
_PG_LOCK_ID = 0x706F6C79


def _digest(prev_hash: str, event: Any) -> str:
    """SHA-256 over the previous hash and the event's fields (an AuditEvent, or any object with them)."""
    fields = [
        event.seq,
        event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        str(event.actor_id) if event.actor_id else None,
        event.actor_name,
        event.actor_role,
        event.action,
        event.record_type,
        event.record_id,
        str(event.client_id) if event.client_id else None,
        event.outcome,
        event.reason,
        event.origin,
    ]
    payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class Pending:
    """An event not yet chained: its place (``seq``) and hashes are given when it is written."""

    actor: Actor
    action: str
    at: dt.datetime
    record_type: str = ""
    record_id: str | uuid.UUID = ""
    client_id: uuid.UUID | None = None
    outcome: str = "success"
    reason: str = ""


def append(
    db: DbSession,
    actor: Actor,
    action: str,
    *,
    at: dt.datetime,
    record_type: str = "",
    record_id: str | uuid.UUID = "",
    client_id: uuid.UUID | None = None,
    outcome: str = "success",
    reason: str = "",
) -> None:
    """Append one event inside the caller's transaction.

    ``reason`` is for short, non-clinical text (a denial reason, a
    break-the-glass justification); callers never pass note content.
    """
    chain(db, [Pending(actor, action, at, record_type, record_id, client_id, outcome, reason)])


def chain(db: DbSession, pending: list[Pending]) -> None:
    """Link ``pending`` to the end of the chain, in order, inside the caller's transaction.

    The caller's transaction must hold the write lock (BEGIN IMMEDIATE on
    SQLite); on PostgreSQL the advisory lock taken here serialises appends.
    Rows go in with one multi-row INSERT: a dashboard audits each client it lists.
    """
    if not pending:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
    last = db.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    rows = []
    for offset, p in enumerate(pending):
        row = SimpleNamespace(seq=seq + offset, at=p.at, actor_id=p.actor.user_id, actor_name=p.actor.username[:120],
                              actor_role=p.actor.role_label[:80], action=p.action[:80],
                              record_type=p.record_type[:40], record_id=str(p.record_id)[:64], client_id=p.client_id,
                              outcome=p.outcome, reason=_single_line(p.reason)[:500], origin=p.actor.origin[:100],
                              prev_hash=prev)
        row.hash = prev = _digest(prev, row)
        rows.append(vars(row))
    db.execute(insert(AuditEvent), rows)


class _Ticket:
    __slots__ = ("events", "settled", "error")

    def __init__(self, events: list[Pending]) -> None:
        self.events = events
        self.settled = False
        self.error: BaseException | None = None


class GroupCommit:
    """Writes the audit events of read-only work from many threads in shared transactions.

    A page that only reads must still leave its audit event on disk before the
    page is sent. Written one transaction per page, every read would queue for
    SQLite's single write lock and pay its own fsync. Here each caller queues
    its events and waits; whichever thread gets the flush lock writes
    everything queued so far in one transaction (one fsync, one lock), then
    the next waiter finds its events already written. ``write`` returns only
    once the caller's events are committed, and raises if they could not be.
    """

    def __init__(self, open_write: Callable[[], DbSession]) -> None:
        self._open_write = open_write
        self._queue: list[_Ticket] = []
        self._queue_lock = threading.Lock()
        self._flush_lock = threading.Lock()

    def write(self, events: list[Pending]) -> None:
        if not events:
            return
        ticket = _Ticket(events)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._flush_lock:
            if not ticket.settled:
                with self._queue_lock:
                    tickets, self._queue = self._queue, []
                self._flush(tickets)
                return
        if ticket.error is not None:
            raise RuntimeError("the audit events of this work could not be written") from ticket.error

    def _flush(self, tickets: list[_Ticket]) -> None:
        error: BaseException | None = None
        try:
            with self._open_write() as db:
                chain(db, [event for t in tickets for event in t.events])
                db.commit()
        except BaseException as exc:
            error = exc
            raise
        finally:
            # Settled either way: a waiter whose events failed must not believe them written.
            for t in tickets:
                t.error, t.settled = error, True


def _single_line(value: str) -> str:
    # Log injection: a reason can never fake a second event in a text export.
    return " ".join(value.split())


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    detail: str


@dataclass(frozen=True)
class Verification:
    events: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: DbSession, batch: int = 5000) -> Verification:
    """Walk the chain in order; report every row whose hash or link does not hold.

    Detects an edited row (its hash no longer matches its fields), a deleted
    or inserted row (a gap in ``seq`` or a broken link) and reordered rows
    (``seq`` is hashed). Deleting the newest rows leaves a shorter valid
    chain: record the printed head elsewhere to detect that.
    """
    problems: list[Problem] = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = db.execute(
            select(AuditEvent.__table__).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            count += 1
            if event.seq != expected_seq:
                kind = "deleted" if event.seq > expected_seq else "inserted"
                problems.append(Problem(event.seq, kind, f"expected event {expected_seq}, found {event.seq}"))
            if event.prev_hash != prev_hash:
                problems.append(Problem(event.seq, "relinked", "does not link to the event before it"))
            if _digest(event.prev_hash, event) != event.hash:
                problems.append(Problem(event.seq, "altered", "fields do not match the stored hash"))
            prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
    return Verification(count, last_seq, prev_hash, tuple(problems))
