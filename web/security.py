"""Response hardening headers, session and CSRF cookies, and the caller's address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders

from polymodal.web.config import WebSettings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_header_hook(settings: WebSettings):
    """A ``before_send`` hook: it sees every response, including router 404s and error pages."""

    async def add_security_headers(message: Any, scope: Any) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if not scope.get("path", "").startswith("/static/"):
            # Pages carry clinical data: never keep them in a browser or proxy cache.
            headers["Cache-Control"] = "no-store"
        if settings.secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"

    return add_security_headers


def client_ip(connection: ASGIConnection) -> str:
    # The socket peer only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    client = connection.scope.get("client")
    return client[0] if client else ""


def session_cookie(settings: WebSettings, token: str) -> Cookie:
    return Cookie(key=settings.session_cookie, value=token, path="/", httponly=True, secure=settings.secure,
                  samesite="lax")


def expired_session_cookie(settings: WebSettings) -> Cookie:
    return Cookie(key=settings.session_cookie, value="", path="/", httponly=True, secure=settings.secure,
                  samesite="lax", max_age=0, expires=0)


PENDING_PATH = "/sign-in"


def pending_cookie(settings: WebSettings, token: str) -> Cookie:
    """Between a right password and its second step: sent only to /sign-in pages, for minutes."""
    return Cookie(key=settings.pending_cookie, value=token, path=PENDING_PATH, httponly=True,
                  secure=settings.secure, samesite="strict", max_age=300)


def expired_pending_cookie(settings: WebSettings) -> Cookie:
    return Cookie(key=settings.pending_cookie, value="", path=PENDING_PATH, httponly=True, secure=settings.secure,
                  samesite="strict", max_age=0, expires=0)


def anonymous_csrf(connection: ASGIConnection, settings: WebSettings) -> tuple[str, Cookie | None]:
    """The sign-in form's double-submit token: reuse the cookie's value, or mint one."""
    current = connection.cookies.get(settings.csrf_cookie, "")
    if 20 <= len(current) <= 100:
        return current, None
    token = secrets.token_urlsafe(32)
    return token, Cookie(key=settings.csrf_cookie, value=token, path="/", httponly=True, secure=settings.secure,
                         samesite="strict")


def same_origin(connection: ASGIConnection) -> bool:
    """False when the browser says the request came from another site (Origin or Sec-Fetch-Site)."""
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = connection.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    host = connection.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


PORTAL_PATH = "/portal"


def portal_cookie(settings: WebSettings, token: str) -> Cookie:
    """The portal session: HttpOnly, SameSite=Strict, sent only to /portal pages."""
    return Cookie(key=settings.portal_cookie, value=token, path=PORTAL_PATH, httponly=True,
                  secure=settings.secure, samesite="strict")


def expired_portal_cookie(settings: WebSettings) -> Cookie:
    return Cookie(key=settings.portal_cookie, value="", path=PORTAL_PATH, httponly=True, secure=settings.secure,
                  samesite="strict", max_age=0, expires=0)


def portal_csrf(session_token: str) -> str:
    """The portal forms' CSRF token, bound to the portal session (derived: nothing more to store)."""
    return hmac.new(session_token.encode(), b"polymodal portal csrf", hashlib.sha256).hexdigest()
