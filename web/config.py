"""Web settings read from the environment once, when the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebSettings:
    insecure_cookies: bool = field(default_factory=lambda: os.environ.get("POLYMODAL_INSECURE_COOKIES") == "1")
    """Plain-http development only (``make run``, tests): drops ``Secure``, ``__Host-`` and HSTS."""

    public_url: str = field(default_factory=lambda: os.environ.get("POLYMODAL_PUBLIC_URL", "").rstrip("/"))
    """Where clients reach this site, e.g. ``https://care.example.org``; portal links are built on it.
    Empty: the address staff are using."""
    smtp_host: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_HOST", ""))
    """Portal links are also e-mailed when set."""
    smtp_port: int = field(default_factory=lambda: int(os.environ.get("POLYMODAL_SMTP_PORT", "25") or 25))
    smtp_user: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_PASSWORD", ""), repr=False)
    smtp_sender: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_SENDER", "")
                             or "polymodal@localhost")

    @property
    def secure(self) -> bool:
        return not self.insecure_cookies

    @property
    def session_cookie(self) -> str:
        # __Host- binds the cookie to this exact host and path, over https only.
        return "__Host-pm_session" if self.secure else "pm_session"

    @property
    def portal_cookie(self) -> str:
        # Path /portal, so __Host- (which needs path /) cannot be used; __Secure- still demands https.
        return "__Secure-pm_portal" if self.secure else "pm_portal"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-pm_csrf" if self.secure else "pm_csrf"
