"""audit page: keyset indexes on (at, seq), alone and after person, action and client

The center-wide audit page lists events newest first by (at, seq) and pages by keyset. The 0009 indexes
ordered by seq within person and action, and by at alone, so a filtered page sorted every matching event
before taking 50; a client's events had an index on client_id only. These four read a page in order.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = (('ix_audit_events_at_seq', ['at', 'seq']),
       ('ix_audit_events_actor_at_seq', ['actor_id', 'at', 'seq']),
       ('ix_audit_events_action_at_seq', ['action', 'at', 'seq']),
       ('ix_audit_events_client_at_seq', ['client_id', 'at', 'seq']))
OLD = (('ix_audit_events_actor_seq', ['actor_id', 'seq']),
       ('ix_audit_events_action_seq', ['action', 'seq']),
       ('ix_audit_events_at', ['at']),
       ('ix_audit_events_client_id', ['client_id']))


# Plain index operations, not batch mode: SQLite's batch mode may copy the table, which would drop the
# integrity triggers that keep audit rows from being changed.
def upgrade() -> None:
    for name, columns in NEW:
        op.create_index(name, 'audit_events', columns, unique=False)
    for name, _columns in OLD:
        op.drop_index(name, table_name='audit_events')


def downgrade() -> None:
    for name, columns in OLD:
        op.create_index(name, 'audit_events', columns, unique=False)
    for name, _columns in NEW:
        op.drop_index(name, table_name='audit_events')
