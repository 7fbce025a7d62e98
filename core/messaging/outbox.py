"""The outbox: messages written in the transaction of the change that causes them, delivered once after it.

A message row is added by the change's own ``Work``; only after that work commits are delivery jobs
queued, so a change that rolls back leaves nothing to send. A worker claims a row with one conditional
UPDATE (queued or retrying, and due, by the practice's clock), sends outside any transaction, and records
the outcome: however many workers are told about a message, one claims it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update

from polymodal.core.access import Actor
from polymodal.core.messaging import templates
from polymodal.core.messaging.channels import Attachment, DeliveryFailed, OutgoingMessage
from polymodal.core.messaging.models import ContactPreference, OutboxMessage
from polymodal.core.messaging.preferences import center_messaging, contact_preference
from polymodal.core.models import Client, Guardian

if TYPE_CHECKING:
    from polymodal.core.practice import Practice, Work

WORKER = Actor.system("jobs")
STUCK = dt.timedelta(minutes=15)
"""A message claimed longer ago than this was lost with its worker (a crash mid-send): it is tried again."""
REMOVED = "[This message held a private link; its text was removed once it was sent.]"
ERASED = "[Erased at the client's request.]"


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    greeting: str
    client_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None


def client_recipients(work: Work, client: Client, purpose: str, *, ignore_preference: bool = False,
                      preference: ContactPreference | None = None) -> list[Recipient]:
    """Who hears about ``client``'s appointments: the client, or a minor's guardians; none without consent.

    ``purpose`` is ``notices`` or ``reminders``: the client's preference for each is respected, unless
    ``ignore_preference`` (the client page saying where messages would go). ``preference``: the client's,
    when the caller read it already (a client without one recorded costs a query each time it is asked).
    """
    from polymodal.core.services.clients import is_minor

    preference = preference or contact_preference(work, client.id)
    wanted = preference.email_notices if purpose == "notices" else preference.email_reminders
    if client.restricted or not client.active:
        return []
    if not ignore_preference and not (preference.consent_to_contact and wanted):
        return []
    if is_minor(work, client):
        guardians = work.db.scalars(select(Guardian).where(Guardian.client_id == client.id, Guardian.email != "",
                                                           Guardian.can_consent.is_(True))).all()
        return [Recipient(g.email, g.name, g.name, client.id) for g in guardians]
    if not client.email:
        return []
    return [Recipient(client.email, client.display_name, client.preferred_name or client.legal_first_name,
                      client.id)]


def queue_message(work: Work, kind: str, to: Recipient, values: dict[str, Any], *,
                  session_id: uuid.UUID | None = None, send_after: dt.datetime | None = None, ics: str = "",
                  secret: bool = False, channel: str = "email") -> OutboxMessage:
    """Render ``kind``'s wording for ``to`` and add it to the outbox in this transaction."""
    settings = center_messaging(work)
    values = {"center": work.center.name, "signature": settings.signature, "greeting": to.greeting, **values}
    text = templates.render(templates.wording(work, kind), values)
    message = OutboxMessage(
        kind=kind, channel=channel, recipient=to.address, recipient_name=to.name[:200], client_id=to.client_id,
        user_id=to.user_id, session_id=session_id, subject=text.subject, text_body=text.text, html_body=text.html,
        ics=ics, secret=secret, send_after=send_after or work.now,
        max_attempts=work.practice.settings.jobs.retries + 1)
    work.db.add(message)
    work.db.flush()
    _deliver_after_commit(work, message)
    return message


def _deliver_after_commit(work: Work, message: OutboxMessage) -> None:
    pending: list[tuple[str, dt.datetime, str]] | None = work.__dict__.get("_outbox")
    if pending is None:
        pending = work.__dict__["_outbox"] = []
        practice = work.practice

        def enqueue() -> None:
            from polymodal.core.messaging.queue import jobs_of

            jobs_of(practice).deliver_later(pending)

        work.after_commit(enqueue)
    pending.append((str(message.id), message.send_after, message.channel))


def cancel_pending(work: Work, session_id: uuid.UUID, kinds: tuple[str, ...] = ("reminder",)) -> int:
    """Pending messages of a session that no longer apply (a moved or cancelled session's reminders)."""
    result = work.db.execute(update(OutboxMessage).where(
        OutboxMessage.session_id == session_id, OutboxMessage.kind.in_(kinds),
        OutboxMessage.state.in_(("queued", "retrying"))).values(state="cancelled", last_error="no longer applies"))
    return result.rowcount


def forget_client(work: Work, client_id: uuid.UUID) -> int:
    """Erasure: the client's messages lose address, name and text; those not yet sent are not sent."""
    work.db.execute(update(OutboxMessage).where(OutboxMessage.client_id == client_id,
                                                OutboxMessage.state.in_(("queued", "retrying")))
                    .values(state="cancelled", last_error="the client's contact details were erased"))
    return work.db.execute(update(OutboxMessage).where(OutboxMessage.client_id == client_id).values(
        recipient="", recipient_name="", subject="[erased]", text_body=ERASED, html_body="", ics="")).rowcount


# --- delivery, on a worker -------------------------------------------------------------------


def claim(practice: Practice, message_id: uuid.UUID) -> tuple[OutgoingMessage, str] | None:
    """Take the message for sending if it is due and nobody has it: (message, channel key), or None."""
    with practice.work(WORKER) as work:
        claimed = work.db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state.in_(("queued", "retrying")),
                   OutboxMessage.send_after <= work.now)
            .values(state="sending", attempts=OutboxMessage.attempts + 1, claimed_at=work.now)).rowcount
        if not claimed:
            return None
        row = work.db.get(OutboxMessage, message_id)
        attachments = (Attachment("appointment.ics", f"text/calendar; method={_method(row.ics)}",
                                  row.ics.encode()),) if row.ics else ()
        return OutgoingMessage(str(row.id), row.kind, row.recipient, row.recipient_name, row.subject,
                               row.text_body, row.html_body, attachments, work.center.name), row.channel


def _method(ics: str) -> str:
    return "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"


def record_sent(practice: Practice, message_id: uuid.UUID) -> None:
    with practice.work(WORKER) as work:
        row = work.db.get(OutboxMessage, message_id)
        row.state, row.sent_at, row.last_error = "sent", work.now, ""
        if row.secret:
            row.text_body, row.html_body = REMOVED, ""


def record_failure(practice: Practice, message_id: uuid.UUID, error: DeliveryFailed, *, last_try: bool) -> str:
    """``failed`` after the last try or a permanent refusal, else ``retrying``; returns the new state."""
    with practice.work(WORKER) as work:
        row = work.db.get(OutboxMessage, message_id)
        final = last_try or error.permanent or row.attempts >= row.max_attempts
        row.state, row.last_error = ("failed" if final else "retrying"), error.answer
        if final and row.secret:
            row.text_body, row.html_body = REMOVED, ""
        return row.state


def release(practice: Practice, message_id: uuid.UUID) -> None:
    """Give a claimed message back untried: its channel cannot send now."""
    with practice.work(WORKER) as work:
        work.db.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.state == "sending")
                        .values(state="queued", attempts=OutboxMessage.attempts - 1, claimed_at=None))


def due_messages(practice: Practice, limit: int = 500) -> list[tuple[str, str]]:
    """(id, channel) of messages due now; first hands back messages whose worker vanished mid-send."""
    with practice.work(WORKER) as work:
        work.db.execute(update(OutboxMessage).where(OutboxMessage.state == "sending",
                                                    OutboxMessage.claimed_at < work.now - STUCK)
                        .values(state="retrying", last_error="the worker stopped while sending"))
        rows = work.db.execute(
            select(OutboxMessage.id, OutboxMessage.channel)
            .where(or_(OutboxMessage.state == "queued",
                       (OutboxMessage.state == "retrying") & (OutboxMessage.claimed_at < work.now - STUCK)),
                   OutboxMessage.send_after <= work.now)
            .order_by(OutboxMessage.send_after).limit(limit)).all()
    return [(str(r.id), r.channel) for r in rows]


def outbox_page(work: Work, state: str = "", limit: int = 100) -> list[OutboxMessage]:
    """The admin's view: newest first, without bodies (they are not loaded)."""
    from sqlalchemy.orm import load_only

    work.require("messages.manage")
    stmt = (select(OutboxMessage).options(load_only(
        OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.subject,
        OutboxMessage.state, OutboxMessage.send_after, OutboxMessage.attempts, OutboxMessage.max_attempts,
        OutboxMessage.last_error, OutboxMessage.sent_at, OutboxMessage.created_at))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id).limit(limit))
    if state:
        stmt = stmt.where(OutboxMessage.state == state)
    return list(work.db.scalars(stmt))


def retry_now(work: Work, message_id: uuid.UUID) -> OutboxMessage:
    """The admin sends a failed message again (after fixing the address or the server)."""
    work.require("messages.manage")
    row = work.db.get(OutboxMessage, message_id)
    if row is None or row.state != "failed" or row.text_body == REMOVED:
        from polymodal.core.errors import Conflict

        raise Conflict("Only a failed message that still has its text can be sent again.")
    row.state, row.send_after = "queued", work.now
    row.max_attempts = row.attempts + work.practice.settings.jobs.retries + 1
    work.audit("messages.retry", record_type="outbox_message", record_id=row.id, client_id=row.client_id)
    _deliver_after_commit(work, row)
    return row
