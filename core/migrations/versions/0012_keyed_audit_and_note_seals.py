"""keyed audit chain and note seals: audit_events.key_id, notes.content_key, note_addenda.content_key

The audit chain and the content hashes of signed notes and addenda become
HMAC-SHA256 under a key kept outside the database (``polymodal.core.keys``).
Existing rows are re-keyed here, with the key ring the app would use (the
environment's, or the development key): the audit trail only if its unkeyed
chain still verifies, each note or addendum only if its unkeyed hash still
matches its text (a co-signature's copy of the note hash follows). Anything
that did not verify stays unkeyed, and ``polymodal audit verify`` names it:
re-keying it would launder a change. The append-only triggers are lifted for
the re-keying and put back in the same transaction. Downgrade puts the
unkeyed SHA-256 hashes back the same way.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 03:50:00
"""

import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base
from polymodal.core import audit, seals
from polymodal.core.keys import Keyring
from polymodal.core.migrations import integrity, keys_for_migration

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("polymodal")
UTC = polymodal.core.models._base.UTCDateTime(timezone=True)
JSON = polymodal.core.models._base.JSONType
LIFTED = tuple(rule for rule in integrity.RULES
               if rule[1] in ("audit_events", "notes", "note_addenda", "note_cosignatures"))

AUDIT = sa.table('audit_events', *(sa.column(n) for n in (
    'seq', 'actor_name', 'actor_role', 'action', 'record_type', 'record_id', 'outcome', 'reason', 'origin',
    'prev_hash', 'hash', 'key_id')), sa.column('at', UTC), sa.column('actor_id', sa.Uuid()),
    sa.column('client_id', sa.Uuid()))
NOTES = sa.table('notes', sa.column('id', sa.Uuid()), sa.column('template_key'), sa.column('template_version'),
                 sa.column('content', JSON), sa.column('author_id', sa.Uuid()), sa.column('signed_at', UTC),
                 sa.column('status'), sa.column('content_hash'), sa.column('content_key'))
ADDENDA = sa.table('note_addenda', sa.column('id', sa.Uuid()), sa.column('note_id', sa.Uuid()),
                   sa.column('author_id', sa.Uuid()), sa.column('text'), sa.column('content_hash'),
                   sa.column('content_key'))
COSIGNATURES = sa.table('note_cosignatures', sa.column('note_id', sa.Uuid()), sa.column('note_hash'))


def upgrade() -> None:
    op.add_column('audit_events', sa.Column('key_id', sa.String(length=40), nullable=True))
    op.add_column('notes', sa.Column('content_key', sa.String(length=40), nullable=True))
    op.add_column('note_addenda', sa.Column('content_key', sa.String(length=40), nullable=True))
    conn = op.get_bind()
    if not _any_rows(conn):
        return
    keys = keys_for_migration()
    integrity.drop(LIFTED)
    _rekey_trail(conn, keys)
    _reseal(conn, NOTES, lambda n: seals.legacy_note_hash(n) == n.content_hash,
            lambda n: (keys.current, seals.note_seal(keys, n)))
    _reseal(conn, ADDENDA, lambda a: seals.legacy_addendum_hash(a) == a.content_hash,
            lambda a: (keys.current, seals.addendum_seal(keys, a)))
    integrity.create(LIFTED)


def downgrade() -> None:
    conn = op.get_bind()
    if _any_rows(conn):
        keys = keys_for_migration()
        integrity.drop(LIFTED)
        rows = conn.execute(sa.select(AUDIT).order_by(AUDIT.c.seq)).all()
        if audit.verify_rows(keys, rows):
            _rechain(conn, rows, lambda prev, row: (None, audit.unkeyed_digest(prev, row)))
        _reseal(conn, NOTES, lambda n: n.content_key is not None and seals.note_problem(keys, n) is None,
                lambda n: (None, seals.legacy_note_hash(n)))
        _reseal(conn, ADDENDA, lambda a: a.content_key is not None and seals.addendum_problem(keys, a) is None,
                lambda a: (None, seals.legacy_addendum_hash(a)))
        integrity.create(LIFTED)
    op.drop_column('note_addenda', 'content_key')
    op.drop_column('notes', 'content_key')
    op.drop_column('audit_events', 'key_id')


def _any_rows(conn: sa.Connection) -> bool:
    return any(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() for t in (AUDIT, NOTES))


def _rekey_trail(conn: sa.Connection, keys: Keyring) -> None:
    rows = conn.execute(sa.select(AUDIT).order_by(AUDIT.c.seq)).all()
    prev = audit.GENESIS
    for row in rows:
        if row.prev_hash != prev or audit.unkeyed_digest(prev, row) != row.hash:
            log.warning("audit trail NOT re-keyed: event %s does not verify under the unkeyed chain; "
                        "'polymodal audit verify' lists what is wrong", row.seq)
            return
        prev = row.hash
    _rechain(conn, rows, lambda prev, row: (keys.current, audit.keyed_digest(keys, prev, row, keys.current)))


def _rechain(conn: sa.Connection, rows: list[Any], make: Callable[[str, Any], tuple[str | None, str]]) -> None:
    prev = audit.GENESIS
    for row in rows:
        key_id, digest = make(prev, row)
        conn.execute(sa.update(AUDIT).where(AUDIT.c.seq == row.seq).values(key_id=key_id, prev_hash=prev,
                                                                           hash=digest))
        prev = digest


def _reseal(conn: sa.Connection, table: sa.TableClause, holds: Callable[[Any], bool],
            make: Callable[[Any], tuple[str | None, str]]) -> None:
    stmt = sa.select(table)
    if table is NOTES:
        stmt = stmt.where(NOTES.c.status == 'signed')
    for row in conn.execute(stmt).all():
        if not holds(row):
            log.warning("%s %s left as it is: its hash does not match its text", table.name, row.id)
            continue
        key_id, digest = make(row)
        conn.execute(sa.update(table).where(table.c.id == row.id).values(content_key=key_id, content_hash=digest))
        if table is NOTES:
            conn.execute(sa.update(COSIGNATURES).where(COSIGNATURES.c.note_id == row.id,
                                                       COSIGNATURES.c.note_hash == row.content_hash)
                         .values(note_hash=digest))
