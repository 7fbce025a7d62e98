"""Appointment messages: confirmation, change and cancellation with an .ics, and the center's reminders.

Called by scheduling inside the change's own transaction. Nothing clinical is said: the time, the place
or video link, and at most the modality and practitioner, as the center chose (``CenterMessaging.detail``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging import ics
from polymodal.core.messaging.meetings import attach_link, session_link
from polymodal.core.messaging.outbox import Recipient, cancel_pending, client_recipients, queue_message
from polymodal.core.messaging.preferences import CenterMessaging, center_messaging, contact_preference
from polymodal.core.models import Client, Guardian, Location, PortalLink, Room, User
from polymodal.core.timeutil import to_local

if TYPE_CHECKING:
    from polymodal.core.models import Session
    from polymodal.core.practice import Work


def _what(work: Work, session: Session, settings: CenterMessaging) -> str:
    if settings.detail == "none":
        return ""
    names = [work.db.get(User, link.user_id).display_name for link in session.practitioners]
    with_whom = f"with {' and '.join(names)}" if names else ""
    if settings.detail == "practitioner":
        return with_whom
    modality = work.registry.modalities.get(session.modality_key)
    return " ".join(p for p in (modality.name if modality else "", with_whom) if p)


def _place(work: Work, session: Session) -> str:
    if session.delivery == "video":
        return "by video"
    if session.delivery == "phone":
        return "by phone"
    if session.room_id is None:
        return ""
    room = work.db.get(Room, session.room_id)
    location = work.db.get(Location, room.location_id)
    return ", ".join(p for p in (f"room {room.name}", location.name, location.address) if p)


def _values(work: Work, session: Session, settings: CenterMessaging, meeting_link: str) -> dict[str, str]:
    local = to_local(session.starts_at, work.center.timezone)
    end = to_local(session.ends_at, work.center.timezone)
    return {"when": f"{local:%A %d %B %Y, %H:%M}–{end:%H:%M} ({work.center.timezone})", "day": f"{local:%a %d %b}",
            "what": _what(work, session, settings), "place": _place(work, session), "meeting_link": meeting_link}


def _entry(work: Work, session: Session, settings: CenterMessaging, meeting_link: str, *,
           cancelled: bool = False) -> ics.CalendarEntry:
    what = _what(work, session, settings)
    return ics.CalendarEntry(
        uid=ics.session_uid(session.id), starts_at=session.starts_at, ends_at=session.ends_at,
        summary=f"Appointment at {work.center.name}" + (f": {what}" if what else ""),
        location=meeting_link or _place(work, session),
        description=f"Join by video: {meeting_link}" if meeting_link else "", url=meeting_link,
        cancelled=cancelled, sequence=ics.sequence(work.now))


def _clients(work: Work, session: Session) -> list[Client]:
    ids = [link.client_id for link in session.clients]
    return list(work.db.scalars(select(Client).where(Client.id.in_(ids)))) if ids else []


def session_booked(work: Work, sessions: list[Session]) -> None:
    """One confirmation per recipient for a booking (a weekly series in one .ics), and its reminders."""
    if not sessions:
        return
    settings = center_messaging(work)
    first = sessions[0]
    links = {s.id: attach_link(work, s) for s in sessions}
    attachment = ics.calendar([_entry(work, s, settings, links[s.id]) for s in sessions], now=work.now,
                              method="REQUEST")
    values = _values(work, first, settings, links[first.id])
    if len(sessions) > 1:
        values["when"] += f", then weekly, {len(sessions)} sessions in all"
    for client in _clients(work, first):
        for to in client_recipients(work, client, "notices"):
            queue_message(work, "booking_confirmation", to, values, session_id=first.id, ics=attachment)
    for session in sessions:
        _queue_reminders(work, session, settings, links[session.id])


def _queue_reminders(work: Work, session: Session, settings: CenterMessaging, meeting_link: str) -> None:
    values = _values(work, session, settings, meeting_link)
    for client in _clients(work, session):
        recipients = client_recipients(work, client, "reminders")
        for hours in settings.reminder_hours:
            at = session.starts_at - dt.timedelta(hours=hours)
            if at <= work.now:
                continue  # booked too late for this one; the confirmation said it all
            for to in recipients:
                queue_message(work, "reminder", to, values, session_id=session.id, send_after=at)


def session_moved(work: Work, session: Session) -> None:
    settings = center_messaging(work)
    cancel_pending(work, session.id)
    link = session_link(work, session.id)
    attachment = ics.calendar([_entry(work, session, settings, link)], now=work.now, method="REQUEST")
    values = _values(work, session, settings, link)
    for client in _clients(work, session):
        for to in client_recipients(work, client, "notices"):
            queue_message(work, "session_changed", to, values, session_id=session.id, ics=attachment)
    _queue_reminders(work, session, settings, link)


def session_cancelled(work: Work, session: Session) -> None:
    settings = center_messaging(work)
    cancel_pending(work, session.id)
    attachment = ics.calendar([_entry(work, session, settings, "", cancelled=True)], now=work.now,
                              method="CANCEL")
    values = _values(work, session, settings, "")
    for client in _clients(work, session):
        for to in client_recipients(work, client, "notices"):
            queue_message(work, "session_cancelled", to, values, session_id=session.id, ics=attachment)


# --- staff notices: which record and where to look, never what it says ---------------------------------


def staff_notice(work: Work, kind: str, user_id: object, path: str, **values: str) -> None:
    """Tell a staff member something waits for them; nothing is queued for one without an address."""
    user = work.db.get(User, user_id)
    if user is None or not user.active or not user.email:
        return
    base = work.practice.settings.public_url
    to = Recipient(user.email, user.display_name, user.display_name.split(",")[0], user_id=user.id)
    queue_message(work, kind, to, {"app_url": f"{base}{path}" if base else "", **values})


def cosign_waiting(work: Work, author_id: object, supervisor_id: object) -> None:
    """A supervisee signed a note that needs the supervisor's co-signature."""
    author = work.db.get(User, author_id)
    staff_notice(work, "cosign_waiting", supervisor_id, "/notes/cosign", author=author.display_name if author else "")


def risk_needs_acknowledgement(work: Work, user_ids: list, client_id: object) -> None:
    """A screening finding of risk waits for acknowledgement by the client's practitioners."""
    for user_id in user_ids:
        staff_notice(work, "risk_acknowledgement", user_id, f"/clients/{client_id}")


# --- portal links: sent from the page that makes them, through the outbox like every other message --------


def portal_link(work: Work, link: PortalLink, url: str, expires: str) -> str:
    """Queue ``link``'s e-mail to whoever fills it in, in the transaction that issued it.

    Returns the address it goes to, or raises ``ValidationFailed`` saying why it cannot go (no address,
    no consent to be contacted). The body holds the private link, so the outbox blanks it once it has left.
    """
    client = work.db.get(Client, link.client_id)
    guardian = work.db.get(Guardian, link.guardian_id) if link.guardian_id else None
    if not contact_preference(work, client.id).consent_to_contact:
        raise ValidationFailed({"email": f"{client.display_name} has not agreed to be contacted: "
                                         "share the link another way."})
    address = guardian.email if guardian else client.email
    if not address:
        raise ValidationFailed({"email": "No e-mail address on file: copy the link and share it another way."})
    to = (Recipient(address, guardian.name, guardian.name, client.id) if guardian
          else Recipient(address, client.display_name, client.preferred_name or client.legal_first_name, client.id))
    queue_message(work, "portal_link", to, {"portal_url": url, "expires": expires}, secret=True)
    work.audit("portal.link_email", record_type="portal_link", record_id=link.id, client_id=client.id)
    return address
