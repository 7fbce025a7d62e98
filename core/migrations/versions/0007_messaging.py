"""messaging: outbox, templates, contact preferences, calendar feeds, meeting links

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate writes Text() inside JSONB)

import polymodal.core.models._base  # noqa: F401

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact_preferences',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('consent_to_contact', sa.Boolean(), nullable=False),
    sa.Column('email_notices', sa.Boolean(), nullable=False),
    sa.Column('email_reminders', sa.Boolean(), nullable=False),
    sa.Column('updated_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_contact_preferences_client_id_clients')),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_contact_preferences'))
    )
    op.create_table('message_templates',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('updated_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_message_templates_updated_by_users')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_message_templates'))
    )
    op.create_table('calendar_feeds',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('room_id', sa.Uuid(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_calendar_feeds_room_id_rooms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_meeting_links_session_id_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_links_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_links')),
    sa.UniqueConstraint('session_id', name=op.f('uq_meeting_links_session_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_meeting_links_user_id'))
    )
    op.create_table('outbox_messages',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('ics', sa.Text(), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('send_after', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=False),
    sa.Column('claimed_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_outbox_messages_client_id_clients')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_outbox_messages_session_id_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_messages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_session', ['session_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_state_due', ['state', 'send_after'], unique=False)



def downgrade() -> None:
    # The job queue's tables (huey makes them on first use, on PostgreSQL only) go with messaging.
    if op.get_bind().dialect.name == "postgresql":
        for table in ("task", "schedule", "kv", "counter"):
            op.execute(f"DROP TABLE IF EXISTS polymodal_jobs_{table}")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_state_due')
        batch_op.drop_index('ix_outbox_messages_session')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_client_id'))

    op.drop_table('outbox_messages')
    op.drop_table('meeting_links')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_user_id'))

    op.drop_table('calendar_feeds')
    op.drop_table('message_templates')
    op.drop_table('contact_preferences')
