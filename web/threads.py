"""The threads that run request handlers: pages on a few, sized to the database; long work on threads of its own.

Litestar runs every sync handler on the event loop's default executor. Python sizes that at cores + 4 threads
(6 on two cores), which suits PostgreSQL: a round trip to the server frees the interpreter for another page.
On SQLite a statement is a call into a library in this process, and six threads mostly take turns at the
interpreter; two still let one page's statement run while another page's Python does. Measured under 32
connections on two cores (issue 18, docs/performance.md "Page threads"): two threads served the pages as fast as
six or faster, one thread starved the pages that wait on SQLite longest (the dashboard).

With so few page threads, a request that takes seconds would hold the center's pages behind it. Such work
(verifying the audit trail, a client's whole record as JSON or FHIR, a PDF) runs with ``@on_long_thread`` on
a pool of its own, so pages keep being served while it runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from polymodal.core.errors import StartupError

P = ParamSpec("P")
T = TypeVar("T")

LONG_THREADS = 2
"""Long requests running at once; a third waits for one of them, never for a page."""

_long = ThreadPoolExecutor(max_workers=LONG_THREADS, thread_name_prefix="polymodal-long")


def configured_page_threads() -> int | None:
    """``POLYMODAL_PAGE_THREADS`` if set; raises ``StartupError`` naming it when it is not 1 to 64."""
    raw = os.environ.get("POLYMODAL_PAGE_THREADS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise StartupError(f"POLYMODAL_PAGE_THREADS must be a whole number from 1 to 64; it is {raw!r}.")
    return int(raw)


def page_threads(dialect: str) -> int:
    """Handler threads per worker: ``POLYMODAL_PAGE_THREADS``, else 2 on SQLite and cores + 4 elsewhere."""
    return configured_page_threads() or (2 if dialect == "sqlite" else min(32, (os.cpu_count() or 1) + 4))


def use_page_threads(count: int) -> None:
    """Run on start-up, inside the server's event loop: its default executor becomes ``count`` page threads."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=count, thread_name_prefix="polymodal-page"))


def read_on_loop(handler: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A page that only reads, run on the event loop where reads are quick (SQLite), else on a page thread.

    On SQLite a page's statements take microseconds in this process, and handing the page to a thread cost
    more than it saved: the thread and the loop took turns at the interpreter, and a page under load spent a
    quarter of its CPU on the hand-overs (issue 18, docs/performance.md "Pages on the event loop"). Here the
    page's reads run on the loop, and what its work writes when it ends goes to a thread, which may wait for
    the write lock and the disk without holding up the loop: its audit events to the audit log's writer,
    with those of the other pages the loop ran in the same turn (``_Turn``); a denial or a plugin error to
    record (rare) to a page thread.
    The page leaves only once those writes are done, and fails if one fails.
    Where reads wait on a server (PostgreSQL) or a plugin votes on access, the whole page runs on a thread.
    The handler takes the ``practice`` dependency and opens only read-only work.
    """
    return _reading(handler, None)


def read_on_loop_if(small: Callable[[dict[str, Any]], bool]) -> Callable[[Callable[P, T]], Callable[P, Awaitable[T]]]:
    """``read_on_loop`` for the requests ``small`` picks out, given the handler's keyword arguments. The others
    are read on a page thread, so that they cannot hold the loop, and their audit events still join the turn's
    commit. For a page whose size the request chooses: one practitioner's week is a few milliseconds, the
    whole center's a fifth of a second at 100,000 clients, and on the loop that would hold every other request
    of the worker behind it."""
    return lambda handler: _reading(handler, small)


def _reading(handler: Callable[P, T], small: Callable[[dict[str, Any]], bool] | None) -> Callable[P, Awaitable[T]]:
    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        practice = kwargs["practice"]
        loop = asyncio.get_running_loop()
        if not practice.quick_reads_inline:
            call = functools.partial(contextvars.copy_context().run, handler, *args, **kwargs)
            return await loop.run_in_executor(None, call)
        read = functools.partial(_read, practice, functools.partial(handler, *args, **kwargs))
        if small is None or small(kwargs):
            outcome, later = read()
        else:
            outcome, later = await loop.run_in_executor(None, functools.partial(contextvars.copy_context().run, read))
        if later.events:
            await _Turn.of(loop, practice).written(later.events)
        if later.steps:
            await loop.run_in_executor(None, _run_steps, later.steps)
        return outcome.result()

    return run


def _read(practice: Any, page: Callable[[], T]) -> tuple[Future[T], Any]:
    """The page or its error, and what its work left to write: both wait until that is written."""
    outcome: Future[T] = Future()
    with practice.finishing_later() as later:
        try:
            outcome.set_result(page())
        except Exception as exc:  # noqa: BLE001 - raised once the denial it may have recorded is written
            outcome.set_exception(exc)
    return outcome, later


class _Turn:
    """The audit events of the pages the event loop ran in one turn, handed to the audit log's writer at once.

    Handed over page by page, the writer thread committed each page alone: it finished one page's commit
    before the loop had finished the next page, so under load every page paid a transaction and an fsync
    of its own (a quarter of the client search's CPU; issue 18, docs/performance.md "Audit commits per turn").
    The loop runs the pages whose requests are ready one after another in a turn; their events wait for
    the turn's end (``call_soon``) and go to the writer as one batch, one commit. Each page still leaves only
    once that commit is done, and fails if it failed.
    """

    _open: dict[tuple[asyncio.AbstractEventLoop, Any], _Turn] = {}

    def __init__(self, loop: asyncio.AbstractEventLoop, practice: Any) -> None:
        self.key = (loop, practice)
        self.events: list[Any] = []
        self.done: asyncio.Future[None] = loop.create_future()
        loop.call_soon(self._hand_over)

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, practice: Any) -> _Turn:
        turn = cls._open.get((loop, practice))
        if turn is None:
            turn = cls._open[(loop, practice)] = cls(loop, practice)
        return turn

    def written(self, events: list[Any]) -> Awaitable[None]:
        """Settles once ``events`` are committed with the rest of the turn's; a page cancelled meanwhile
        (its client went away) leaves the others waiting."""
        self.events.extend(events)
        return asyncio.shield(self.done)

    def _hand_over(self) -> None:
        del self._open[self.key]
        try:
            written = asyncio.wrap_future(self.key[1].submit_read_audits(self.events))
        except Exception as exc:  # noqa: BLE001 - every page of the turn gets the error
            self._settle_with(exc)
            return
        written.add_done_callback(lambda f: self._settle_with(f.exception()))

    def _settle_with(self, error: BaseException | None) -> None:
        if error is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(error)
            self.done.exception()  # seen: a turn whose pages were all cancelled must not log it as unhandled


def _run_steps(steps: list[Callable[[], None]]) -> None:
    for step in steps:
        step()


def on_long_thread(handler: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A sync handler that may take seconds, run on the long-work threads instead of a page thread."""

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        call = functools.partial(contextvars.copy_context().run, handler, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(_long, call)

    return run
