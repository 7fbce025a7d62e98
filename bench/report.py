"""The results table and the issue's targets, as markdown (printed and written to bench/results/)."""

from __future__ import annotations

from dataclasses import dataclass

from _load import Run


@dataclass
class Row:
    key: str
    title: str
    server: str
    url: str
    run: Run | None = None
    status: str = ""
    """Why there is no figure: "FAILED: ..." (non-200 answers)."""
    user: str = ""


@dataclass
class Target:
    name: str
    met: bool | None
    figure: str

    @property
    def verdict(self) -> str:
        return "n/a" if self.met is None else "MET" if self.met else "MISSED"


def failure(r: Run) -> str:
    if r.requests == 0:
        return "no response completed within the run (each took longer)"
    return f"FAILED: {r.non200} of {r.requests} not 200, {r.socket_errors} socket errors"


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value and base else ""


def table(rows: list[Row], bare: float | None, dbest: float | None) -> str:
    out = ["| page | server | req/s | p50 ms | p99 ms | CPU µs/req | RSS MB | ÷ bare | × Datasette best "
           "| load avg | others % |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        r = row.run
        if r is None or not r.ok:
            status = row.status or (failure(r) if r else "")
            out.append(f"| {row.title} | {row.server} | {status} | | | | | | | | |")
            continue
        out.append(f"| {row.title} | {row.server} | {r.rps:,.0f} | {r.p50:.1f} | {r.p99:.1f} | {r.cpu_us:,.0f} "
                   f"| {r.rss:.0f} | {_ratio(r.rps, bare)} | {_ratio(r.rps, dbest)} | {r.load:.1f} | {r.others:.0f} |")
    return "\n".join(out)


def targets_table(targets: list[Target]) -> str:
    out = ["| target | verdict | figure |", "|---|---|---|"]
    out += [f"| {t.name} | **{t.verdict}** | {t.figure} |" for t in targets]
    return "\n".join(out)
