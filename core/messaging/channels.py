"""Channels deliver one message each: e-mail over SMTP and a console channel in core, others from plugins."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from polymodal.core.settings import SmtpSettings

log = logging.getLogger("polymodal.messages")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, such as a calendar invitation."""

    filename: str
    """The file's name as the recipient sees it, e.g. ``session.ics``."""
    content_type: str
    """e.g. ``text/calendar; method=REQUEST``"""
    data: bytes
    """The file's content."""


@dataclass(frozen=True)
class OutgoingMessage:
    """What a channel receives: already rendered, with no clinical detail in it."""

    message_id: str
    """The outbox message's id; stable across retries, so a channel can refuse to send it twice."""
    kind: str
    """What the message is about, e.g. ``booking_confirmation``, ``reminder`` or ``portal_link``."""
    recipient: str
    """The address on this channel: an e-mail address, a phone number."""
    recipient_name: str
    """The recipient's name, for the greeting or the envelope."""
    subject: str
    """A one-line subject (e-mail) or summary."""
    text: str
    """The plain-text body."""
    html: str = ""
    """An HTML body, when the channel can send one; empty otherwise."""
    attachments: tuple[Attachment, ...] = field(default=())
    """Files to send with it (an SMS-like channel may leave them out)."""
    center_name: str = ""
    """The center's name, as the sender."""


class DeliveryFailed(Exception):
    """The channel tried and the other side refused or could not be reached; ``answer`` is shown to the admin."""

    def __init__(self, answer: str, *, permanent: bool = False) -> None:
        super().__init__(answer)
        self.answer = answer[:1000]
        self.permanent = permanent
        """No retry can help (an address the server rejects for good)."""


class MessageChannel(Protocol):
    """What ``polymodal_message_channels`` returns: any object with this key and these two methods."""

    key: str
    """What ``OutboxMessage.channel`` names, e.g. ``email`` or ``sms``."""

    def ready(self) -> bool:
        """Whether it can send now (configured); messages wait in the outbox while it cannot."""

    def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise ``DeliveryFailed``; called from a worker, never while a transaction is open."""


class EmailChannel:
    key = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def ready(self) -> bool:
        return bool(self.settings.host)

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = formataddr((message.center_name, self.settings.sender)) if message.center_name \
            else self.settings.sender
        email["To"] = formataddr((message.recipient_name, message.recipient)) if message.recipient_name \
            else message.recipient
        email["Subject"] = message.subject
        # Stable per outbox row: a receiving server that saw a retry's first try can drop the copy.
        email["Message-ID"] = make_msgid(idstring=message.message_id, domain=self.settings.sender.split("@")[-1])
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        for item in message.attachments:
            maintype, _, rest = item.content_type.partition("/")
            subtype, *params = [p.strip() for p in rest.split(";")]
            email.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename,
                                 params=dict(p.split("=", 1) for p in params if "=" in p))
        return email

    def send(self, message: OutgoingMessage) -> None:
        s = self.settings
        try:
            if s.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with smtp:
                smtp.ehlo()
                if s.tls == "starttls" and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.user:
                    smtp.login(s.user, s.password)
                smtp.send_message(self.compose(message))
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise DeliveryFailed(f"{code} {_text(answer)}", permanent=500 <= code < 600) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"{exc.smtp_code} {_text(exc.smtp_error)}",
                                 permanent=500 <= exc.smtp_code < 600 and exc.smtp_code != 530) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


class ConsoleChannel:
    """Development: the message is written to the log instead of being sent."""

    key = "console"

    def ready(self) -> bool:
        return True

    def send(self, message: OutgoingMessage) -> None:
        names = ", ".join(a.filename for a in message.attachments)
        log.info("message %s (%s) to %s: %s\n%s%s", message.message_id, message.kind, message.recipient,
                 message.subject, message.text, f"\n[attached: {names}]" if names else "")
