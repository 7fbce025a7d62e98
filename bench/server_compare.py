"""Which server: the app and the bare page under uvicorn and granian, each loop and parser (issue 18, item 2).

    .venv/bin/python bench/server_compare.py                       # the center bench/run.py made at scale 0.1
    .venv/bin/python bench/server_compare.py --rounds 1 --duration 3 --only uvicorn-uvloop,granian-uvloop

Each variant serves, one worker, on 127.0.0.1, first bench/bare.py's page (the framework's ceiling), then
polymodal's app on the generated center, signed in as bench/run.py signs in; every page is checked once for
a 200 and its content, then loaded with wrk after a warm-up. Rounds are interleaved (every variant, then
again), so a drift in the machine's load hits all alike; the table gives medians and each run's req/s.
CPU is the serving process's (granian's worker, not its supervisor). Writes bench/results/servers-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pages
import servers
from _load import NPROC, Run, cpu_list, measure, pin

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Variant:
    key: str
    title: str
    command: tuple[str, ...]
    """How to serve ``{app}`` (polymodal or bare) on ``{port}``."""

    @property
    def granian(self) -> bool:
        return self.key.startswith("granian")


def _uvicorn(http: str, loop: str) -> tuple[str, ...]:
    return (sys.executable, str(HERE / "uvicorn_variant.py"), "--app", "{app}", "--http", http, "--loop", loop,
            "--port", "{port}")


def _granian(loop: str) -> tuple[str, ...]:
    # Defaults otherwise (HTTP auto, one runtime thread); the factory builds the app in the worker process.
    return (str(servers.BIN / "granian"), "--interface", "asgi", "--workers", "1", "--loop", loop,
            "--no-access-log", "--log-level", "warning", "--host", "127.0.0.1", "--port", "{port}",
            "--working-dir", str(HERE), "--factory", "{target}")


VARIANTS = [
    Variant("uvicorn-uvloop", "uvicorn, httptools + limits, uvloop (`polymodal serve`)", _uvicorn("limited", "uvloop")),
    Variant("uvicorn-asyncio", "uvicorn, httptools + limits, asyncio loop", _uvicorn("limited", "asyncio")),
    Variant("uvicorn-plain", "uvicorn, httptools without the limits, uvloop", _uvicorn("httptools", "uvloop")),
    Variant("uvicorn-h11", "uvicorn, h11 (no limits), uvloop", _uvicorn("h11", "uvloop")),
    Variant("granian-asyncio", "granian --interface asgi --loop asyncio", _granian("asyncio")),
    Variant("granian-uvloop", "granian --interface asgi --loop uvloop", _granian("uvloop")),
]
TARGETS = {"polymodal": "polymodal.web.app:create_app", "bare": "bare:build_app"}


def environment(database_url: str) -> dict[str, str]:
    """What `polymodal serve` gives the app (jobs in the server), on a generated center over plain http."""
    return {"POLYMODAL_DATABASE_URL": database_url, "POLYMODAL_INSECURE_COOKIES": "1",
            "POLYMODAL_JOBS_IN_PROCESS": "1"}


def start(variant: Variant, app: str, database_url: str, cpus: str | None) -> tuple[servers.Server, int]:
    """The server, and the pid of the process that serves (granian's worker; uvicorn's one process)."""
    command = [part.replace("{app}", app).replace("{target}", TARGETS[app]) for part in variant.command]
    ready = "/healthz" if app == "polymodal" else "/"
    server = servers._start(f"{variant.key} {app}", command, ready, env=environment(database_url))
    if cpus:
        pin(server.proc.pid, cpu_list(cpus))
    if not variant.granian:
        return server, server.proc.pid
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    return server, int(children[0])


def run_variant(variant: Variant, sample: pages.Sample, database_url: str, args: argparse.Namespace
                ) -> dict[str, Run | str]:
    out: dict[str, Run | str] = {}

    def load(base: str, path: str, pid: int, cookie: str = "") -> Run:
        return measure(base + path, pid, duration=args.duration, warmup=args.warmup, connections=args.connections,
                       headers={"Cookie": cookie} if cookie else None, quiet_patience=args.patience,
                       wrk_cpus=args.wrk_cpus)

    if "bare" in args.pages:
        server, pid = start(variant, "bare", database_url, args.server_cpus)
        try:
            out["bare"] = load(server.base, "/", pid)
        finally:
            servers.stop(server.proc)
    wanted = [p for p in pages.pages(sample) if p.key in args.pages]
    if wanted:
        server, pid = start(variant, "polymodal", database_url, args.server_cpus)
        try:
            cookies = {user: pages.sign_in(server.base, user) for user in {p.user for p in wanted}}
            for page in wanted:
                status, body = pages.get(server.base, page.path, cookies[page.user])
                if status != 200 or page.must_contain.encode() not in body:
                    out[page.key] = f"preflight HTTP {status}"
                    continue
                out[page.key] = load(server.base, page.path, pid, cookies[page.user])
        finally:
            servers.stop(server.proc)
    return out


def median_of(runs: list[Run | str], key: str) -> float:
    return statistics.median(getattr(r, key) for r in runs if isinstance(r, Run) and r.ok)


def table(results: dict[str, dict[str, list[Run | str]]], page_keys: list[str]) -> str:
    titles = {**{p: p for p in page_keys}, "bare": "bare page (bench/bare.py)", "search": "client search",
              "client": "client page"}
    lines = ["| page | server | req/s (each run) | ÷ production | p50 ms | p99 ms | CPU µs/req | RSS MB | others % |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for page in page_keys:
        base = results.get("uvicorn-uvloop", {}).get(page)
        base_rps = median_of(base, "rps") if base and any(isinstance(r, Run) and r.ok for r in base) else None
        for variant in VARIANTS:
            runs = results.get(variant.key, {}).get(page)
            if not runs:
                continue
            good = [r for r in runs if isinstance(r, Run) and r.ok]
            if not good:
                why = next((r for r in runs if isinstance(r, str)), "errors under load")
                lines.append(f"| {titles[page]} | {variant.title} | {why} | | | | | | |")
                continue
            rps = median_of(runs, "rps")
            each = " / ".join(f"{r.rps:,.0f}" if isinstance(r, Run) and r.ok else "failed" for r in runs)
            ratio = f"{rps / base_rps:.2f}" if base_rps else ""
            lines.append(f"| {titles[page]} | {variant.title} | **{rps:,.0f}** ({each}) | {ratio} "
                         f"| {median_of(runs, 'p50'):.1f} | {median_of(runs, 'p99'):.1f} "
                         f"| {median_of(runs, 'cpu_us'):,.0f} | {max(r.rss for r in good):.0f} "
                         f"| {median_of(runs, 'others'):.0f} |")
    return "\n".join(lines)


REPORT = """# Which server: uvicorn and granian, one worker each

- date: {date} UTC; command: `.venv/bin/python bench/server_compare.py{options}`
- machine: nproc {nproc} ({cpu}), {platform}, Python {python}; load average before {load_before}, after {load_after}
- versions: {versions}
- data: `{db}`; pages signed in as bench/run.py does (front desk `{desk}` for the search, `{practitioner}` for the
  client page); the bare page is bench/bare.py (50 static rows, no DB)
- load: `wrk -t2 -c{connections} -d{duration:g}s --latency` after a {warmup:g} s warm-up{wrk_pin}; every response
  checked for 200; {rounds} interleaved round(s), a freshly started server per variant and round; figures are
  medians over the rounds, RSS the largest. CPU µs/req is the serving process's user + system time per request
  (granian: its worker process, not the supervisor). "÷ production" compares with `polymodal serve`'s own
  settings (first row of each page). "others %" is the CPU, in % of all cores, that neither the server nor
  wrk used during the run (a shared machine).

{table}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "data" / "center-0.1.db",
                        help="a center bench/run.py generated (default bench/data/center-0.1.db)")
    parser.add_argument("--only", default=",".join(v.key for v in VARIANTS), help="variants, comma-separated")
    parser.add_argument("--pages", default="bare,search,client", help="bare and pages.py's keys, comma-separated")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--patience", type=float, default=10, help="seconds to wait for a quiet machine per run")
    parser.add_argument("--server-cpus", help="pin the server to these CPUs (taskset list), e.g. 0")
    parser.add_argument("--wrk-cpus", help="pin wrk to these CPUs, e.g. 1")
    parser.add_argument("--out", type=Path, help="default bench/results/servers-<date>.md")
    args = parser.parse_args()
    args.pages = args.pages.split(",")
    if not args.db.exists():
        sys.exit(f"{args.db} does not exist: run bench/run.py --scale 0.1 once, or pass --db")
    database_url = f"sqlite:///{args.db.resolve()}"
    chosen = [v for v in VARIANTS if v.key in args.only.split(",")]
    sample = pages.sample(database_url)
    load_before = os.getloadavg()
    results: dict[str, dict[str, list[Run | str]]] = {v.key: {} for v in chosen}
    for round_ in range(1, args.rounds + 1):
        for variant in chosen:
            for page, run in run_variant(variant, sample, database_url, args).items():
                results[variant.key].setdefault(page, []).append(run)
                said = run if isinstance(run, str) else (
                    f"{run.rps:8,.0f} req/s  p50 {run.p50:6.1f}  p99 {run.p99:6.1f} ms  {run.cpu_us:6,.0f} µs/req  "
                    f"others {run.others:3.0f} %" + ("" if run.ok else f"  NOT OK ({run.non200} non-200)"))
                print(f"round {round_} {variant.key:<16} {page:<7} {said}", flush=True)
    report = REPORT.format(
        date=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", options=" ".join(["", *sys.argv[1:]]), nproc=NPROC,
        cpu=re.search(r"model name\s*: (.*)", Path("/proc/cpuinfo").read_text())[1], platform=platform.platform(),
        python=platform.python_version(), load_before=" / ".join(f"{x:.1f}" for x in load_before),
        load_after=" / ".join(f"{x:.1f}" for x in os.getloadavg()),
        versions=", ".join(f"{p} {version(p)}" for p in ("uvicorn", "httptools", "h11", "uvloop", "granian",
                                                          "litestar")),
        db=args.db, desk=pages.FRONT_DESK, practitioner=sample.practitioner, connections=args.connections,
        duration=args.duration, warmup=args.warmup, rounds=args.rounds,
        wrk_pin=f", wrk on CPU {args.wrk_cpus}, server on CPU {args.server_cpus}" if args.wrk_cpus else
        ", wrk on the same cores as the server",
        table=table(results, args.pages))
    out = args.out or HERE / "results" / f"servers-{dt.date.today()}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print("\n" + report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
