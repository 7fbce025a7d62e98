"""front desk: client search words and their full-text index (SQLite FTS5, PostgreSQL GIN)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from polymodal.core.search import index as search_index

revision: str = '0006'
down_revision: str | None = '0005'
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE client_search")
    else:
        op.execute("DROP INDEX ix_clients_search_text")
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index('ix_clients_search_rowid')
        batch_op.drop_column('search_rowid')
        batch_op.drop_column('search_contact')
        batch_op.drop_column('search_names')
