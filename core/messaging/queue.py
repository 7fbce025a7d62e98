"""The job queue: huey, on SQLite inside ``polymodal serve``, on PostgreSQL shared by every worker.

Why huey (docs/messaging.md has the comparison): one maintained library with both storages this
project runs on. ``SqliteHuey`` keeps jobs in a file beside the database, so ``polymodal serve`` needs
no other service; ``PostgresHuey`` keeps them in the center's PostgreSQL, where workers take jobs with
``FOR UPDATE SKIP LOCKED`` and are woken by LISTEN/NOTIFY, so several ``serve`` processes and separate
``polymodal worker`` processes share one queue. Jobs are rows, so they survive a restart; a failed
send is retried by huey with a doubling delay; the outbox's claim makes a message leave once even when
two workers are told about it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import PostgresHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from polymodal.core.errors import StartupError
from polymodal.core.messaging import outbox
from polymodal.core.messaging.channels import ConsoleChannel, DeliveryFailed, EmailChannel, MessageChannel

if TYPE_CHECKING:
    from polymodal.core.practice import Practice

log = logging.getLogger("polymodal.jobs")
_queues: weakref.WeakKeyDictionary[Practice, JobQueue] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


class RetryLater(Exception):
    """Raised inside a job so huey schedules its next try."""


class _EmbeddedConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        # Inside ``polymodal serve`` the web server owns SIGINT/SIGTERM and stops us on shutdown.
        pass


def jobs_of(practice: Practice) -> JobQueue:
    """The practice's queue, made on first use."""
    with _lock:
        queue = _queues.get(practice)
        if queue is None:
            queue = _queues[practice] = JobQueue(practice)
        return queue


def _storage(practice: Practice, name: str) -> Any:
    engine = practice.engine
    if engine.dialect.name == "postgresql":
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey(name, dsn=dsn, table_prefix="polymodal_jobs", results=False, utc=True)
    database = engine.url.database or ""
    path = (Path(database).with_name(Path(database).stem + "-jobs.db") if database and database != ":memory:"
            else practice.settings.data_dir / "jobs.db")
    return SqliteHuey(name, filename=str(path), results=False, utc=True)


class JobQueue:
    def __init__(self, practice: Practice, name: str = "polymodal") -> None:
        self.practice = practice
        self.huey = _storage(practice, name)
        self.channels = _channels(practice)
        settings = practice.settings.jobs
        self.deliver = self.huey.task(retries=settings.retries, retry_delay=settings.retry_delay, retry_backoff=2,
                                      context=True, name="deliver")(self._deliver)
        self.sweep = self.huey.periodic_task(crontab(minute="*"), name="sweep")(self._sweep)
        # Runs in each worker thread as it stops: on PostgreSQL that thread's LISTEN connection closes with it.
        # Serialised: huey's close() tests the connection outside its own lock, so two threads stopping
        # together could both pass the test and the second fail on the connection the first had closed.
        closing = threading.Lock()

        def close_connections() -> None:
            with closing:
                self.huey.storage.close()

        self.huey.on_shutdown(name="close connections")(close_connections)
        self._consumer: Consumer | None = None

    # --- what a worker runs ------------------------------------------------------------------

    def channel(self, key: str) -> MessageChannel | None:
        forced = self.practice.settings.jobs.channel
        return self.channels.get(forced or key)

    def _deliver(self, message_id: str, task: Any = None) -> str:
        """Send one outbox message; raises ``RetryLater`` while tries remain after a failure."""
        claimed = outbox.claim(self.practice, uuid.UUID(message_id))
        if claimed is None:
            return "not due or taken"
        message, key = claimed
        channel = self.channel(key)
        if channel is None or not channel.ready():
            outbox.release(self.practice, uuid.UUID(message_id))
            return "channel not ready"
        try:
            channel.send(message)
        except DeliveryFailed as exc:
            last_try = task is None or task.retries == 0
            state = outbox.record_failure(self.practice, uuid.UUID(message_id), exc, last_try=last_try)
            if state == "retrying":
                raise RetryLater(f"message {message_id}: {exc.answer}") from None
            return "failed"
        outbox.record_sent(self.practice, uuid.UUID(message_id))
        return "sent"

    def _sweep(self) -> int:
        """Every minute: queue delivery of due messages nobody was told about (reminders, a lost enqueue)."""
        due = [(message_id, self.practice.now(), key) for message_id, key in outbox.due_messages(self.practice)]
        self.deliver_later(due)
        return len(due)

    # --- what the app calls --------------------------------------------------------------------

    def deliver_later(self, messages: list[tuple[str, dt.datetime, str]]) -> None:
        """Queue delivery jobs, at each message's time; skipped for channels that cannot send yet."""
        now = self.practice.now()
        for message_id, send_after, key in messages:
            channel = self.channel(key)
            if channel is None or not channel.ready():
                continue
            if send_after > now:
                self.deliver.schedule((message_id,), delay=(send_after - now).total_seconds())
            else:
                self.deliver(message_id)

    def run_pending(self) -> int:
        """Run the jobs due now in this thread, until none is left; for the CLI and tests. Returns the count."""
        count = 0
        while True:
            for task in self.huey.read_schedule():
                self.huey.enqueue(task)
            task = self.huey.dequeue()
            if task is None:
                return count
            if not self.huey.ready_to_run(task):
                self.huey.add_schedule(task)  # as a worker does with a job whose time has not come
                continue
            count += 1
            try:
                self.huey.execute(task)
            except RetryLater:
                pass  # huey has queued the next try

    def start(self, workers: int | None = None) -> None:
        """Worker threads and the scheduler, in this process (``polymodal serve``, ``polymodal worker``)."""
        if self._consumer is not None:
            return
        self._consumer = _EmbeddedConsumer(self.huey, workers=workers or self.practice.settings.jobs.workers,
                                           worker_type="thread", periodic=True, max_delay=2.0)
        self._consumer.start()
        log.info("job workers started (%s storage)", type(self.huey).__name__)

    def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        self.huey.storage.close()


def _channels(practice: Practice) -> dict[str, MessageChannel]:
    channels: dict[str, MessageChannel] = {"email": EmailChannel(practice.settings.smtp), "console": ConsoleChannel()}
    for plugin, offered in practice.call_each("polymodal_message_channels"):
        for channel in offered if isinstance(offered, list | tuple) else [offered]:
            key = getattr(channel, "key", None)
            if not isinstance(key, str) or not callable(getattr(channel, "send", None)):
                practice.record_plugin_error(plugin, "polymodal_message_channels",
                                             TypeError("a channel needs a 'key' and a 'send' method"))
                continue
            if key in channels:
                raise StartupError(f"plugin '{plugin}' offers a message channel '{key}', which exists already")
            channels[key] = channel
    return channels
