"""Append to and verify the hash-chained audit trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session as DbSession

from polymodal.core.access import Actor
from polymodal.core.errors import PolymodalError
from polymodal.core.keys import SESSION_INFO, Keyring
from polymodal.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it names the lock that serialises appends on PostgreSQL.
_PG_LOCK_ID = 0x706F6C79
CHAIN = "audit-chain"
CHECKPOINT = "audit-checkpoint"
# Built once: every page appends, and building a statement (and its cache key) per append cost more than
# running it. Executed on the Connection, not through the ORM, which adds nothing to an INSERT of plain rows.
_EVENTS = AuditEvent.__table__
_LAST = select(_EVENTS.c.seq, _EVENTS.c.hash).order_by(_EVENTS.c.seq.desc()).limit(1)
_INSERT = _EVENTS.insert()
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:id)")
_HELD_IN = "polymodal.audit_chain_held_in"  # the transaction of this connection that holds the lock


def _fields(event: Any) -> list[Any]:
    return [
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


def _message(prev_hash: str, event: Any, key_id: str) -> bytes:
    """What the keyed hash covers: the previous hash, the key id and every field but ``seq``.

    ``seq`` is only the row's place; the links fix the order, so a renumbered
    run of genuine rows still verifies and an inserted row is named alone.
    """
    payload = json.dumps([key_id, *_fields(event)], separators=(",", ":"), ensure_ascii=True)
    return f"{prev_hash}|{payload}".encode()


def keyed_digest(keys: Keyring, prev_hash: str, event: Any, key_id: str) -> str | None:
    """The keyed hash of ``event`` after ``prev_hash`` under ``key_id``; None if the ring lacks that key."""
    return keys.mac(CHAIN, _message(prev_hash, event, key_id), key_id)


def unkeyed_digest(prev_hash: str, event: Any) -> str:
    """The chain's hash before it was keyed (revision 0012): plain SHA-256, which anyone can recompute."""
    payload = json.dumps([event.seq, *_fields(event)], separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def keyring_of(db: DbSession, keys: Keyring | None = None) -> Keyring:
    """``keys``, else the ring the practice put on its sessions; a session without one cannot write the trail."""
    found = keys or db.info.get(SESSION_INFO)
    if found is None:
        raise RuntimeError("this database session carries no audit key: open it through Practice, or pass keys")
    return found


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
    keys: Keyring | None = None,
) -> None:
    """Append one event inside the caller's transaction.

    ``reason`` is for short, non-clinical text (a denial reason, a
    break-the-glass justification); callers never pass note content.
    """
    chain(db, [Pending(actor, action, at, record_type, record_id, client_id, outcome, reason)], keys)


def chain(db: DbSession, pending: list[Pending], keys: Keyring | None = None) -> None:
    """Link ``pending`` to the end of the chain, in order, inside the caller's transaction.

    The caller's transaction must hold the write lock (BEGIN IMMEDIATE on
    SQLite); on PostgreSQL the advisory lock taken here serialises appends.
    Rows go in with one multi-row INSERT: a dashboard audits each client it lists.
    """
    if pending:
        chain_on(db.connection(), pending, keyring_of(db, keys))


def hold_chain(conn: Connection) -> None:
    """Hold the chain's lock until the transaction ends (PostgreSQL; on SQLite the write lock already is one).

    Every transaction that changes a record audits, so holding this lock orders it with every other such
    transaction: a statement run after taking it sees what all the others committed. Work that writes takes
    it as it begins (``Practice.work``), before any row lock, so no two writers wait for each other in
    opposite orders. Asked again in the same transaction, it costs no statement."""
    if conn.dialect.name != "postgresql":
        return
    transaction = conn.get_transaction()
    if transaction is None or conn.info.get(_HELD_IN) is not transaction:
        conn.execute(_PG_LOCK, {"id": _PG_LOCK_ID})
        conn.info[_HELD_IN] = conn.get_transaction()


def chain_on(conn: Connection, pending: list[Pending], keys: Keyring) -> None:
    """``chain`` on a connection whose transaction holds the write lock."""
    hold_chain(conn)
    last = conn.execute(_LAST).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    rows = []
    for offset, p in enumerate(pending):
        row = SimpleNamespace(seq=seq + offset, at=p.at, actor_id=p.actor.user_id, actor_name=p.actor.username[:120],
                              actor_role=p.actor.role_label[:80], action=p.action[:80],
                              record_type=p.record_type[:40], record_id=str(p.record_id)[:64], client_id=p.client_id,
                              outcome=p.outcome, reason=_single_line(p.reason)[:500], origin=p.actor.origin[:100],
                              prev_hash=prev, key_id=keys.current)
        row.hash = prev = keyed_digest(keys, prev, row, keys.current)
        rows.append(vars(row))
    conn.execute(_INSERT, rows)


class _Ticket:
    __slots__ = ("events", "settled", "error", "future")

    def __init__(self, events: list[Pending], future: Future[None] | None = None) -> None:
        self.events = events
        self.settled = False
        self.error: BaseException | None = None
        self.future = future


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

    WRITER_IDLE_SECONDS = 2.0
    """How long the writer thread of ``submit`` waits for more events before it ends (a new one starts)."""

    def __init__(self, begin_write: Callable[[], AbstractContextManager[Connection]], keys: Keyring) -> None:
        self._begin_write = begin_write
        self._keys = keys
        self._queue: list[_Ticket] = []
        self._queue_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._submitted = threading.Condition(self._queue_lock)
        self._writer: threading.Thread | None = None

    def submit(self, events: list[Pending]) -> Future[None]:
        """Queue ``events`` for a writer thread of this log's own: the future settles once they are committed.

        For a caller that must not wait in its own thread (a page on the event loop): every event submitted
        while the writer commits goes into its next transaction, so under load one commit serves many pages.
        """
        future: Future[None] = Future()
        with self._queue_lock:
            self._queue.append(_Ticket(events, future))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_submitted, name="polymodal-audit", daemon=True)
                self._writer.start()
            self._submitted.notify()
        return future

    def _write_submitted(self) -> None:
        while True:
            with self._queue_lock:
                if not self._queue and not self._submitted.wait_for(lambda: self._queue, self.WRITER_IDLE_SECONDS):
                    self._writer = None
                    return
            with self._flush_lock:
                with self._queue_lock:
                    tickets, self._queue = self._queue, []
                if tickets:
                    try:
                        self._flush(tickets)
                    except BaseException:  # noqa: S110 - each ticket's future carries the error to its page
                        pass

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
            with self._begin_write() as conn:  # committed when the block ends
                chain_on(conn, [event for t in tickets for event in t.events], self._keys)
        except BaseException as exc:
            error = exc
            raise
        finally:
            # Settled either way: a waiter whose events failed must not believe them written.
            for t in tickets:
                t.error, t.settled = error, True
                if t.future is not None:
                    if error is None:
                        t.future.set_result(None)
                    else:
                        t.future.set_exception(RuntimeError("the audit events of this work could not be written"))


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
    checkpoint: Checkpoint | None = None
    """The checkpoint the trail was also checked against, if one was given."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(db: DbSession, batch: int) -> Iterator[Any]:
    last = 0
    while True:
        rows = db.execute(
            select(AuditEvent.__table__).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _unsigned(keys: Keyring, event: Any) -> tuple[str, str] | None:
    """Why ``event``'s own hash does not hold under the key ring, as (kind, detail); None if it holds."""
    if not event.key_id:
        return "unkeyed", "written before the chain was keyed and never re-keyed: anyone could have made it"
    expected = keyed_digest(keys, event.prev_hash, event, event.key_id)
    if expected is None:
        return "unknown key", f"written with key {event.key_id!r}, which is not in the key ring"
    if hmac.compare_digest(expected, event.hash):
        return None
    if event.hash in (unkeyed_digest(event.prev_hash, event),
                      hashlib.sha256(_message(event.prev_hash, event, event.key_id)).hexdigest()):
        return "re-hashed", "its hash was recomputed without the key: the row was changed"
    return "altered", "its fields or hash do not match its keyed hash: edited, or written without the key"


def verify(db: DbSession, keys: Keyring | None = None, *, checkpoint: Checkpoint | None = None,
           batch: int = 5000) -> Verification:
    """Walk the chain in order; report each row whose keyed hash or link does not hold, and what happened.

    Kinds: ``altered`` or ``re-hashed`` (a row's fields or hash changed),
    ``deleted`` (a gap before a row), ``inserted`` (a row not written with the
    key that the next row links past), ``reordered`` (a genuine row that does
    not follow the row before it), ``unkeyed`` / ``unknown key``. Cutting the
    newest rows leaves a shorter valid chain: only a ``checkpoint`` of the head
    written earlier (``write_checkpoint``) shows that (``truncated``).
    """
    keys = keyring_of(db, keys)
    problems: list[Problem] = []
    prev_hash, expected_seq, count, head_seq = GENESIS, 1, 0, 0
    previous_sound, hash_at_checkpoint = True, None
    for event, following in pairwise(itertools.chain(_rows(db, batch), [None])):
        count += 1
        linked = event.prev_hash == prev_hash
        if event.seq > expected_seq and not linked:
            missing = f"event {expected_seq}" if event.seq == expected_seq + 1 else \
                f"events {expected_seq}-{event.seq - 1}"
            problems.append(Problem(event.seq, "deleted", f"{missing} missing before it"))
        elif event.seq != expected_seq:
            problems.append(Problem(event.seq, "renumbered", f"expected event {expected_seq} here"))
        unsigned = _unsigned(keys, event)
        if unsigned and linked and following is not None and following.prev_hash == prev_hash:
            # The next row still links to the row before this one: this one was slipped in between.
            problems.append(Problem(event.seq, "inserted", "not written with the key; the next event skips it"))
            expected_seq, count = event.seq + 1, count - 1
            continue
        if unsigned:
            problems.append(Problem(event.seq, *unsigned))
        elif not linked and previous_sound and event.seq == expected_seq:
            problems.append(Problem(event.seq, "reordered",
                                    "a genuine event out of its place: it does not follow the event before it"))
        previous_sound = unsigned is None
        prev_hash, expected_seq, head_seq = event.hash, event.seq + 1, event.seq
        if checkpoint is not None and event.seq == checkpoint.seq:
            hash_at_checkpoint = event.hash
    if checkpoint is not None:
        problems.extend(_against(keys, checkpoint, head_seq, hash_at_checkpoint))
    return Verification(count, head_seq, prev_hash, tuple(problems), checkpoint)


# --- checkpoints: the head, signed, kept where the database's writer cannot reach ---------------------------

CHECKPOINT_FORMAT = "polymodal-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed with the key: proof of how long the trail was."""

    seq: int
    hash: str
    at: str
    key_id: str
    mac: str = ""

    def body(self) -> bytes:
        return json.dumps({"format": CHECKPOINT_FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at,
                           "key_id": self.key_id}, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        return json.dumps({"format": CHECKPOINT_FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at,
                           "key_id": self.key_id, "hmac": self.mac}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> Checkpoint:
        try:
            data = json.loads(text)
            if data.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(f"not a {CHECKPOINT_FORMAT} file")
            return cls(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["key_id"]), str(data["hmac"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CheckpointUnreadable(f"{source} is not an audit checkpoint: {exc}") from exc


class CheckpointUnreadable(PolymodalError):
    """The checkpoint file is missing or malformed."""


def sign_checkpoint(keys: Keyring, verification: Verification, at: dt.datetime) -> Checkpoint:
    unsigned = Checkpoint(verification.head_seq, verification.head_hash,
                          at.astimezone(dt.UTC).isoformat(timespec="seconds"), keys.current)
    return dataclasses.replace(unsigned, mac=keys.mac(CHECKPOINT, unsigned.body()) or "")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> Path:
    """Write to ``path``, or into it as ``audit-checkpoint-<seq>-<time>.json`` when it is a folder."""
    if path.is_dir():
        stamp = checkpoint.at.replace(":", "").replace("-", "").replace("+0000", "Z")
        path = path / f"audit-checkpoint-{checkpoint.seq:012d}-{stamp}.json"
    partial = path.with_name(path.name + ".partial")
    partial.write_text(checkpoint.to_json())
    os.replace(partial, path)  # a reader never sees half a checkpoint
    return path


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in ``path``; for a folder, the one of its checkpoints with the latest head."""
    if path.is_dir():
        found = [Checkpoint.from_json(p.read_text(), str(p)) for p in sorted(path.glob("audit-checkpoint-*.json"))]
        if not found:
            raise CheckpointUnreadable(f"{path} holds no audit-checkpoint-*.json file")
        return max(found, key=lambda c: (c.seq, c.at))
    try:
        return Checkpoint.from_json(path.read_text(), str(path))
    except OSError as exc:
        raise CheckpointUnreadable(f"cannot read {path}: {exc.strerror}") from exc


def _against(keys: Keyring, checkpoint: Checkpoint, head_seq: int, hash_there: str | None) -> list[Problem]:
    if not keys.holds(CHECKPOINT, checkpoint.body(), checkpoint.key_id, checkpoint.mac):
        return [Problem(checkpoint.seq, "checkpoint", "the checkpoint's signature does not hold under this key "
                                                      "ring: it was altered, or made with another key")]
    if head_seq < checkpoint.seq:
        gone = f"event {checkpoint.seq}" if head_seq + 1 == checkpoint.seq else \
            f"events {head_seq + 1}-{checkpoint.seq}"
        return [Problem(checkpoint.seq, "truncated", f"the trail ends at event {head_seq} but the checkpoint of "
                                                     f"{checkpoint.at} saw event {checkpoint.seq}: {gone} removed")]
    if hash_there != checkpoint.hash:
        return [Problem(checkpoint.seq, "rewritten", f"event {checkpoint.seq} is not the one the checkpoint of "
                                                     f"{checkpoint.at} saw: the trail up to it was replaced")]
    return []


def verify_rows(keys: Keyring, rows: list[Any]) -> bool:
    """Whether ``rows`` (in order) form an intact keyed chain from the start (for migrations)."""
    prev = GENESIS
    for row in rows:
        if row.prev_hash != prev or _unsigned(keys, row) is not None:
            return False
        prev = row.hash
    return True
