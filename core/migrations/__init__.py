"""Alembic migrations of the core schema, driven from code (no alembic.ini to find)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from polymodal.core.keys import Keyring

HERE = Path(__file__).parent


def alembic_config(engine: Engine, keys: Keyring | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    config.attributes["engine"] = engine
    config.attributes["keys"] = keys  # re-keying the audit trail and note seals (0012) needs the key ring
    return config


def include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """Autogenerate compares what the models can declare: not the client search index (core/search), an
    FTS5 table on SQLite and an expression GIN index on PostgreSQL, both made by migration 0009."""
    if type_ == "table" and name is not None and name.startswith("client_search"):
        return False
    return not (type_ == "index" and name == "ix_clients_search_text")


def upgrade(engine: Engine, revision: str = "head", keys: Keyring | None = None) -> None:
    command.upgrade(alembic_config(engine, keys), revision)


def downgrade(engine: Engine, revision: str, keys: Keyring | None = None) -> None:
    command.downgrade(alembic_config(engine, keys), revision)


def keys_for_migration() -> Keyring:
    """The key ring given to ``upgrade``/``downgrade``, else the one the environment names (as the app finds it)."""
    from alembic import op

    from polymodal.core import keys
    from polymodal.core.settings import Settings

    given = op.get_context().config.attributes.get("keys")
    if given is not None:
        return given
    settings = Settings()
    return keys.load(settings.data_dir, settings.audit_key, settings.audit_key_file)
