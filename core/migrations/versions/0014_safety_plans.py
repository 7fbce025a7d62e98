"""safety plans: versioned, never edited; a risk acknowledgement may name the version it relies on

Revision ID: 0014
Revises: 0015 (0015 landed first; 0014 was this change's number)
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base
from polymodal.core.migrations import integrity

revision: str = '0014'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('safety_plans',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('warning_signs', sa.Text(), nullable=False),
    sa.Column('coping_strategies', sa.Text(), nullable=False),
    sa.Column('social_distractions', sa.Text(), nullable=False),
    sa.Column('people_to_ask', sa.Text(), nullable=False),
    sa.Column('professionals', sa.Text(), nullable=False),
    sa.Column('safe_environment', sa.Text(), nullable=False),
    sa.Column('reasons_for_living', sa.Text(), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('written_by', sa.Uuid(), nullable=False),
    sa.Column('written_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_safety_plans_client_id_clients')),
    sa.ForeignKeyConstraint(['written_by'], ['users.id'], name=op.f('fk_safety_plans_written_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plans')),
    sa.UniqueConstraint('client_id', 'version', name=op.f('uq_safety_plans_client_id'))
    )
    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_plans_client_id'), ['client_id'], unique=False)

    with op.batch_alter_table('risk_acknowledgements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_plan_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_risk_acknowledgements_safety_plan_id_safety_plans'),
                                    'safety_plans', ['safety_plan_id'], ['id'])

    integrity.create(integrity.SAFETY_RULES)


def downgrade() -> None:
    integrity.drop(integrity.SAFETY_RULES)
    with op.batch_alter_table('risk_acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_acknowledgements_safety_plan_id_safety_plans'),
                                 type_='foreignkey')
        batch_op.drop_column('safety_plan_id')

    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_plans_client_id'))

    op.drop_table('safety_plans')
