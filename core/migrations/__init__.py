"""Alembic migrations of the core schema, driven from code (no alembic.ini to find)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).parent


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    config.attributes["engine"] = engine
    return config


def include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """Autogenerate compares what the models can declare: not the client search index (core/search), an
    FTS5 table on SQLite and an expression GIN index on PostgreSQL, both made by migration 0009."""
    if type_ == "table" and name is not None and name.startswith("client_search"):
        return False
    return not (type_ == "index" and name == "ix_clients_search_text")


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
