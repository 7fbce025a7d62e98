"""CPU per page inside one process, without HTTP: the app's ASGI callable driven directly, one request at a time.

    .venv/bin/python bench/inprocess.py --scale 0.1                 # every page, and the bare page
    .venv/bin/python bench/inprocess.py --scale 0.1 --pages search --requests 300 --rounds 7

``bench/run.py`` loads the pages through a real server with wrk, so its figures move with whatever else the
machine runs. This one counts the process's own CPU time (user + system, every thread: the handlers run in
worker threads) over a batch of sequential requests, and keeps the best of several batches: the figure that
other load disturbs least. Requests go ``--concurrency`` at a time, so read pages share their audit commits as
they do under load. It leaves out the HTTP server (parsing and writing the bytes), which run.py keeps.
``--calls`` counts function calls per request instead: slower, and steady however loaded the machine is.
Run it from two checkouts, alternately, to compare code (it imports whichever ``polymodal`` the interpreter
has installed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pages  # noqa: E402


class Asgi:
    """Just enough of an ASGI server to call an app: one request, the whole response collected."""

    def __init__(self, app) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
                      ) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        sent = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
        if self.cookies:
            sent.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        sent += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if body:
            sent.append((b"content-length", str(len(body)).encode()))
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": query.encode(), "root_path": "", "headers": sent,
                 "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {}}
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = 0, []

        async def receive():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie":
                        key, _, rest = value.decode().partition("=")
                        self.cookies[key.strip()] = rest.split(";", 1)[0]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def sign_in(asgi: Asgi, username: str) -> None:
    _, body = await asgi.request("GET", "/sign-in")
    token = asgi.cookies.get("pm_csrf") or re.search(rb'name="_csrf" value="([^"]+)"', body)[1].decode()
    form = urllib.parse.urlencode({"username": username, "password": pages.PASSWORD, "_csrf": token, "next": "/"})
    status, _ = await asgi.request("POST", "/sign-in", form.encode(),
                                   {"content-type": "application/x-www-form-urlencoded"})
    if status != 303:
        raise SystemExit(f"sign-in as {username} failed: HTTP {status}")


class Calls:
    """Counts Python and C function calls in every thread: a measure of work that other load cannot move.

    Installed before any thread starts (Python 3.11 cannot reach threads already running), counting only
    while ``on``."""

    def __init__(self) -> None:
        self.count = 0
        self.on = False
        threading.setprofile(self)
        sys.setprofile(self)

    def __call__(self, frame, event, arg):
        if self.on and (event == "call" or event == "c_call"):
            self.count += 1


CALLS: Calls | None = None


async def calls_per_request(asgi: Asgi, path: str, requests: int) -> float:
    for _ in range(10):
        await asgi.request("GET", path)
    CALLS.count, CALLS.on = 0, True
    for _ in range(requests):
        await asgi.request("GET", path)
    CALLS.on = False
    return CALLS.count / requests


async def cpu_per_request(asgi: Asgi, path: str, requests: int, rounds: int, concurrency: int) -> float:
    """Microseconds of process CPU per request: the best of ``rounds`` batches of ``requests``, sent
    ``concurrency`` at a time (as a loaded server gets them: read pages' audit events share their commits)."""
    for _ in range(max(10, requests // 5)):  # warm: compiled templates, cached statements, pooled connections
        status, _ = await asgi.request("GET", path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests // concurrency):
            await asyncio.gather(*(asgi.request("GET", path) for _ in range(concurrency)))
        best = min(best, (time.process_time() - started) / (requests // concurrency * concurrency) * 1e6)
    return best


async def measure(args: argparse.Namespace) -> dict[str, float]:
    import bare

    chosen = set(args.pages.split(","))
    out = {}
    measure_one = (lambda asgi, path: calls_per_request(asgi, path, args.requests)) if args.calls else (
        lambda asgi, path: cpu_per_request(asgi, path, args.requests, args.rounds, args.concurrency))
    if "bare" in chosen:
        out["bare"] = await measure_one(Asgi(bare.build_app()), "/")
    url = f"sqlite:///{HERE / 'data' / f'center-{args.scale:g}.db'}"
    os.environ.update({"POLYMODAL_DATABASE_URL": url, "POLYMODAL_INSECURE_COOKIES": "1"})
    from polymodal.web.app import create_app

    app = create_app()
    by_user: dict[str, Asgi] = {}
    for page in pages.pages(pages.sample(url)):
        if page.key not in chosen:
            continue
        if page.user not in by_user:
            by_user[page.user] = Asgi(app)
            await sign_in(by_user[page.user], page.user)
        out[page.key] = await measure_one(by_user[page.user], page.path)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="the center bench/run.py generated")
    parser.add_argument("--pages", default="bare,search,client,schedule,session,dashboard")
    parser.add_argument("--requests", type=int, default=100, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="batches; the best counts")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--calls", action="store_true",
                        help="count function calls per request instead of CPU time (slower, steady under load)")
    args = parser.parse_args()
    if args.calls:
        global CALLS
        CALLS = Calls()
    results = asyncio.run(measure(args))
    bare_cpu = results.get("bare")
    unit = "function calls/request" if args.calls else "CPU µs/request"
    print(f"| page | {unit} | × bare |\n|---|---:|---:|")
    for key, value in results.items():
        print(f"| {key} | {value:,.0f} | {f'{value / bare_cpu:.1f}' if bare_cpu else ''} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
