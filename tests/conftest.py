"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL when
POLYMODAL_TEST_DATABASE_URL is set), a controllable clock, and practices built
on chosen plugins."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine, text

from polymodal.core import migrations
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.models import Base
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import center, users
from polymodal.core.settings import Settings
from tests.clocks import Clock

FIXTURE_PLUGINS = Path(__file__).parent / "fixtures" / "plugins"
TEST_KEYS = "test-1 polymodal-test-suite-integrity-key-not-secret"
# One integrity key for the whole run, found as the app finds it (Settings, CLI and server subprocesses):
# a demo template loaded once and copied per test must verify under every test's practice.
# tests/core/test_audit_keyed.py covers the development key file made when none is set.
os.environ["POLYMODAL_AUDIT_KEY"] = TEST_KEYS
os.environ.pop("POLYMODAL_AUDIT_KEY_FILE", None)
# Jobs run when a test runs them (JobQueue.run_pending), never on a worker's wall-clock schedule.
os.environ.pop("POLYMODAL_JOBS_IN_PROCESS", None)
# Every page reads its session, so statement counts do not hang on how fast the machine runs the test;
# tests/web/test_session_cache.py turns the cache on with a clock it controls.
os.environ["POLYMODAL_SESSION_CACHE"] = "0"
PG_URL = os.environ.get("POLYMODAL_TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery"


def load_fixture_plugin(name: str) -> ModuleType:
    """Import ``tests/fixtures/plugins/<name>.py`` as a fresh module."""
    spec = importlib.util.spec_from_file_location(f"fixture_plugin_{name}", FIXTURE_PLUGINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # Litestar resolves a handler's type hints through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def install_as_distribution(name: str, site: Path) -> str:
    """Copy ``tests/fixtures/plugins/<name>.py`` into ``site`` as a distribution whose ``polymodal`` entry
    point is ``name``, found like any pip-installed plugin once ``site`` is on the path; returns the module."""
    module = f"polymodal_fixture_{name}"
    shutil.copy(FIXTURE_PLUGINS / f"{name}.py", site / f"{module}.py")
    dist = site / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: polymodal-fixture-{name}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[polymodal]\n{name} = {module}\n")
    return module


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that reach the database under test (through ``engine`` or ``web_engine``):
    the others run the same code on SQLite, and `make test` runs the two suites side by side."""
    if not PG_URL:
        return
    kept, left = [], []
    for item in items:
        (kept if {"engine", "web_engine"} & set(getattr(item, "fixturenames", ())) else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Real argon2id, with test-sized cost: the production cost (~0.1 s a hash) would dominate the suite."""
    from argon2 import PasswordHasher

    from polymodal.core.services import users as user_service

    production = user_service._hasher
    user_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    user_service._hasher = production


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(tmp_path: Path, sqlite_template: Path, pg_engine: Engine | None) -> Iterator[Engine]:
    if pg_engine is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with pg_engine.begin() as conn:
            # TRUNCATE fires no row triggers, so append-only tables can be emptied between tests.
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield pg_engine
        return
    path = tmp_path / "polymodal.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC))


@pytest.fixture
def make_practice(engine: Engine, clock: Clock, tmp_path: Path) -> Callable[..., Practice]:
    def build(*plugins: tuple[str, object], entrypoints: bool = False, strict: bool = False) -> Practice:
        pm = get_plugin_manager(load_entrypoints=entrypoints, plugins=plugins)
        return Practice(pm, Settings(data_dir=tmp_path, strict_plugins=strict), engine=engine, clock=clock)

    return build


@pytest.fixture
def practice_plugins() -> tuple[tuple[str, object], ...]:
    """The plugins of ``practice``; a test module overrides it to add fixture plugins."""
    return (("clinic", load_fixture_plugin("clinic")),)


@pytest.fixture
def practice(make_practice: Callable[..., Practice], practice_plugins: tuple[tuple[str, object], ...]) -> Practice:
    """A practice with the fixture ``clinic`` plugin and a center in Los Angeles (US-CA)."""
    p = make_practice(*practice_plugins)
    with p.work(Actor.system("test")) as work:
        center.setup_center(work, {"name": "Test Center", "timezone": "America/Los_Angeles",
                                   "jurisdiction": "US-CA", "minor_consent_age": 12})
        center.add_room(work, "Main", "Willow")
        center.add_room(work, "Main", "Cedar")
    return p


@pytest.fixture
def staff(practice: Practice) -> dict[str, Actor]:
    """Actors for each role; ``trainee`` is supervised by ``super``."""
    people = {
        "admin": (["admin"], [], None),
        "desk": (["front_desk"], [], None),
        "super": (["practitioner", "supervisor"], ["psychotherapy"], None),
        "trainee": (["practitioner"], ["psychotherapy"], "super"),
        "other": (["practitioner"], ["psychotherapy"], None),
        "masseur": (["practitioner"], ["massage"], None),
    }
    actors = {}
    with practice.work(Actor.system("test")) as work:
        for username, (roles, disciplines, supervisor) in people.items():
            user = users.create_user(work, {"username": username, "display_name": username.title(),
                                            "password": PASSWORD, "roles": roles, "disciplines": disciplines,
                                            "supervisor": supervisor})
            actors[username] = Actor.of(user, origin="127.0.0.1")
            if "psychotherapy" in disciplines:  # the clinic plugin's therapy needs LMFT or PSY in US-CA
                users.add_credential(work, user.id, "PSY", f"P-{username}", "US-CA", None)
    return actors


@pytest.fixture
def rooms(practice: Practice) -> list[uuid.UUID]:
    from polymodal.core.models import Room

    with practice.work(Actor.system("test"), write=False) as work:
        return [r.id for r in work.db.query(Room).order_by(Room.name)]


@pytest.fixture
def load_plugin() -> Callable[[str], ModuleType]:
    return load_fixture_plugin


@pytest.fixture
def broken_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A distribution on the path, found through the entry-point group like any pip package, whose module
    fails at import."""
    site = tmp_path / "site"
    info = site / "polymodal_brokenmod-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: polymodal-brokenmod\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[polymodal]\nbrokenmod = polymodal_brokenmod_fixture\n")
    (site / "polymodal_brokenmod_fixture.py").write_text('raise ImportError("needs libsomatic 2.0")\n')
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("POLYMODAL_STRICT_PLUGINS", raising=False)
    return "brokenmod"
