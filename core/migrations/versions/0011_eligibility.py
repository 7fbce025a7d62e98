"""eligibility: clearances, overrides, risk acknowledgements, session checks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 23:40:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate writes Text() inside JSONB)

import polymodal.core.models._base  # noqa: F401

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('clearances',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('techniques', sa.String(length=500), nullable=False),
    sa.Column('cleared_by_name', sa.String(length=200), nullable=False),
    sa.Column('cleared_by_profession', sa.String(length=120), nullable=False),
    sa.Column('cleared_by_licence', sa.String(length=120), nullable=False),
    sa.Column('cleared_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_clearances_client_id_clients')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_clearances_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearances'))
    )
    with op.batch_alter_table('clearances', schema=None) as batch_op:
        batch_op.create_index('ix_clearances_client_modality', ['client_id', 'modality_key'], unique=False)

    op.create_table('risk_acknowledgements',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('acknowledged_by', sa.Uuid(), nullable=False),
    sa.Column('acknowledged_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_risk_acknowledgements_acknowledged_by_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_risk_acknowledgements_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_acknowledgements'))
    )
    with op.batch_alter_table('risk_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_acknowledgements_client_id'), ['client_id'], unique=False)

    op.create_table('eligibility_overrides',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('overridden_by', sa.Uuid(), nullable=False),
    sa.Column('overridden_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_eligibility_overrides_client_id_clients')),
    sa.ForeignKeyConstraint(['overridden_by'], ['users.id'], name=op.f('fk_eligibility_overrides_overridden_by_users')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_eligibility_overrides_session_id_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_overrides'))
    )
    with op.batch_alter_table('eligibility_overrides', schema=None) as batch_op:
        batch_op.create_index('ix_eligibility_overrides_client_modality', ['client_id', 'modality_key'], unique=False)

    op.create_table('session_checks',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('checked_by', sa.Uuid(), nullable=True),
    sa.Column('checked_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['checked_by'], ['users.id'], name=op.f('fk_session_checks_checked_by_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_session_checks_client_id_clients')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_checks_session_id_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_checks'))
    )
    with op.batch_alter_table('session_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_checks_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('form_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reviewed_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_form_responses_reviewed_by_users'), 'users', ['reviewed_by'], ['id'])

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_clearance', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('pending_clearance')

    with op.batch_alter_table('form_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_responses_reviewed_by_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('review')

    with op.batch_alter_table('session_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_checks_session_id'))

    op.drop_table('session_checks')
    with op.batch_alter_table('eligibility_overrides', schema=None) as batch_op:
        batch_op.drop_index('ix_eligibility_overrides_client_modality')

    op.drop_table('eligibility_overrides')
    with op.batch_alter_table('risk_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_acknowledgements_client_id'))

    op.drop_table('risk_acknowledgements')
    with op.batch_alter_table('clearances', schema=None) as batch_op:
        batch_op.drop_index('ix_clearances_client_modality')

    op.drop_table('clearances')
