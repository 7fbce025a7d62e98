"""front desk: client search (SQLite FTS5, PostgreSQL GIN), availability, waitlist, cancellations, goals, audit page

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import polymodal.core.models._base

from polymodal.core.search import index as search_index

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_names', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_contact', sa.String(length=1000), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('search_rowid', sa.BigInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.alter_column('search_names', server_default=None)
        batch_op.alter_column('search_contact', server_default=None)
        batch_op.alter_column('search_rowid', server_default=None)
        batch_op.create_index('ix_clients_search_rowid', ['search_rowid'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(search_index.FTS_DDL)
    else:
        op.execute(f"CREATE INDEX ix_clients_search_text ON clients USING gin ({search_index.PG_VECTOR})")
    search_index.rebuild(bind)
    _availability_and_the_rest()


def _availability_and_the_rest() -> None:
    op.create_table('working_hours',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('location_id', sa.Uuid(), nullable=True),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('starts', sa.Time(), nullable=False),
        sa.Column('ends', sa.Time(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_working_hours_location_id_locations')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_working_hours_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_hours')))
    op.create_index(op.f('ix_working_hours_user_id'), 'working_hours', ['user_id'], unique=False)
    op.create_table('time_off',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('starts_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_time_off_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off')))
    op.create_index('ix_time_off_user_starts', 'time_off', ['user_id', 'starts_at'], unique=False)
    op.create_table('room_hours',
        sa.Column('room_id', sa.Uuid(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.Time(), nullable=False),
        sa.Column('closes', sa.Time(), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_hours_room_id_rooms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_hours')))
    op.create_index(op.f('ix_room_hours_room_id'), 'room_hours', ['room_id'], unique=False)
    op.create_table('waitlist_entries',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=True),
        sa.Column('modality_key', sa.String(length=120), nullable=False),
        sa.Column('practitioner_id', sa.Uuid(), nullable=True),
        sa.Column('weekdays', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('earliest', sa.Time(), nullable=True),
        sa.Column('latest', sa.Time(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('session_id', sa.Uuid(), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_waitlist_entries_case_id_cases')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_waitlist_entries_client_id_clients')),
        sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'],
                                name=op.f('fk_waitlist_entries_practitioner_id_users')),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_waitlist_entries_session_id_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')))
    op.create_index(op.f('ix_waitlist_entries_client_id'), 'waitlist_entries', ['client_id'], unique=False)
    op.create_index('ix_waitlist_status_created', 'waitlist_entries', ['status', 'created_at'], unique=False)
    for table, column in (('rooms', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true())),
                          ('sessions', sa.Column('cancel_reason', sa.String(length=40), nullable=False,
                                                 server_default='')),
                          ('sessions', sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false())),
                          ('cases', sa.Column('status_reason', sa.String(length=500), nullable=False,
                                              server_default='')),
                          ('goals', sa.Column('baseline', sa.String(length=500), nullable=False, server_default='')),
                          ('goals', sa.Column('target', sa.String(length=500), nullable=False, server_default=''))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(column)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column.name, server_default=None)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_actor_seq', ['actor_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_events_action_seq', ['action', 'seq'], unique=False)
        batch_op.create_index('ix_audit_events_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_at')
        batch_op.drop_index('ix_audit_events_action_seq')
        batch_op.drop_index('ix_audit_events_actor_seq')
    for table, column in (('goals', 'target'), ('goals', 'baseline'), ('cases', 'status_reason'),
                          ('sessions', 'late'), ('sessions', 'cancel_reason'), ('rooms', 'active')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
    op.drop_index('ix_waitlist_status_created', table_name='waitlist_entries')
    op.drop_index(op.f('ix_waitlist_entries_client_id'), table_name='waitlist_entries')
    op.drop_table('waitlist_entries')
    op.drop_index(op.f('ix_room_hours_room_id'), table_name='room_hours')
    op.drop_table('room_hours')
    op.drop_index('ix_time_off_user_starts', table_name='time_off')
    op.drop_table('time_off')
    op.drop_index(op.f('ix_working_hours_user_id'), table_name='working_hours')
    op.drop_table('working_hours')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE client_search")
    else:
        op.execute("DROP INDEX ix_clients_search_text")
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index('ix_clients_search_rowid')
        batch_op.drop_column('search_rowid')
        batch_op.drop_column('search_contact')
        batch_op.drop_column('search_names')
