"""second factor and password state: sign_in_factors, pending_sign_ins

TOTP secrets, recovery code hashes and "must change password" per user, and
the short-lived record of a sign-in whose password was right but whose second
step is not done yet. New tables only, so downgrade is a drop on every database.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = polymodal.core.models._base.UTCDateTime(timezone=True)
JSON = polymodal.core.models._base.JSONType


def upgrade() -> None:
    op.create_table(
        'sign_in_factors',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('totp_secret', sa.String(length=64), nullable=False),
        sa.Column('totp_confirmed_at', UTC, nullable=True),
        sa.Column('totp_last_step', sa.Integer(), nullable=False),
        sa.Column('totp_required', sa.Boolean(), nullable=False),
        sa.Column('recovery_codes', JSON, nullable=False),
        sa.Column('must_change_password', sa.Boolean(), nullable=False),
        sa.Column('password_changed_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_factors_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_sign_in_factors')),
    )
    op.create_table(
        'pending_sign_ins',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('expires_at', UTC, nullable=False),
        sa.Column('next_path', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_sign_ins_user_id_users')),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_pending_sign_ins')),
    )
    op.create_index(op.f('ix_pending_sign_ins_user_id'), 'pending_sign_ins', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pending_sign_ins_user_id'), table_name='pending_sign_ins')
    op.drop_table('pending_sign_ins')
    op.drop_table('sign_in_factors')
