"""sessions: the start index also holds status, modality and id, so a week's sessions are read from it alone

The dashboard's consents-due panel reads every upcoming session of the coming week (its status, modality and id
for the clients) and keeps the few some required consent is lacking for. Through an index on starts_at alone,
each of those sessions was one more read of its table row: at 1,000,000 sessions, about 1,700 a week; the
panel's statement took 15.0 ms of SQLite, cold, and takes 11.0 with this index (bench/statements.py --cold).
Queries on a range of starts_at use the new index as they used the old one.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_sessions_starts_status', 'sessions', ['starts_at', 'status', 'modality_key', 'id'],
                    unique=False)
    op.drop_index('ix_sessions_starts_at', table_name='sessions')


def downgrade() -> None:
    op.create_index('ix_sessions_starts_at', 'sessions', ['starts_at'], unique=False)
    op.drop_index('ix_sessions_starts_status', table_name='sessions')
