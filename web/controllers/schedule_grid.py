"""The calendar as a time grid: lanes (a practitioner, a room or a day), cards placed by time, hours shaded,
free slots that open the booking form pre-filled. Pure layout over what schedule_views already read.

Positions are classes of web/static/grid.css (``t-N`` top and ``h-N`` height in 5-minute steps, ``c-XofY``
side-by-side columns), since the Content-Security-Policy allows no inline styles. That file comes from::

    for n in range(289): f".tgrid .t-{n} {{ top: calc({n * 5} * var(--ppm)); }}"   # and h-1..h-288, c-XofY
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from polymodal.core.availability import Availability

STEP = 30  # minutes per free slot: schedule/index.html draws them h-6 high (a test checks)
GRAIN = 5  # minutes per position step in grid.css
MAX_COLS = 4  # side-by-side columns grid.css has classes for


def _steps(minutes: int) -> int:
    return max(0, min(288, round(minutes / GRAIN)))
BUSY = ("scheduled", "checked_in", "completed", "no_show")


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def span_of(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """A card's first and last minute in its lane's day (local times): one that runs past midnight ends at
    the end of its day."""
    first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return first, (last if last > first else 24 * 60)


def bounds(cards: list[dict[str, Any]], center: tuple[dt.time, dt.time]) -> tuple[int, int]:
    """First and last minute shown: the center's hours, widened to whole hours around every session."""
    lo, hi = _minutes(center[0]), _minutes(center[1])
    for card in cards:
        start, end = card["span"]
        lo, hi = min(lo, start), max(hi, end)
    return lo // 60 * 60, min(24 * 60, -(-hi // 60) * 60)


def _place(cards: list[dict[str, Any]], lo: int, span: int) -> list[dict[str, Any]]:
    """Cards with top/height (percent of the lane) and side-by-side columns where they overlap."""
    placed, group, group_end = [], [], -1
    ordered = sorted(cards, key=lambda c: (c["span"][0], c["id"]))

    def close(members: list[dict[str, Any]]) -> None:
        columns: list[int] = []  # end minute per column
        for card in members:
            start = card["span"][0]
            col = next((i for i, end in enumerate(columns) if end <= start), len(columns))
            if col == len(columns):
                columns.append(0)
            columns[col] = card["_end"]
            card["col"] = col
        for card in members:
            cols = min(len(columns), MAX_COLS)
            card["cols"], card["col"] = cols, card["col"] % cols

    for card in ordered:
        start, end = card["span"]
        card = {**card, "_end": end, "top": _steps(start - lo), "height": max(2, _steps(end - start))}
        if start >= group_end and group:
            close(group)
            group = []
        group.append(card)
        group_end = max(group_end, end)
        placed.append(card)
    if group:
        close(group)
    return placed


def _shade(spans: list[tuple[dt.time, dt.time]] | None, lo: int, hi: int) -> list[tuple[int, int]]:
    """(top, height) steps of the bands outside ``spans`` (none when hours are not set)."""
    if spans is None:
        return []
    bands, cursor = [], lo
    for start, end in sorted(spans):
        a, b = max(_minutes(start), lo), min(_minutes(end), hi)
        if a > cursor:
            bands.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < hi:
        bands.append((cursor, hi))
    return [(_steps(a - lo), max(1, _steps(b - a))) for a, b in bands if b > a]


def lane(key: str, label: str, day: dt.date, cards: list[dict[str, Any]], hours: Availability, lo: int, hi: int,
         *, practitioner: uuid.UUID | None, room: uuid.UUID | None, bookable: bool, href: str = "") -> dict[str, Any]:
    working = hours.working_on(practitioner, day)
    room_open = hours.room_open_on(room, day)
    closed = _shade([hours.center], lo, hi)
    away = [(_steps(max(_minutes(a), lo) - lo), max(1, _steps(min(_minutes(b), hi) - max(_minutes(a), lo))), why)
            for a, b, why in hours.away_on(practitioner, day) if _minutes(b) > lo and _minutes(a) < hi]
    free = []
    if bookable:
        taken = [c["span"] for c in cards if c["status"] in BUSY]
        taken += [(_minutes(a), _minutes(b)) for a, b, _ in hours.away_on(practitioner, day)]
        allowed = [[(_minutes(a), _minutes(b)) for a, b in spans]
                   for spans in ([hours.center], working, room_open) if spans is not None]
        # What urlencode gave, written out: dates, times and ids need no quoting but the time's colon, and a
        # week has hundreds of free slots (urlencode was an eighth of the week calendar's handler).
        ids = (f"&practitioner_ids={practitioner}" if practitioner else "") + (f"&room_id={room}" if room else "")
        day_iso = day.isoformat()
        for start in range(lo, hi, STEP):
            end = start + STEP
            if any(a < end and start < b for a, b in taken):
                continue
            if not all(any(x <= start and end <= y for x, y in spans) for spans in allowed):
                continue
            time = f"{start // 60:02d}:{start % 60:02d}"
            free.append({"time": time, "top": _steps(start - lo),
                         "href": f"/schedule/new?date={day_iso}&time={time.replace(':', '%3A')}{ids}"})
    return {"key": key, "label": label, "href": href, "day": day.isoformat(), "cards": _place(cards, lo, hi - lo),
            "closed": closed, "off": _shade(working, lo, hi) + _shade(room_open, lo, hi), "away": away,
            "free": free, "practitioner": str(practitioner or ""), "room": str(room or "")}


def hour_marks(lo: int, hi: int) -> list[dict[str, Any]]:
    return [{"label": f"{m // 60:02d}:00", "top": _steps(m - lo)} for m in range(lo, hi, 60)]
