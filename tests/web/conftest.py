"""Web fixtures: a migrated database with the demo center, the real plugins and a test client.

SQLite by default (a migrated, demo-loaded template copied per test);
PostgreSQL when POLYMODAL_TEST_DATABASE_URL is set (emptied and reloaded per test).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, event, select, text

from polymodal.core import migrations
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.demo import DEMO_PASSWORD, load_demo
from polymodal.core.models import Base, Case, Client, Room, Session, SessionClient, User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import clients, scheduling
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.clocks import FIXED_NOW, Clock

PG_URL = os.environ.get("POLYMODAL_TEST_DATABASE_URL", "")
HTMX = {"HX-Request": "true"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture(scope="session")
def web_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate and load the demo once; each test gets a copy (argon2 hashing is slow on purpose)."""
    path = tmp_path_factory.mktemp("web-template") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    load_demo(Practice(get_plugin_manager(), engine=engine, clock=Clock()))
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_demo_template() -> Iterator[str | None]:
    """On PostgreSQL: a database migrated and loaded with the demo once, copied per test."""
    if not PG_URL:
        yield None
        return
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"pm_demo_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(_with_database(PG_URL, name))
    migrations.upgrade(engine)
    load_demo(Practice(get_plugin_manager(), engine=engine, clock=Clock()))
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def web_engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if PG_URL:
        template = request.getfixturevalue("pg_demo_template")
        admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"pm_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY = FILE_COPY"))
        engine = make_engine(_with_database(PG_URL, name))
        yield engine
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
        return
    template = request.getfixturevalue("web_demo_template")
    path = tmp_path / "polymodal.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def web_clock() -> Clock:
    """The practice's 'now', shared with the demo it was loaded at; tests step it past timeouts."""
    return Clock(FIXED_NOW)


@pytest.fixture
def web_practice(web_engine: Engine, web_clock: Clock, tmp_path: Path) -> Practice:
    return Practice(get_plugin_manager(), Settings(data_dir=tmp_path), engine=web_engine, clock=web_clock)


@pytest.fixture
def client(web_practice: Practice) -> Iterator[TestClient]:
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    with TestClient(app=app) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the real form; returns the session's CSRF token for later changes."""
    page = client.get("/sign-in")
    token = CSRF_FIELD.search(page.text).group(1)
    response = client.post("/sign-in", data={"username": username, "password": password, "_csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def csrf_of(html: str) -> str:
    return CSRF_META.search(html).group(1)


@pytest.fixture
def signed_in(client: TestClient) -> Callable[[str], str]:
    return lambda username: sign_in(client, username)


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.statements: list[str] = []
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn, _cursor, statement, *_args) -> None:
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()

    def of_page(self, client: TestClient, url: str) -> int:
        """The statements one GET of ``url`` runs (it must answer 200)."""
        self.reset()
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        return self.count

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._on_execute)


@pytest.fixture
def queries(web_engine: Engine) -> Iterator[QueryCounter]:
    counter = QueryCounter(web_engine)
    yield counter
    counter.close()


@pytest.fixture
def tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables]


@pytest.fixture(name="csrf_of")
def csrf_of_fixture() -> Callable[[str], str]:
    return csrf_of


@pytest.fixture
def client_id(web_practice: Practice) -> Callable[[str], str]:
    """The id of a demo client by last and first name (test set-up reads the table directly)."""

    def find(last: str, first: str) -> str:
        with web_practice.engine.connect() as conn:
            return str(conn.execute(select(Client.id).where(Client.legal_last_name == last,
                                                            Client.legal_first_name == first)).scalar_one())

    return find


@pytest.fixture
def touch_consent(web_practice: Practice, client_id: Callable[[str], str]) -> Callable[..., None]:
    """Record a demo client's consent to touch with the given state per region (set-up, as the system)."""

    def sign(last: str, first: str, **regions: str) -> None:
        from polymodal.core.services import consent

        with web_practice.work(Actor.system("test")) as work:
            consent.record_consent(work, uuid.UUID(client_id(last, first)), "bodywork/touch",
                                   signer_name=f"{first} {last}", answers={
                                       "techniques": "Swedish", "draping": "Sheet",
                                       "regions": {code: {"consent": state} for code, state in regions.items()}})

    return sign


@pytest.fixture
def start(client: TestClient, session_of: Callable[[str, str], str]) -> Callable[[str, str, str, str], str]:
    """Start a note on a client's first session as the signed-in user; returns the note id."""

    def begin(token: str, last: str, first: str, template: str) -> str:
        response = client.post(f"/sessions/{session_of(last, first)}/notes",
                               data={"template_key": template, "_csrf": token}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return response.headers["location"].rsplit("/", 1)[1]

    return begin


@pytest.fixture
def session_of(web_practice):
    """The id of a demo client's first session (set-up reads the table directly)."""

    def find(last: str, first: str) -> str:
        with web_practice.engine.connect() as conn:
            return str(conn.execute(
                select(Session.id).join(SessionClient, SessionClient.session_id == Session.id)
                .join(Client, Client.id == SessionClient.client_id)
                .where(Client.legal_last_name == last, Client.legal_first_name == first)
                .order_by(Session.starts_at).limit(1)).scalar_one())

    return find


@pytest.fixture
def add_clients(web_practice: Practice) -> Callable[..., None]:
    """Register ``count`` more clients through the service, visible to the front desk."""

    def add(count: int, last: str = "Extra") -> None:
        with web_practice.work(Actor.system("test")) as work:
            for i in range(count):
                clients.register_client(work, {"legal_first_name": f"Person{i:03d}", "legal_last_name": last,
                                               "date_of_birth": "1980-01-01"})

    return add



@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable[..., str]:
    """Sign a given TestClient in (for tests that build their own app)."""
    return sign_in


# --- demo ids by name, and booking through the service (schedule, cases, query budgets) -------------

@pytest.fixture
def ids(web_practice):
    """Demo ids by name: ids.case("Tom: low back"), ids.room("Willow"), ids.user("maya")."""

    class Ids:
        def _one(self, stmt):
            with web_practice.engine.connect() as conn:
                return conn.execute(stmt).scalar_one()

        def case(self, title: str):
            return self._one(select(Case.id).where(Case.title == title))

        def room(self, name: str):
            return self._one(select(Room.id).where(Room.name == name))

        def user(self, username: str):
            return self._one(select(User.id).where(User.username == username))

        def sessions_of(self, title: str) -> list:
            with web_practice.engine.connect() as conn:
                return list(conn.execute(
                    select(Session.id, Session.starts_at, Session.status, Session.room_id, Session.status_reason,
                           Session.cancel_reason, Session.late)
                    .join(Case, Case.id == Session.case_id).where(Case.title == title)
                    .order_by(Session.starts_at)).all())

    return Ids()


@pytest.fixture
def book(web_practice, ids) -> Callable[..., list]:
    """Book sessions for a demo case through the service (as the system), returning their ids."""

    def run(title: str, start: dt.datetime, *, count: int = 1, every: dt.timedelta = dt.timedelta(minutes=15),
            minutes: int = 10, room: str | None = None) -> list:
        booked = []
        with web_practice.work(Actor.system("test")) as work:
            for i in range(count):
                sessions = scheduling.schedule_session(work, {
                    "case_id": ids.case(title), "modality_key": _modality(title), "format": _format(title),
                    "starts_at": start + i * every, "minutes": minutes,
                    "delivery": "in_person" if room else "video",
                    "room_id": ids.room(room) if room else None})
                booked.extend(s.id for s in sessions)
        return booked

    return run


def _modality(title: str) -> str:
    return {"Tom: low back": "bodywork/massage", "Jordan: anxiety": "talk/psychotherapy",
            "Sofia: school stress": "talk/psychotherapy", "Natarajan couple": "talk/couple-therapy"}[title]


def _format(title: str) -> str:
    return "couple" if title == "Natarajan couple" else "individual"

