"""client consent states: where each client stands with each consent document, for the dashboard

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 09:45:00

Filled from the consent records by the same rule as ``services.consent.keep_state``: a signature is in
force until its expiry or revocation, whichever comes first; ``valid_until`` is the latest such end over
the document's signatures, NULL while one with no end stands. The newest signature (by time, then id)
gives the version and whether it was revoked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import polymodal.core.models._base

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('client_consent_states',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('document_key', sa.String(length=120), nullable=False),
    sa.Column('valid_until', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('document_version', sa.Integer(), nullable=False),
    sa.Column('signed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'],
                            name=op.f('fk_client_consent_states_client_id_clients')),
    sa.PrimaryKeyConstraint('client_id', 'document_key', name=op.f('pk_client_consent_states')),
    sqlite_with_rowid=False,  # the rows in the primary key's tree: the dashboard's probe is one search
    )
    op.execute("""
        INSERT INTO client_consent_states
            (client_id, document_key, valid_until, state, document_version, signed_at, updated_at)
        SELECT c.client_id, c.document_key,
               CASE WHEN SUM(CASE WHEN c.expires_at IS NULL AND c.revoked_at IS NULL THEN 1 ELSE 0 END) > 0
                    THEN NULL
                    ELSE MAX(CASE WHEN c.revoked_at IS NULL THEN c.expires_at
                                  WHEN c.expires_at IS NULL OR c.revoked_at < c.expires_at THEN c.revoked_at
                                  ELSE c.expires_at END) END,
               CASE WHEN n.revoked_at IS NULL THEN 'signed' ELSE 'revoked' END,
               n.document_version, n.signed_at,
               MAX(CASE WHEN c.revoked_at IS NOT NULL AND c.revoked_at > c.signed_at THEN c.revoked_at
                        ELSE c.signed_at END)
        FROM consent_records c
        JOIN consent_records n ON n.id = (
            SELECT l.id FROM consent_records l
            WHERE l.client_id = c.client_id AND l.document_key = c.document_key
            ORDER BY l.signed_at DESC, l.id DESC LIMIT 1)
        GROUP BY c.client_id, c.document_key, n.revoked_at, n.document_version, n.signed_at
    """)


def downgrade() -> None:
    op.drop_table('client_consent_states')
