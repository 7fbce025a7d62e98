"""Start `polymodal serve` from any checkout (this one, or an older commit's worktree) for the edge benches.

Loopback only. The server gets a fresh data directory, a migrated database, and
optionally the file-descriptor limit a systemd service gets by default (1,024).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from _load import free_port, stop

HERE = Path(__file__).resolve().parent


@contextmanager
def polymodal_server(root: Path, *, nofile: int = 1024, args: tuple[str, ...] = (), demo: bool = False):
    """Yield (port, pid) of `polymodal serve` run from ``root``'s own virtual environment."""
    binary = root / ".venv" / "bin" / "polymodal"
    data = Path(tempfile.mkdtemp(prefix="pm-edge-"))
    env = {**os.environ, "POLYMODAL_DATA_DIR": str(data), "POLYMODAL_INSECURE_COOKIES": "1"}
    env.pop("POLYMODAL_DATABASE_URL", None)
    subprocess.run([str(binary), "db", "upgrade"], env=env, check=True, capture_output=True)
    if demo:
        subprocess.run([str(binary), "demo"], env=env, check=True, capture_output=True)
    port = free_port()

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    log = open(data / "server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), *args], env=env,
                            stdout=log, stderr=log, preexec_fn=limit_files, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit((data / "server.log").read_text()) from None
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        stop(proc)
        log.close()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's worker is the server itself with 1 worker)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total / 1024
