"""The servers bench/run.py loads: the app as in production, the bare ceiling, Datasette. All on 127.0.0.1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _load import free_port, stop, wait_for

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
LOGS = HERE / "data" / "logs"  # git-ignored, like the data


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    started_in: float
    """Seconds from process start to the first 200 on the ready URL."""
    log: Path
    """The server's stderr (a file: a pipe nobody reads blocks a server that logs a lot)."""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _start(name: str, command: list[str], ready_path: str, env: dict | None = None, timeout: float = 120
           ) -> Server:
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.log"
    started = time.perf_counter()
    with log.open("wb") as stderr:
        proc = subprocess.Popen(command, env={**os.environ, **(env or {})}, start_new_session=True,
                                stdout=stderr, stderr=stderr)
    wait_for(f"http://127.0.0.1:{port}{ready_path}", proc, timeout=timeout)
    return Server(name, proc, port, time.perf_counter() - started, log)


@contextmanager
def serving(server_factory, *args, **kwargs):
    server = server_factory(*args, **kwargs)
    try:
        yield server
    finally:
        stop(server.proc)


APP_BIN = BIN
"""Where `polymodal` is installed: this checkout's .venv/bin, or another checkout's (run.py --app-root)."""


def polymodal(database_url: str, workers: int = 1) -> Server:
    """`polymodal serve`: uvicorn, as `make run` starts it, on the generated database."""
    return _start(f"polymodal ({workers} worker{'s' if workers > 1 else ''})",
                  [str(APP_BIN / "polymodal"), "serve", "--host", "127.0.0.1", "--port", "{port}",
                   "--workers", str(workers)], "/healthz",
                  env={"POLYMODAL_DATABASE_URL": database_url, "POLYMODAL_INSECURE_COOKIES": "1"})


def bare() -> Server:
    """bare.py under the same server and settings as the app: uvicorn, one worker, no access log."""
    return _start("bare", [str(BIN / "uvicorn"), "--app-dir", str(HERE), "--factory", "bare:build_app",
                           "--host", "127.0.0.1", "--port", "{port}", "--no-access-log", "--log-level", "warning"],
                  "/")


def datasette(db_file: Path, *, facets: bool) -> Server:
    """Datasette on the same SQLite file: as shipped, or with facet suggestions off (its best table page)."""
    settings = [] if facets else ["--setting", "suggest_facets", "off"]
    return _start("datasette" if facets else "datasette, suggest_facets off",
                  [str(BIN / "datasette"), "serve", str(db_file), "--host", "127.0.0.1", "--port", "{port}",
                   *settings], "/-/versions.json")
