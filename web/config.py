"""Web settings read from the environment once, when the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebSettings:
    insecure_cookies: bool = field(default_factory=lambda: os.environ.get("POLYMODAL_INSECURE_COOKIES") == "1")
    """Plain-http development only (``make run``, tests): drops ``Secure``, ``__Host-`` and HSTS."""

    @property
    def secure(self) -> bool:
        return not self.insecure_cookies

    @property
    def session_cookie(self) -> str:
        # __Host- binds the cookie to this exact host and path, over https only.
        return "__Host-pm_session" if self.secure else "pm_session"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-pm_csrf" if self.secure else "pm_csrf"
