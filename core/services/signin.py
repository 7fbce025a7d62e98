"""Sign-in sessions: create on sign-in, resolve per request, end on sign-out or expiry.

The cookie holds 256 random bits; the database holds only their SHA-256, so
neither a database dump nor a log line of a row is a usable session. Expiry
is checked here, on every lookup, with no parameter that can skip it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update

from polymodal.core.access import Actor
from polymodal.core.models import LoginFailure, User, WebSession
from polymodal.core.practice import Practice
from polymodal.core.services import users

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(seconds=60)
"""last_seen is written at most this often: an idle check a minute coarse saves a write per request."""
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 30


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    csrf_token: str
    token: str = ""
    """The raw cookie value; only set right after sign-in, to write the cookie."""


class Throttled(Exception):
    """Too many failed sign-ins for this username or from this address."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _anonymous(origin: str) -> Actor:
    return Actor(user_id=None, username="anonymous", roles=frozenset(), origin=origin)


def sign_in(practice: Practice, username: str, password: str, origin: str, *,
            replaces: str | None = None) -> SignedIn | None:
    """Verify the password and open a new session; None for bad credentials.

    Raises ``Throttled`` before checking the password when the username or the
    address has failed too often lately; unknown usernames are counted too, so
    the answer never tells whether an account exists.
    """
    name = username.strip().lower()[:120]
    with practice.work(_anonymous(origin)) as work:
        since = work.now - THROTTLE_WINDOW
        if (_failures(work.db, "username", name, since) >= MAX_FAILURES_PER_USERNAME
                or _failures(work.db, "address", origin, since) >= MAX_FAILURES_PER_ADDRESS):
            work.audit("auth.login", record_type="user", outcome="denied", reason="throttled")
            throttled = True
        else:
            throttled = False
            user = users.authenticate(work, name, password)
            if user is None:
                work.db.add_all([LoginFailure(kind="username", key=name, at=work.now),
                                 LoginFailure(kind="address", key=origin[:200], at=work.now)])
                return None
            if replaces:
                # Whatever session this browser had before ends: a new sign-in never reuses a token.
                work.db.execute(delete(WebSession).where(WebSession.token_hash == hash_token(replaces)))
            work.db.execute(delete(LoginFailure).where(LoginFailure.kind == "username", LoginFailure.key == name))
            # Sessions of this user that ended by timeout are never looked up again: drop them here.
            work.db.execute(delete(WebSession).where(
                WebSession.user_id == user.id,
                (WebSession.expires_at <= work.now) | (WebSession.last_seen_at <= work.now - IDLE)))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            work.db.add(WebSession(token_hash=hash_token(token), user_id=user.id, csrf_token=csrf,
                                   created_at=work.now, last_seen_at=work.now, expires_at=work.now + ABSOLUTE,
                                   origin=origin[:100]))
            work.audit("auth.session_start", record_type="user", record_id=user.id)
            return SignedIn(Actor.of(user, origin=origin), csrf, token)
    if throttled:
        raise Throttled()
    return None


def _failures(db, kind: str, key: str, since: dt.datetime) -> int:
    return db.scalar(select(func.count()).select_from(LoginFailure)
                     .where(LoginFailure.kind == kind, LoginFailure.key == key[:200], LoginFailure.at > since))


def _lookup(practice: Practice, token_hash: str, origin: str) -> tuple[Any, dt.datetime]:
    with practice.work(_anonymous(origin), write=False) as work:
        # Columns, not entities: this runs before every page.
        row = work.db.execute(
            select(WebSession.expires_at, WebSession.last_seen_at, WebSession.csrf_token, User.id, User.username,
                   User.roles, User.display_name, User.disciplines, User.active)
            .join(User, User.id == WebSession.user_id).where(WebSession.token_hash == token_hash)).first()
        return row, work.now


def _expired(row: Any, now: dt.datetime) -> bool:
    return now >= row.expires_at or now >= row.last_seen_at + IDLE or not row.active


def resolve(practice: Practice, token: str, origin: str) -> SignedIn | None:
    """The signed-in actor for a cookie token, or None if unknown, expired or the user is disabled."""
    if not token or len(token) > 100:
        return None
    token_hash = hash_token(token)
    row, now = _lookup(practice, token_hash, origin)
    if row is None:
        return None
    if _expired(row, now):
        with practice.work(Actor.of(row, origin=origin)) as work:
            work.db.execute(delete(WebSession).where(WebSession.token_hash == token_hash))
            work.audit("auth.session_expired", record_type="user", record_id=row.id)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with practice.work(Actor.of(row, origin=origin)) as work:
            work.db.execute(update(WebSession).where(WebSession.token_hash == token_hash)
                            .values(last_seen_at=now))
    return SignedIn(Actor.of(row, origin=origin), row.csrf_token)


def peek(practice: Practice, token: str, origin: str) -> SignedIn | None:
    """``resolve`` when it has nothing to write: None as well when the session must be touched or ended,
    which ``resolve`` then does. One indexed read, so the web app may call it without a worker thread."""
    if not token or len(token) > 100:
        return None
    row, now = _lookup(practice, hash_token(token), origin)
    if row is None or _expired(row, now) or now - row.last_seen_at >= TOUCH_EVERY:
        return None
    return SignedIn(Actor.of(row, origin=origin), row.csrf_token)


def sign_out(practice: Practice, token: str, actor: Actor) -> None:
    with practice.work(actor) as work:
        work.db.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))
        work.audit("auth.logout", record_type="user", record_id=actor.user_id or "")


def end_all_sessions(practice: Practice, actor: Actor, user_id) -> int:
    """End every session of a user (after disabling them or changing their password)."""
    with practice.work(actor) as work:
        work.require("user.manage")
        result = work.db.execute(delete(WebSession).where(WebSession.user_id == user_id))
        work.audit("auth.sessions_ended", record_type="user", record_id=user_id)
        return result.rowcount or 0
