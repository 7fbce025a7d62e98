"""Alembic environment: the engine comes from ``alembic_config(engine)``."""

from alembic import context

from polymodal.core.migrations import include_name
from polymodal.core.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
