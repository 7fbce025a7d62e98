"""Background jobs of the interop capability: a worker thread each, progress on the job's row.

A thread of this process, so ``make run`` needs nothing more; the row carries
status and progress, which any worker can show. A job queue shared by workers
(issue 14) can take the running over without changing the rows.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from polymodal.core.access import Actor
from polymodal.core.interop.models import InteropJob
from polymodal.core.practice import Practice

RUNNING: dict[uuid.UUID, threading.Thread] = {}
"""Jobs running in this process (tests wait for them with ``wait_all``)."""
LIVE: dict[uuid.UUID, tuple[int, int]] = {}
"""Progress of work inside one long transaction, which cannot write its own progress on SQLite."""


def in_background(job_id: uuid.UUID, target: Callable[..., None], *args: Any) -> None:
    def run() -> None:
        try:
            target(*args)
        finally:
            RUNNING.pop(job_id, None)
            LIVE.pop(job_id, None)

    thread = threading.Thread(target=run, name=f"interop-{job_id}", daemon=True)
    RUNNING[job_id] = thread
    thread.start()


def wait_all() -> None:
    for thread in list(RUNNING.values()):
        thread.join()


def set_progress(practice: Practice, job_id: uuid.UUID, **values: Any) -> None:
    """Update the job's row in a transaction of its own, so the page sees it at once."""
    with practice.work(Actor.system("interop-job")) as work:
        work.db.execute(update(InteropJob).where(InteropJob.id == job_id).values(**values))


def progress_of(job: Any) -> tuple[int, int]:
    """(done, total) for a job row: the live figure while one long transaction runs, else the row's."""
    return LIVE.get(job.id, (job.done, job.total))
