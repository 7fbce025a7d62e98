"""Migrations run up, down and up again, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from polymodal.core import migrations
from polymodal.core.models import Base


def test_upgrade_downgrade_upgrade_and_no_drift(engine):
    migrations.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                   "include_name": migrations.include_name})
        assert compare_metadata(context, Base.metadata) == []
