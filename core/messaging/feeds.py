"""Private calendar feeds: a practitioner's sessions, or a room's bookings, as an iCalendar URL.

The URL holds a random token; only its SHA-256 is stored, so a copy of the database opens no feed.
Making a new URL revokes the old one. A feed shows times and rooms; clients appear as the center chose
(initials by default), and never with a meeting link: a feed is read by calendar services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound
from polymodal.core.messaging import ics
from polymodal.core.messaging.models import CalendarFeed
from polymodal.core.messaging.preferences import center_messaging
from polymodal.core.models import Client, Room, Session, SessionClient, SessionPractitioner, User
from polymodal.core.services.scheduling import overlapping, with_practitioner

if TYPE_CHECKING:
    from polymodal.core.practice import Practice, Work

PAST, AHEAD = dt.timedelta(days=30), dt.timedelta(days=180)
SHOWN = ("scheduled", "checked_in", "completed", "cancelled")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(work: Work, user_id: uuid.UUID | None, room_id: uuid.UUID | None) -> None:
    if user_id is not None:
        if work.actor.user_id != user_id:
            work.require("user.manage")
        user = work.db.get(User, user_id)
        if user is None or not {"practitioner", "supervisor"} & set(user.roles):
            raise NotFound("no such practitioner")
    else:
        work.require("room_feed.manage")
        if work.db.get(Room, room_id) is None:
            raise NotFound("no such room")


def _active(user_id: uuid.UUID | None, room_id: uuid.UUID | None):
    return (CalendarFeed.revoked_at.is_(None),
            CalendarFeed.user_id == user_id if user_id else CalendarFeed.room_id == room_id)


def issue_feed(work: Work, *, user_id: uuid.UUID | None = None, room_id: uuid.UUID | None = None) -> str:
    """A new private feed token (shown once); any earlier feed of the same calendar stops working."""
    _owner(work, user_id, room_id)
    revoke_feed(work, user_id=user_id, room_id=room_id, audit=False)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(kind="practitioner" if user_id else "room", user_id=user_id, room_id=room_id,
                        token_hash=_hash(token), created_at=work.now)
    work.db.add(feed)
    work.db.flush()
    work.audit("calendar_feed.issue", record_type="calendar_feed", record_id=feed.id)
    return token


def revoke_feed(work: Work, *, user_id: uuid.UUID | None = None, room_id: uuid.UUID | None = None,
                audit: bool = True) -> int:
    _owner(work, user_id, room_id)
    count = work.db.execute(update(CalendarFeed).where(*_active(user_id, room_id))
                            .values(revoked_at=work.now)).rowcount
    if audit and count:
        work.audit("calendar_feed.revoke", record_type="calendar_feed",
                   record_id=str(user_id or room_id))
    return count


def feed_status(work: Work, *, user_id: uuid.UUID | None = None,
                room_id: uuid.UUID | None = None) -> CalendarFeed | None:
    return work.db.scalars(select(CalendarFeed).where(*_active(user_id, room_id))).first()


def active_room_feeds(work: Work) -> dict[uuid.UUID, CalendarFeed]:
    work.require("room_feed.manage")
    rows = work.db.scalars(select(CalendarFeed).where(CalendarFeed.room_id.is_not(None),
                                                      CalendarFeed.revoked_at.is_(None)))
    return {feed.room_id: feed for feed in rows}


def _label(client: Client, style: str) -> str:
    if style == "full":
        return client.display_name
    if style == "initials":
        return f"{(client.preferred_name or client.legal_first_name)[:1]}. {client.legal_last_name[:1]}."
    return ""


def render_feed(practice: Practice, token: str) -> str:
    """The feed's iCalendar text; ``NotFound`` for an unknown or revoked token (the same answer for both)."""
    with practice.work(Actor.system("calendar feed"), write=False) as work:
        feed = work.db.scalars(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token),
                                                          CalendarFeed.revoked_at.is_(None))).first()
        if feed is None:
            raise NotFound("no such calendar feed")
        start, end = work.now - PAST, work.now + AHEAD
        stmt = (select(Session).where(*overlapping(start, end), Session.status.in_(SHOWN))
                .order_by(Session.starts_at))
        if feed.user_id:
            stmt = stmt.where(with_practitioner(feed.user_id, start, end))
        else:
            stmt = stmt.where(Session.room_id == feed.room_id)
        sessions = list(work.db.scalars(stmt))
        ids = [s.id for s in sessions]
        rooms = {r.id: r.name for r in work.db.scalars(select(Room))}
        style = center_messaging(work).feed_client_names
        people: dict[uuid.UUID, list[str]] = {}
        if feed.user_id and style != "none" and ids:
            for link, client in work.db.execute(select(SessionClient, Client).join(
                    Client, Client.id == SessionClient.client_id).where(SessionClient.session_id.in_(ids))):
                people.setdefault(link.session_id, []).append(_label(client, style))
        elif feed.room_id and ids:
            for link, user in work.db.execute(select(SessionPractitioner, User).join(
                    User, User.id == SessionPractitioner.user_id).where(SessionPractitioner.session_id.in_(ids))):
                people.setdefault(link.session_id, []).append(user.display_name)
        entries = []
        for s in sessions:
            modality = work.registry.modalities.get(s.modality_key)
            what = modality.name if modality and feed.user_id else "Booked"
            who = ", ".join(people.get(s.id, []))
            entries.append(ics.CalendarEntry(
                uid=ics.session_uid(s.id), starts_at=s.starts_at, ends_at=s.ends_at,
                summary=f"{what}: {who}" if who else what,
                location=rooms.get(s.room_id, "") if s.room_id else s.delivery.replace("_", " "),
                cancelled=s.status == "cancelled"))
        name = (f"{work.center.name}: " + (work.db.get(User, feed.user_id).display_name if feed.user_id
                                           else f"room {rooms.get(feed.room_id, '')}"))
        return ics.calendar(entries, now=work.now, name=name)
