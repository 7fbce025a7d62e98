"""The suite's one 'now'. Tests never read the wall clock, so they pass at any hour and in any zone.

``FIXED_NOW`` is 08:00 on a Wednesday in Los Angeles (the demo center's and the fixture center's zone),
before the demo's first session of the day, eleven days before the US returns to standard time (so the
demo's four-week series crosses it), with the demo's teenager (born 2014-06-01) aged 12.
"""

from __future__ import annotations

import datetime as dt
import time

from polymodal.core.testing import FIXED_NOW, FixedClock

# The clock is the one polymodal's testing kit gives plugin authors (polymodal.core.testing).
Clock = FixedClock


class RunningClock:
    """Starts at ``FIXED_NOW`` and runs with real elapsed time, for a live server a browser drives:
    its sign-in sessions age as they would, yet every run sees the same day. ``offset`` jumps ahead."""

    def __init__(self, start: dt.datetime = FIXED_NOW) -> None:
        self.start, self.started = start, time.monotonic()
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.started) + self.offset
