"""A local mail sink for development and tests: a real SMTP server (aiosmtpd) that keeps what it receives.

``polymodal mailsink`` (started by ``make run``) listens for SMTP on 127.0.0.1:1025 and shows the
messages at http://127.0.0.1:8025. It relays nothing. aiosmtpd is a development dependency, imported
only here.
"""

from __future__ import annotations

import html
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class _Handler:
    received: list[Received]
    refuse: dict[str, str] = field(default_factory=dict)
    """recipient address -> SMTP reply given instead of accepting it (e.g. ``451 4.3.0 Try later``)."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailSink:
    """``with MailSink() as sink:`` ... ``sink.messages``; ``sink.refuse[address] = "550 5.1.1 No such user"``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Received] = []
        self._handler = _Handler(self.messages)
        self.refuse = self._handler.refuse
        self.host, self.port = host, port or free_port(host)
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _page(sink: MailSink) -> bytes:
    rows = []
    for number, item in reversed(list(enumerate(sink.messages))):
        m = item.message
        body = m.get_body(preferencelist=("plain",))
        attached = ", ".join(p.get_filename() or "" for p in m.iter_attachments())
        rows.append(f"<article><h2>{html.escape(str(m['Subject']))}</h2>"
                    f"<p>#{number + 1} · to {html.escape(', '.join(item.recipients))} · from "
                    f"{html.escape(str(m['From']))}{' · attached: ' + html.escape(attached) if attached else ''}</p>"
                    f"<pre>{html.escape(body.get_content() if body else '')}</pre></article>")
    return (f"<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5>"
            f"<title>Mail sink</title><h1>Mail sink: {len(sink.messages)} messages</h1>"
            f"<p>Nothing here left this computer.</p>{''.join(rows)}").encode()


def serve(smtp_port: int = 1025, http_port: int = 8025, host: str = "127.0.0.1") -> None:
    """Run until interrupted: SMTP on ``smtp_port``, the messages as a page on ``http_port``."""
    sink = MailSink(host, smtp_port).start()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            body = _page(sink)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, http_port), Page)
    print(f"mail sink: SMTP on {host}:{smtp_port}, messages at http://{host}:{http_port}", flush=True)
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        sink.stop()
