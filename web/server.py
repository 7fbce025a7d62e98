"""``polymodal serve``: uvicorn, with limits on what slow or greedy clients can hold.

uvicorn (0.55) times out only idle keep-alive connections: a connection that
sends half a request line, or headers without their body, is kept for ever,
and 1,010 of them stopped all service (issue 12). ``LimitedProtocol`` adds
a deadline for receiving each request in full, a cap on the size of its head
and a cap on the connections one address may hold. uvicorn's own settings do
the rest: ``limit_concurrency`` (503 beyond it), ``timeout_keep_alive`` and
``forwarded_allow_ips`` (whose X-Forwarded-For is believed).
Request bodies are capped per route by the app (web/request_body.py).

Settings reach the workers through the environment (uvicorn starts each
worker as a new process), as ``POLYMODAL_SERVE_*`` variables set from the
command's options; docs/deployment.md explains them.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
from collections import Counter
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from polymodal.core import keys
from polymodal.core.errors import StartupError
from polymodal.web.config import WebSettings
from polymodal.web.threads import configured_page_threads

TIMEOUT_BODY = b"The request did not arrive in time and was not read.\n"
TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"connection: close\r\ncontent-length: " + str(len(TIMEOUT_BODY)).encode() + b"\r\n\r\n"
                    + TIMEOUT_BODY)


@dataclass(frozen=True)
class ServeLimits:
    request_timeout: float = 20.0
    """Seconds to receive one request, headers and body, from its first byte (or from connecting)."""
    per_address: int = 64
    """Open connections one address may hold; 0: no cap (behind a proxy every client shares its address)."""
    connections: int = 0
    """Concurrent connections per worker; past it new requests get 503 at once (uvicorn limit_concurrency).
    0: what the process's file-descriptor limit allows, less room for the database and files."""
    keep_alive: int = 5
    header_bytes: int = 16_384
    trusted_proxies: str = "127.0.0.1"

    @classmethod
    def from_environment(cls) -> ServeLimits:
        env, default = os.environ, cls()
        return cls(
            request_timeout=float(env.get("POLYMODAL_SERVE_REQUEST_TIMEOUT", default.request_timeout)),
            per_address=int(env.get("POLYMODAL_SERVE_PER_ADDRESS", default.per_address)),
            connections=int(env.get("POLYMODAL_SERVE_CONNECTIONS", default.connections)),
            keep_alive=int(env.get("POLYMODAL_SERVE_KEEP_ALIVE", default.keep_alive)),
            header_bytes=int(env.get("POLYMODAL_SERVE_HEADER_BYTES", default.header_bytes)),
            trusted_proxies=env.get("POLYMODAL_TRUSTED_PROXIES", default.trusted_proxies))

    def connection_cap(self) -> int:
        if self.connections:
            return self.connections
        # Past the descriptor limit accept() fails and so do database connections: answer 503 before that.
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return max(64, min(10_000, soft - 100))

    def to_environment(self) -> dict[str, str]:
        return {"POLYMODAL_SERVE_REQUEST_TIMEOUT": str(self.request_timeout),
                "POLYMODAL_SERVE_PER_ADDRESS": str(self.per_address),
                "POLYMODAL_SERVE_CONNECTIONS": str(self.connections),
                "POLYMODAL_SERVE_KEEP_ALIVE": str(self.keep_alive),
                "POLYMODAL_SERVE_HEADER_BYTES": str(self.header_bytes),
                "POLYMODAL_TRUSTED_PROXIES": self.trusted_proxies}


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus a deadline per request, a header size cap and a cap on connections
    per address. httptools, not h11: h11 parses in Python, about a tenth of the search page's CPU (issue 18)."""

    open_by_address: Counter[str] = Counter()
    """Per worker process: every connection of a worker runs on its one event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = _limits()
        self.deadline: asyncio.TimerHandle | None = None
        self.address = ""
        self.head_bytes = 0
        self.head_done = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.address = self.client[0] if self.client else ""
        self.open_by_address[self.address] += 1
        cap = self.limits.per_address
        if cap and self.open_by_address[self.address] > cap and self.address not in self._trusted():
            self.transport.close()  # nothing read yet: closing at once costs this worker nothing
            return
        self._start_deadline()  # a connection that sends nothing is a request that never arrives

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        self.open_by_address[self.address] -= 1
        if self.open_by_address[self.address] <= 0:
            del self.open_by_address[self.address]
        super().connection_lost(exc)

    # The parser calls these as the request arrives: its first byte, its head, its end.

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes, self.head_done = 0, False
        if self.deadline is None:
            self._start_deadline()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.head_done = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_deadline()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._stop_deadline()  # the keep-alive timer takes over until the next request's first byte
        super().on_response_complete()

    def _count(self, n: int) -> None:
        self.head_bytes += n
        if self.head_bytes > self.limits.header_bytes:
            # Raised inside the parser's callback: uvicorn answers 400 and closes the connection.
            raise ValueError("request head too large")

    def _start_deadline(self) -> None:
        self.deadline = self.loop.call_later(self.limits.request_timeout, self._too_slow)

    def _stop_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        if not self.head_done:
            self.transport.write(TIMEOUT_RESPONSE)  # the head never arrived: nothing else will answer
        self.transport.close()  # else the app is reading the body: it sees a disconnect

    def _trusted(self) -> set[str]:
        return {a.strip() for a in self.limits.trusted_proxies.split(",")}


_cached: list[ServeLimits] = []


def _limits() -> ServeLimits:
    if not _cached:
        _cached.append(ServeLimits.from_environment())
    return _cached[0]


def serving_app() -> Litestar:
    """The app as each worker of ``polymodal serve`` runs it, with what start-up made frozen out of the garbage
    collector's sight.

    Start-up leaves some 190,000 objects (modules, models, plugins, templates) that live as long as the worker.
    Python's full collection walks them all, each time the objects that outlive a few young collections add up
    to a quarter of them, which pages holding a busy week's cards in flight do every hundred or so pages: a
    pause of about 90 ms each time, 0.7 ms of CPU per week calendar on average (issue 18, docs/performance.md
    "Start-up objects frozen"). ``gc.freeze`` leaves them out of every later collection; garbage is still
    collected as before. Tests build their apps with ``create_app``, unfrozen, so what one test leaves can be
    freed.
    """
    from polymodal.web.app import create_app

    app = create_app()
    # No collection first: it took 93 ms of the start-up and found 25 unreachable objects to free.
    gc.freeze()
    return app


def serve(host: str, port: int, workers: int, limits: ServeLimits) -> None:
    """Run the app with uvicorn and these limits; raises ``StartupError`` on unsafe settings."""
    import uvicorn

    settings = WebSettings()
    settings.check()  # a clear message here, before uvicorn would wrap it in a traceback
    configured_page_threads()  # the same for a bad POLYMODAL_PAGE_THREADS
    if settings.secure and not keys.configured():
        # The development key sits beside the database: whoever can change the one can read the other.
        raise StartupError("no integrity key: set POLYMODAL_AUDIT_KEY_FILE to a key file kept away from the "
                           "database (see docs/operations.md). For plain-http development set "
                           "POLYMODAL_INSECURE_COOKIES=1 instead, which uses a development key.")
    os.environ.update(limits.to_environment())
    _cached.clear()
    uvicorn.run("polymodal.web.server:serving_app", factory=True, host=host, port=port, workers=workers,
                http=LimitedProtocol, loop="uvloop", access_log=False, log_level="info",
                timeout_keep_alive=limits.keep_alive, limit_concurrency=limits.connection_cap(),
                proxy_headers=True, forwarded_allow_ips=limits.trusted_proxies,
                timeout_graceful_shutdown=30, server_header=False)
