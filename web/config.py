"""Web settings read from the environment once, when the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from polymodal.core.errors import StartupError

DEVELOPMENT_URL = "http://127.0.0.1:8000"
"""Portal links in development (``make run``) when POLYMODAL_PUBLIC_URL is not set."""


@dataclass(frozen=True)
class WebSettings:
    insecure_cookies: bool = field(default_factory=lambda: os.environ.get("POLYMODAL_INSECURE_COOKIES") == "1")
    """Plain-http development only (``make run``, tests): drops ``Secure``, ``__Host-`` and HSTS."""

    public_url: str = field(default_factory=lambda: os.environ.get("POLYMODAL_PUBLIC_URL", "").rstrip("/"))
    """Where clients reach this site, e.g. ``https://care.example.org``; portal links are built on it.
    Required outside development: never taken from a request's Host header, which the sender chooses."""

    def check(self) -> None:
        """Refuse to start on settings that would be unsafe in production; raises ``StartupError``."""
        if not self.secure:
            return
        if not self.public_url:
            raise StartupError(
                "POLYMODAL_PUBLIC_URL is not set. Set it to the address clients use to reach this site "
                "(for example https://care.example.org): portal links are built on it. For plain-http "
                "development set POLYMODAL_INSECURE_COOKIES=1 instead.")
        parts = urlsplit(self.public_url)
        if parts.scheme != "https" or not parts.hostname or parts.path or parts.query or parts.fragment:
            raise StartupError(f"POLYMODAL_PUBLIC_URL must be https://<host>[:port], with no path; "
                               f"it is {self.public_url!r}.")

    @property
    def link_base(self) -> str:
        """The start of every link sent to clients."""
        return self.public_url or DEVELOPMENT_URL

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
    def pending_cookie(self) -> str:
        # Path /sign-in: __Host- needs path /, __Secure- still demands https.
        return "__Secure-pm_pending" if self.secure else "pm_pending"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-pm_csrf" if self.secure else "pm_csrf"
