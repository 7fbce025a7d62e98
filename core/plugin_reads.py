"""What a plugin's pages may read, through the core's own services and under the same access rules.

A plugin page must never open a database session of its own: the core's services check each access
rule and write the audit trail, and a plugin that bypassed them would show a client's record to someone
the core would refuse. ``CenterReads`` is the documented door: the web app hands one, bound to the
signed-in user, to any plugin handler that asks for a ``reads`` parameter. Each call is one read-only
transaction by that user, audited like the core page that shows the same data; a refusal raises
``AccessDenied`` (the app answers 403) and an unknown id ``NotFound`` (404).

It returns plain frozen values with names and times only, never clinical content.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from polymodal.core.contributions import Frozen

if TYPE_CHECKING:
    from polymodal.core.access import Actor
    from polymodal.core.practice import Practice


class ScheduledSession(Frozen):
    """A session as a plugin page sees it: times, modality and names, no clinical content."""

    id: str
    """The session's id."""
    starts_at: dt.datetime
    """When it starts (UTC, timezone-aware)."""
    ends_at: dt.datetime
    """When it ends (UTC, timezone-aware)."""
    starts_local: dt.datetime
    """``starts_at`` in the center's time zone, for showing (e.g. ``starts_local.strftime("%H:%M")``)."""
    modality_key: str
    """The session's ``ModalitySpec.key``."""
    format: str
    """A ``SessionFormat`` value."""
    delivery: str
    """``in_person``, ``phone`` or ``video``."""
    status: str
    """``scheduled``, ``checked_in``, ``completed``, ``cancelled`` or ``no_show``."""
    room: str
    """The room's name; empty for a remote session."""
    clients: tuple[str, ...]
    """Names of the clients the user may read (``client.read``); the others are left out, as on the schedule."""
    hidden_clients: int
    """How many of the session's clients the user may not read, so a page can say the slot is taken."""
    practitioners: tuple[str, ...]
    """The practitioners' display names."""


class ClientSummary(Frozen):
    """A client as a plugin page sees them: a name and an age, no contact or clinical details."""

    id: str
    """The client's id."""
    name: str
    """The name people use for the client (preferred first name, then last name)."""
    age: int
    """Age in whole years today, in the center's time zone."""
    minor: bool
    """Younger than the center's age of majority today."""


class CenterReads:
    """The signed-in user's read-only view of the center, for plugin pages (ask for a ``reads`` parameter)."""

    def __init__(self, practice: Practice, actor: Actor) -> None:
        self._practice = practice
        self._actor = actor

    def sessions(self, start: dt.datetime | None = None, end: dt.datetime | None = None, *,
                 modality: str | None = None) -> list[ScheduledSession]:
        """Sessions overlapping ``[start, end)`` (default: today in the center's time zone), optionally of one
        modality key, in start order; needs ``schedule.read``.

        The schedule's own service answers, so client names show only to those who may read the client,
        and one ``schedule.view`` audit event records the read.
        """
        from polymodal.core.services.calendar import calendar
        from polymodal.core.timeutil import local_days, to_local, today_in

        with self._practice.work(self._actor, write=False) as work:
            if start is None or end is None:
                today = today_in(work.center.timezone, work.now)
                start, end = local_days(today, today, work.center.timezone)
            rows = calendar(work, start, end)
            tz = work.center.timezone
        return [ScheduledSession(
            id=str(r.id), starts_at=r.starts_at, ends_at=r.ends_at, starts_local=to_local(r.starts_at, tz), modality_key=r.modality_key, format=r.format,
            delivery=r.delivery, status=r.status, room=r.room_name,
            clients=tuple(p.name for p in r.clients if p.visible),
            hidden_clients=sum(1 for p in r.clients if not p.visible),
            practitioners=tuple(p.name for p in r.practitioners),
        ) for r in rows if modality is None or r.modality_key == modality]

    def client(self, client_id: uuid.UUID | str) -> ClientSummary:
        """One client; needs ``client.read`` for that client, and is audited as a view of their record."""
        from polymodal.core.services.clients import age, get_client, is_minor

        with self._practice.work(self._actor, write=False) as work:
            client = get_client(work, uuid.UUID(str(client_id)))
            return ClientSummary(id=str(client.id), name=client.display_name, age=age(work, client),
                                 minor=is_minor(work, client))
