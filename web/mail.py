"""E-mail through the standard library: the portal link, when an SMTP server is configured."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from polymodal.web.config import WebSettings

TIMEOUT = 10


def send(settings: WebSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; STARTTLS when the server offers it. Raises ``OSError``/``SMTPException``."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def portal_link_message(center: str, who: str, url: str, expires: str) -> tuple[str, str]:
    """Subject and body: nothing clinical, only who is asking, the link and until when it works."""
    subject = f"{center}: forms to complete before your session"
    body = (f"Hello {who},\n\n{center} asks you to complete a few forms before your session.\n"
            f"Open this private link on your phone or computer:\n\n{url}\n\n"
            f"The link works until {expires}. Your answers are saved as you go, so you can stop and come back.\n"
            "Do not forward this message: the link opens forms about you.\n\n"
            "If you did not expect this message, tell the center.\n")
    return subject, body
