"""Shared load-test helpers for bench/ scripts: wrk, /proc accounting, a shared machine's noise, servers.

Loopback only: every URL these helpers load is on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

NPROC = len(os.sched_getaffinity(0))  # what `nproc` prints
WRK = shutil.which("wrk")

# Counts every response that is not a 200 (wrk's own "Non-2xx" line misses redirects, such as a
# sign-in page after an expired session): each thread keeps its count, done() sums them.
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("NON200 %d\\n", total))
end
"""


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:  # a server left on the port would be measured instead of ours
        return probe.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen | None = None, timeout: float = 60, headers: dict | None = None
             ) -> tuple[float, int, bytes]:
    """Poll until the URL answers 200: (seconds waited, status, body). Exits if the process dies or time runs out."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline and (proc is None or proc.poll() is None):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started, response.status, response.read()
        except OSError:
            pass
        time.sleep(0.02)
    if proc is not None:
        stop(proc)
    sys.exit(f"{url} did not answer 200 within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGINT, then SIGKILL of the server's own process group (started with start_new_session=True)."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def descendants(pid: int) -> list[int]:
    """The process and all its children (a multi-worker server), from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its living descendants and the children it has reaped (a PostgreSQL
    postmaster's backends that ended during a run are counted in its cutime)."""
    total = 0.0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return total


def pin(pid: int, cpus: set[int]) -> None:
    """Set the CPU affinity of a process and every descendant; children forked later inherit it."""
    for p in descendants(pid):
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                os.sched_setaffinity(int(task.name), cpus)
        except OSError:
            pass  # a process that ended meanwhile


def cpu_list(spec: str) -> set[int]:
    """taskset's list syntax: "0", "0-3", "0,2-3"."""
    out: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.update(range(int(low), int(high or low) + 1))
    return out


def cpu_and_rss(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and resident MB of one process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything since boot: user..steal minus idle and iowait."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(patience: float = 30) -> None:
    """This machine is shared: start a run only after 3 s in a row with others using < 10 % of it."""
    quiet, deadline = 0, time.monotonic() + patience
    while quiet < 3 and time.monotonic() < deadline:
        busy = machine_busy_seconds()
        time.sleep(1)
        quiet = quiet + 1 if machine_busy_seconds() - busy < 0.1 * NPROC else 0
    if quiet < 3:
        print(f"  (the machine stayed busy for {patience:.0f} s: measuring anyway, see 'others')", flush=True)


def wrk(url: str, duration: str, *, connections: int = 32, threads: int = 2, headers: dict | None = None,
        lua: str | None = None, timeout: str = "10s", cpus: str | None = None) -> str:
    """One wrk run; ``cpus`` (taskset's list syntax) keeps it off the server's cores."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"loopback only: {url}")
    command = [*(["taskset", "-c", cpus] if cpus else []), WRK or "wrk", f"-t{min(threads, connections)}",
               f"-c{connections}", f"-d{duration}", "--latency", f"--timeout={timeout}"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if lua:
            script.write(lua)
            script.flush()
            command += ["-s", script.name]
        return subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout


def millis(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


@dataclass
class Run:
    """One wrk run and what the machine did meanwhile."""

    rps: float
    p50: float
    p99: float
    requests: int
    non200: int
    socket_errors: int
    cpu_us: float
    """The server's processes' user + system CPU per completed request."""
    rss: float
    """The server's processes' resident MB after the run (summed over workers)."""
    others: float
    """CPU % of all cores that neither the server nor wrk used during the run (a shared machine)."""
    load: float
    """1-minute load average before the run."""
    raw: str = field(repr=False, default="")
    elapsed: float = 0.0
    """Seconds the counted run took."""
    server_cpu: float = 0.0
    wrk_cpu: float = 0.0
    parties_cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds of the other processes measured alongside (``parties`` of measure()), e.g. PostgreSQL."""

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non200 == 0 and self.socket_errors == 0


def parse_wrk(out: str) -> dict:
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    counted = re.search(r"^NON200 (\d+)", out, re.M)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "requests": int(re.search(r"(\d+) requests in", out)[1]),
            "p50": millis(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),
            "p99": millis(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
            "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
            "non200": int(counted[1]) if counted else int(non2xx[1]) if non2xx else 0}


def measure(url: str, server_pid: int, *, duration: float, warmup: float, connections: int = 32,
            headers: dict | None = None, quiet_patience: float = 0, wrk_cpus: str | None = None,
            parties: dict[str, int] | None = None) -> Run:
    """Warm up, then one counted wrk run; the server's CPU and RSS, and the CPU others used meanwhile.

    ``parties`` names other processes (a database server) whose CPU, with their descendants', is counted
    apart rather than as "others"."""
    if quiet_patience:
        wait_until_quiet(quiet_patience)
    if warmup:
        wrk(url, f"{warmup:g}s", connections=connections, headers=headers, cpus=wrk_cpus)
    load = os.getloadavg()[0]
    pids = descendants(server_pid)
    cpu_before = sum(cpu_and_rss(p)[0] for p in pids)
    parties_before = {name: tree_cpu(pid) for name, pid in (parties or {}).items()}
    busy, children = machine_busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = wrk(url, f"{duration:g}s", connections=connections, headers=headers, lua=STATUS_LUA, cpus=wrk_cpus)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pids = descendants(server_pid)
    stats = [cpu_and_rss(p) for p in pids]
    parties_cpu = {name: tree_cpu(pid) - parties_before[name] for name, pid in (parties or {}).items()}
    server_cpu = sum(c for c, _ in stats) - cpu_before
    wrk_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    others = machine_busy_seconds() - busy - server_cpu - wrk_cpu - sum(parties_cpu.values())
    parsed = parse_wrk(out)
    return Run(**parsed, cpu_us=server_cpu / max(parsed["requests"], 1) * 1e6, rss=sum(r for _, r in stats),
               others=max(0.0, 100 * others / elapsed / NPROC), load=load, raw=out, elapsed=elapsed,
               server_cpu=server_cpu, wrk_cpu=wrk_cpu, parties_cpu=parties_cpu)
