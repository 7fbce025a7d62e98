"""Fragments of a page kept by everything they show, so that the same data is not drawn twice.

A page reads its data on every request (access is checked and the view audited each time, as always); what it
then draws from that data depends on nothing else. When the key a page gives holds every value the fragment
shows, the fragment drawn for an equal key is the one it would draw again: a change to any of those values makes
another key, so nothing kept can be out of date. The week calendar's grid and the dashboard's list of today's
sessions use it: drawing them was most of those pages' cost, and a desk shows the same week and the same day
again and again between changes (issue 18).

What is kept is the markup one actor was allowed to see. Another actor gets it only for an equal key, which
holds what their access let them read (a client's name, or only that the slot is taken), so it is the markup
they would have been drawn. It holds client names, so it is not kept long: ten minutes after it was drawn it is
drawn again, and a record erased or a name changed leaves the worker's memory within that time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

LIMIT = 16_000_000
"""Characters kept per worker (about 16 MB of markup in Latin script); the earliest drawn go first."""
KEPT_FOR = 600.0
"""Seconds a fragment is kept after it was drawn."""


class Drawn(Markup):
    """Markup one of the app's templates drew: every value in it has been through ``PageEnvironment.shown``
    already, so a page that shows it again does not look through it a second time."""

    __slots__ = ()


class Fragments:
    """Markup drawn by a template from a context, kept by a key that holds everything the context shows."""

    def __init__(self, limit: int = LIMIT, kept_for: float = KEPT_FOR,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.kept_for, self.clock = limit, kept_for, clock
        self._kept: OrderedDict[Hashable, tuple[Drawn, float]] = OrderedDict()  # markup, until; in the order drawn
        self._size = 0
        # The whole center's week is drawn on a page thread, others on the loop: what is kept changes under a lock
        # (a lookup alone is safe without it).
        self._lock = threading.Lock()

    def draw(self, env: Environment, template: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> Drawn:
        """``template`` drawn from ``context()``, or what it drew before for an equal ``key``.

        ``key`` must hold every value the context's markup shows: the context is built only when nothing is
        kept for it."""
        key = (template, key)
        now = self.clock()
        kept = self._kept.get(key)  # one lookup: hashing and comparing a week's key is most of a kept draw
        if kept is not None and kept[1] > now:
            return kept[0]
        drawn = Drawn(env.get_template(template).render(context()))
        with self._lock:
            gone = self._kept.pop(key, None)
            if gone is not None:
                self._size -= len(gone[0])
            if len(drawn) <= self.limit // 4:  # one very large week does not push out every other
                self._kept[key] = (drawn, now + self.kept_for)
                self._size += len(drawn)
            # The earliest drawn go first: when there is no room, and when their time is up.
            while self._kept and (self._size > self.limit or next(iter(self._kept.values()))[1] <= now):
                _, (gone_drawn, _) = self._kept.popitem(last=False)
                self._size -= len(gone_drawn)
        return drawn

    def __len__(self) -> int:
        return len(self._kept)
