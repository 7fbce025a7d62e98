"""retention: legal holds, destruction tombstones, deletes of fixed records allowed to a destruction

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import polymodal.core.models._base
from polymodal.core.migrations import integrity

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('legal_holds',
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('placed_by', sa.Uuid(), nullable=True),
    sa.Column('placed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_by', sa.Uuid(), nullable=True),
    sa.Column('lifted_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lift_reason', sa.String(length=1000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('(client_id IS NULL) <> (case_id IS NULL)', name=op.f('ck_legal_holds_one_target')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_holds_case_id_cases')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_legal_holds_client_id_clients')),
    sa.ForeignKeyConstraint(['lifted_by'], ['users.id'], name=op.f('fk_legal_holds_lifted_by_users')),
    sa.ForeignKeyConstraint(['placed_by'], ['users.id'], name=op.f('fk_legal_holds_placed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_holds_client_id'), ['client_id'], unique=False)

    op.create_table('retention_destructions',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('rule_key', sa.String(length=20), nullable=False),
    sa.Column('rule_summary', sa.String(length=500), nullable=False),
    sa.Column('last_contact_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('destroyed', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('destroyed_by', sa.Uuid(), nullable=True),
    sa.Column('destroyed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_retention_destructions_client_id_clients')),
    sa.ForeignKeyConstraint(['destroyed_by'], ['users.id'], name=op.f('fk_retention_destructions_destroyed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_destructions'))
    )
    with op.batch_alter_table('retention_destructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_destructions_client_id'), ['client_id'], unique=False)

    integrity.create(integrity.RETENTION_RULES)
    integrity.gate_deletes_on_destruction()


def downgrade() -> None:
    integrity.ungate_deletes()
    integrity.drop(integrity.RETENTION_RULES)
    with op.batch_alter_table('retention_destructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_destructions_client_id'))

    op.drop_table('retention_destructions')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_client_id'))
        batch_op.drop_index(batch_op.f('ix_legal_holds_case_id'))

    op.drop_table('legal_holds')
