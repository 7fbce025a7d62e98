"""Server-side trend charts: an instrument's totals over time, as geometry an SVG template draws.

No JavaScript and no chart library: the template (``assessments/_trend.html``)
writes an accessible ``<svg>`` (title, description, labelled axes, the
instrument's bands shaded, a ``<title>`` per point) followed by the same data
as a table, which is what a screen reader or a printout relies on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from polymodal.core.contributions import Assessment
from polymodal.core.timeutil import zone

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 132, 16, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    flagged: bool


@dataclass(frozen=True)
class BandArea:
    y: float
    height: float
    label: str
    severity: str
    label_y: float


@dataclass
class Trend:
    key: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_w: int = PLOT_W
    plot_h: int = PLOT_H
    bands: list[BandArea] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    path: str = ""
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _fmt(value: float) -> str:
    return f"{value:g}"


def trend(instrument: Assessment, results: list[Any], tz: str, dom_id: str) -> Trend:
    """The chart of ``results`` (rows with ``total``, ``band``, ``flags``, ``administered_at``), oldest first."""
    low, high = instrument.score_range
    totals = [float(r.total) for r in results]
    low, high = min([low, *totals]), max([high, *totals])
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return round(TOP + PLOT_H - (value - low) / span * PLOT_H, 1)

    chart = Trend(key=dom_id, title=f"{instrument.abbreviation} total over time", description="")
    ordered = sorted(instrument.bands, key=lambda b: b.low)
    for index, band in enumerate(ordered):
        # Bands are inclusive integer ranges (0-4, 5-9): shade up to the midpoint of each gap.
        bottom = low if index == 0 else (ordered[index - 1].high + band.low) / 2
        top = high if index == len(ordered) - 1 else (band.high + ordered[index + 1].low) / 2
        y_top, y_bottom = y(top), y(bottom)
        chart.bands.append(BandArea(y_top, round(y_bottom - y_top, 1), band.label, band.severity.value,
                                    round((y_top + y_bottom) / 2 + 4, 1)))
    ticks = sorted({low, high, *(b.low for b in ordered if low < b.low < high)})
    chart.y_ticks = [(y(t), _fmt(t)) for t in ticks]

    moments = [r.administered_at for r in results]
    first, last = (min(moments), max(moments)) if moments else (None, None)
    seconds = (last - first).total_seconds() if first and last else 0

    def x(moment: dt.datetime) -> float:
        if not seconds:
            return round(LEFT + PLOT_W / 2, 1)
        return round(LEFT + (moment - first).total_seconds() / seconds * PLOT_W, 1)

    for result in results:
        when = result.administered_at.astimezone(zone(tz))
        flags = [f.get("message", "") for f in result.flags or () if isinstance(f, dict)]
        risk = any(isinstance(f, dict) and f.get("severity") == "risk" for f in result.flags or ())
        band = result.band or "no band"
        label = f"{when:%d %b %Y}: {_fmt(result.total)} ({band})" + (f"; flag: {'; '.join(flags)}" if flags else "")
        chart.points.append(Point(x(result.administered_at), y(result.total), label, bool(flags)))
        chart.rows.append({"id": result.id, "when": f"{when:%d %b %Y}", "total": _fmt(result.total),
                           "band": result.band or "", "flags": flags, "risk": risk})
    chart.path = " ".join(f"{p.x},{p.y}" for p in chart.points)
    if first and last:
        # Results hours apart (a session and its follow-up) need the time to tell the points apart.
        fmt = "%d %b %Y" if seconds >= 2 * 86400 or not seconds else "%d %b %H:%M"
        chart.x_ticks = [(x(first), f"{first.astimezone(zone(tz)):{fmt}}")]
        if seconds:
            chart.x_ticks.append((x(last), f"{last.astimezone(zone(tz)):{fmt}}"))
    chart.description = _describe(instrument, chart.rows)
    return chart


def _describe(instrument: Assessment, rows: list[dict[str, Any]]) -> str:
    bands = ", ".join(f"{b.label} {_fmt(b.low)}–{_fmt(b.high)}" for b in sorted(instrument.bands, key=lambda b: b.low))
    if not rows:
        return f"No {instrument.abbreviation} results yet."
    first, last = rows[0], rows[-1]
    text = (f"{len(rows)} result{'s' if len(rows) != 1 else ''} of {instrument.name}, "
            f"from {first['total']} on {first['when']} to {last['total']} ({last['band'] or 'no band'}) "
            f"on {last['when']}.")
    flagged = sum(1 for r in rows if r["flags"])
    if flagged:
        text += f" {flagged} flagged."
    return text + (f" Bands: {bands}." if bands else "")

