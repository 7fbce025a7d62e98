"""a practitioner's sessions by time: session_practitioners.starts_at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('session_practitioners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', polymodal.core.models._base.UTCDateTime(timezone=True),
                                      nullable=True))
    # Copied from each session; at 1,000,000 sessions this takes seconds on SQLite.
    op.execute("UPDATE session_practitioners SET starts_at = "
               "(SELECT sessions.starts_at FROM sessions WHERE sessions.id = session_practitioners.session_id)")
    with op.batch_alter_table('session_practitioners', schema=None) as batch_op:
        batch_op.alter_column('starts_at', existing_type=polymodal.core.models._base.UTCDateTime(timezone=True),
                              nullable=False)
        batch_op.drop_index(batch_op.f('ix_session_practitioners_user_id'))
        batch_op.create_index('ix_session_practitioners_user_starts', ['user_id', 'starts_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('session_practitioners', schema=None) as batch_op:
        batch_op.drop_index('ix_session_practitioners_user_starts')
        batch_op.create_index(batch_op.f('ix_session_practitioners_user_id'), ['user_id'], unique=False)
        batch_op.drop_column('starts_at')
