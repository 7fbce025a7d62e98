"""Messaging fixtures: a real SMTP server in this process, and a practice that sends to it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from polymodal.core.access import Actor
from polymodal.core.messaging.mailsink import MailSink
from polymodal.core.messaging.models import OutboxMessage
from polymodal.core.messaging.queue import _queues, jobs_of
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import cases, clients, scheduling
from polymodal.core.settings import JobSettings, Settings, SmtpSettings
from tests.clocks import Clock


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink() as server:
        yield server


@pytest.fixture
def extra_plugins() -> list[tuple[str, object]]:
    """Plugins added to every practice of the test; parametrize it to add some."""
    return []


@pytest.fixture
def make_practice(engine: Engine, clock: Clock, tmp_path: Path, sink: MailSink,
                  extra_plugins: list[tuple[str, object]]) -> Callable[..., Practice]:
    """As the suite's, with SMTP pointed at ``sink`` and retries that do not wait."""

    built: list[Practice] = []

    def build(*plugins: tuple[str, object], entrypoints: bool = False, strict: bool = False) -> Practice:
        pm = get_plugin_manager(load_entrypoints=entrypoints, plugins=(*plugins, *extra_plugins))
        settings = Settings(data_dir=tmp_path, strict_plugins=strict,
                            smtp=SmtpSettings(host="127.0.0.1", port=sink.port, tls="none",
                                              sender="desk@center.example"),
                            jobs=JobSettings(retries=2, retry_delay=0, workers=2))
        built.append(Practice(pm, settings, engine=engine, clock=clock))
        return built[-1]

    yield build
    for practice in built:
        queue = _queues.get(practice)
        if queue is not None:
            queue.stop()
            queue.huey.flush()  # on PostgreSQL the queue's tables outlive the test


@pytest.fixture
def client_case(practice: Practice, staff: dict[str, Actor]):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01", "email": "ada@example.org"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["super"].user_id])
        return client.id, case.id


@pytest.fixture
def book(practice: Practice, staff: dict[str, Actor], client_case, rooms) -> Callable[..., list]:
    """Book a session for Ada (the clock says Mon 2 Mar 2026, 09:00 in Los Angeles)."""

    def make(starts_at: dt.datetime = dt.datetime(2026, 3, 5, 10, 0), **extra) -> list:
        with practice.work(staff["desk"]) as work:
            return scheduling.schedule_session(work, {"case_id": client_case[1], "modality_key": "clinic/therapy",
                                                      "starts_at": starts_at, "room_id": rooms[0], **extra})

    return make


def outbox(practice: Practice, **where) -> list[OutboxMessage]:
    with practice.work(Actor.system("test"), write=False) as work:
        stmt = select(OutboxMessage).order_by(OutboxMessage.send_after, OutboxMessage.kind)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        return list(work.db.scalars(stmt))


def run_jobs(practice: Practice) -> int:
    """Run the queued jobs that are due, as a worker would, in this thread."""
    return jobs_of(practice).run_pending()


def message_id(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
