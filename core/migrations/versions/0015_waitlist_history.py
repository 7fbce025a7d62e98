"""waitlist history: who added an entry, and who closed it (booked or removed), when and why

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base

revision: str = '0015'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', polymodal.core.models._base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('closed_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('close_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_waitlist_entries_added_by_users'), 'users', ['added_by'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_waitlist_entries_closed_by_users'), 'users', ['closed_by'],
                                    ['id'])
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.alter_column('close_reason', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_waitlist_entries_closed_by_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_waitlist_entries_added_by_users'), type_='foreignkey')
        batch_op.drop_column('close_reason')
        batch_op.drop_column('closed_by')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('added_by')
