"""Send 1,000 reminders to the local mail sink through the outbox and the job queue, and time it.

    .venv/bin/python bench/reminders.py                       # SQLite, workers in this process
    POLYMODAL_DATABASE_URL=postgresql://... .venv/bin/python bench/reminders.py   # PostgreSQL

The reminders are written in one transaction (as a day of bookings would write them over time); after
its commit 1,000 delivery jobs are queued, and two worker threads send each over its own SMTP connection to an
aiosmtpd sink on 127.0.0.1. Printed: the time to write them, and the time until the last is sent.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from polymodal.core import migrations
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.messaging.mailsink import MailSink
from polymodal.core.messaging.models import OutboxMessage
from polymodal.core.messaging.outbox import Recipient, queue_message
from polymodal.core.messaging.queue import jobs_of
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import center
from polymodal.core.settings import JobSettings, Settings, SmtpSettings, normalise_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    import os

    url = normalise_url(args.database_url or os.environ.get("POLYMODAL_DATABASE_URL", ""))
    with tempfile.TemporaryDirectory() as tmp, MailSink() as sink:
        engine = make_engine(url or f"sqlite:///{Path(tmp) / 'polymodal.db'}")
        if url:
            from sqlalchemy import text

            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrations.upgrade(engine)
        settings = Settings(data_dir=Path(tmp), smtp=SmtpSettings(host="127.0.0.1", port=sink.port, tls="none"),
                            jobs=JobSettings(workers=args.workers, retries=0))
        practice = Practice(get_plugin_manager(), settings, engine=engine)
        queue = jobs_of(practice)
        queue.huey.flush()
        started = time.perf_counter()
        with practice.work(Actor.system("bench")) as work:
            center.setup_center(work, {"name": "Bench Center", "timezone": "UTC", "jurisdiction": "US-CA"})
            for n in range(args.count):
                queue_message(work, "reminder", Recipient(f"client{n}@example.org", f"Client {n}", "there"),
                              {"when": "Friday 10:00", "day": "Fri", "place": "room Willow"})
        written = time.perf_counter() - started
        started = time.perf_counter()
        queue.start()
        while len(sink.messages) < args.count and time.perf_counter() - started < 600:
            threading.Event().wait(0.05)
        sent = time.perf_counter() - started
        queue.stop()
        with practice.work(Actor.system("bench"), write=False) as work:
            states = dict(work.db.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        print(f"{engine.dialect.name}, {args.workers} workers: wrote {args.count} reminders in {written:.2f} s; "
              f"sent {len(sink.messages)} to the sink in {sent:.2f} s ({len(sink.messages) / sent:.0f}/s); "
              f"outbox states {states}")
        engine.dispose()


if __name__ == "__main__":
    main()
