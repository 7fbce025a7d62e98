"""consent gaps: the sessions a client lacks a required consent for, kept as rows for the dashboard

The dashboard's consents-due panel tested every upcoming session of the week against its clients' consent
states: about 1,700 sessions at 1,000,000, 10.8 ms of SQLite (cold) to find 27. ``consent_gaps`` holds
those findings, kept by every change that moves one; ``consent_requirements`` holds the rule they are kept
by, which the plugins give. Both start empty: the app's first transaction fills the requirements from the
plugins and the gaps from every session (``services.consent_gaps.sync``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consent_requirements',
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('document_key', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('modality_key', 'document_key', name=op.f('pk_consent_requirements')),
    )
    op.create_table('consent_gaps',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('document_key', sa.String(length=120), nullable=False),
    sa.Column('starts_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_consent_gaps_client_id_clients')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_consent_gaps_session_id_sessions')),
    sa.PrimaryKeyConstraint('session_id', 'client_id', 'document_key', name=op.f('pk_consent_gaps')),
    )
    with op.batch_alter_table('consent_gaps', schema=None) as batch_op:
        batch_op.create_index('ix_consent_gaps_starts_at', ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_gaps_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consent_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_gaps_client_id'))
        batch_op.drop_index('ix_consent_gaps_starts_at')
    op.drop_table('consent_gaps')
    op.drop_table('consent_requirements')
