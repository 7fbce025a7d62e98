"""Stored in UTC, shown in the center's zone: the conversions, with DST handled on purpose."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from polymodal.core.errors import ValidationFailed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed({"timezone": f"'{name[:64]}' is not a known time zone (e.g. America/New_York)"}) from None


def local_to_utc(local: dt.datetime, tz: str, field: str = "starts_at") -> dt.datetime:
    """Interpret a wall-clock time in ``tz``.

    A time skipped by a spring-forward change does not exist and is refused;
    an ambiguous time in the repeated autumn hour takes its first occurrence.
    An aware datetime is taken as it is (its own offset wins).
    """
    if local.tzinfo is not None:
        return local.astimezone(dt.UTC)
    zi = zone(tz)
    aware = local.replace(tzinfo=zi, fold=0)
    back = aware.astimezone(dt.UTC).astimezone(zi)
    if back.replace(tzinfo=None) != local:
        raise ValidationFailed({field: f"{local:%Y-%m-%d %H:%M} does not exist in {tz} (the clocks change that night)"})
    return aware.astimezone(dt.UTC)


def to_local(moment: dt.datetime, tz: str) -> dt.datetime:
    return moment.astimezone(zone(tz))


def clock_time(moment: dt.datetime, tz: str) -> str:
    """``moment``'s local time of day as HH:MM: a fifth of what ``f"{moment:%H:%M}"`` costs (strftime), which
    a list of the day's sessions pays twice a row."""
    local = to_local(moment, tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def today_in(tz: str, now: dt.datetime) -> dt.date:
    return to_local(now, tz).date()


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def local_days(first: dt.date, last: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants that bound the local days ``first`` to ``last`` (inclusive): [start, end)."""
    return (local_to_utc(dt.datetime.combine(first, dt.time()), tz),
            local_to_utc(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), tz))

