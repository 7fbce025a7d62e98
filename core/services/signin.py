"""Sign-in sessions: create on sign-in, resolve per request, end on sign-out or expiry.

The cookie holds 256 random bits; the database holds only their SHA-256, so
neither a database dump nor a log line of a row is a usable session. Expiry
is checked here, on every lookup, with no parameter that can skip it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, event, select, update

from polymodal.core.access import Actor
from polymodal.core.models import PendingSignIn, User, WebSession
from polymodal.core.practice import Practice, Work
from polymodal.core.services import account, throttle, users

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(seconds=60)
"""last_seen is written at most this often: an idle check a minute coarse saves a write per request."""


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    csrf_token: str
    token: str = ""
    """The raw cookie value; only set right after sign-in, to write the cookie."""
    must_change_password: bool = False


class Throttled(Exception):
    """Failed sign-ins for this username or from this address: the next try must wait (core/services/throttle.py)."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _anonymous(origin: str) -> Actor:
    return Actor(user_id=None, username="anonymous", roles=frozenset(), origin=origin)


@dataclass(frozen=True)
class SecondStep:
    """The password was right; a code (or, first, enrolment) is still needed. ``token`` goes in a cookie."""

    token: str
    enrol: bool


PENDING_FOR = dt.timedelta(minutes=5)


def sign_in(practice: Practice, username: str, password: str, origin: str, *,
            replaces: str | None = None, next_path: str = "/") -> SignedIn | SecondStep | None:
    """Verify the password and open a new session (or the second step); None for bad credentials.

    Raises ``Throttled`` before checking the password while this username or
    address must wait after failures; unknown usernames are counted too, so
    the answer never tells whether an account exists.
    """
    name = username.strip().lower()[:120]
    with practice.work(_anonymous(origin)) as work:
        seconds = throttle.wait(work.db, work.now, name, origin)
        if seconds:
            work.audit("auth.login", record_type="user", outcome="denied", reason="throttled")
        else:
            user = users.authenticate(work, name, password)
            if user is None:
                throttle.record_failure(work.db, work.now, name, origin)
                return None
            if replaces:
                # Whatever session this browser had before ends: a new sign-in never reuses a token.
                work.db.execute(delete(WebSession).where(WebSession.token_hash == hash_token(replaces)))
            enrolled = account.has_second_factor(work, user.id)
            if enrolled or account.second_factor_required(work, user.id):
                # Failures are cleared only when the whole sign-in succeeds: a known password
                # must not reset the count of wrong codes.
                token = secrets.token_urlsafe(32)
                work.db.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user.id))
                work.db.add(PendingSignIn(token_hash=hash_token(token), user_id=user.id,
                                          expires_at=work.now + PENDING_FOR, next_path=next_path[:500]))
                return SecondStep(token, enrol=not enrolled)
            return _open_session(work, user, origin)
    raise Throttled(seconds)


def _open_session(work: Work, user: User, origin: str) -> SignedIn:
    throttle.clear(work.db, user.username, origin)
    # Sessions of this user that ended by timeout are never looked up again: drop them here.
    work.db.execute(delete(WebSession).where(
        WebSession.user_id == user.id,
        (WebSession.expires_at <= work.now) | (WebSession.last_seen_at <= work.now - IDLE)))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    work.db.add(WebSession(token_hash=hash_token(token), user_id=user.id, csrf_token=csrf,
                           created_at=work.now, last_seen_at=work.now, expires_at=work.now + ABSOLUTE,
                           origin=origin[:100]))
    work.audit("auth.session_start", record_type="user", record_id=user.id)
    return SignedIn(Actor.of(user, origin=origin), csrf, token,
                    must_change_password=account.must_change_password(work, user.id))


def _pending(work: Work, token: str) -> tuple[PendingSignIn, User] | None:
    if not token or len(token) > 100:
        return None
    pending = work.db.get(PendingSignIn, hash_token(token))
    if pending is None or work.now >= pending.expires_at:
        return None
    user = work.db.get(User, pending.user_id)
    return (pending, user) if user is not None and user.active else None


def pending_step(practice: Practice, token: str, origin: str) -> str | None:
    """'code' or 'enrol' for a live second step, else None (expired, unknown, used)."""
    with practice.work(_anonymous(origin), write=False) as work:
        found = _pending(work, token)
        if found is None:
            return None
        return "code" if account.has_second_factor(work, found[1].id) else "enrol"


def second_step(practice: Practice, token: str, code: str, origin: str) -> tuple[SignedIn, str] | None:
    """Finish a sign-in with a TOTP or recovery code: (session, where to go), or None for a wrong code.

    Raises ``Throttled`` like the password step, and ``LookupError`` when the step has expired.
    """
    with practice.work(_anonymous(origin)) as work:
        found = _pending(work, token)
        if found is None:
            raise LookupError("sign-in step expired")
        pending, user = found
        seconds = throttle.wait(work.db, work.now, user.username, origin)
        if seconds:
            work.audit("auth.second_factor", record_type="user", record_id=user.id, outcome="denied",
                       reason="throttled")
        elif account.verify_second_factor(work, user.id, code):
            next_path = pending.next_path
            work.db.delete(pending)
            return _open_session(work, user, origin), next_path
        else:
            throttle.record_failure(work.db, work.now, user.username, origin)
            work.audit("auth.second_factor", record_type="user", record_id=user.id, outcome="failed")
            return None
    raise Throttled(seconds)


def start_enrolment(practice: Practice, token: str, origin: str) -> tuple[str, str]:
    """During a sign-in that requires a second factor: a new secret and its otpauth URI."""
    with practice.work(_anonymous(origin)) as work:
        found = _pending(work, token)
        if found is None:
            raise LookupError("sign-in step expired")
        return account.start_enrolment(work, found[1].id)


def finish_enrolment(practice: Practice, token: str, code: str, origin: str) -> tuple[SignedIn, list[str]]:
    """Confirm the new second factor with a code and open the session: (session, recovery codes)."""
    with practice.work(_anonymous(origin)) as work:
        found = _pending(work, token)
        if found is None:
            raise LookupError("sign-in step expired")
        pending, user = found
        codes = account.confirm_enrolment(work, user.id, code)
        work.db.delete(pending)
        return _open_session(work, user, origin), codes


REMEMBER_AT_MOST = 10_000


class _Recent:
    """The sessions an engine's process read in the last ``seconds`` (``Settings.session_cache``), by token hash.

    Every change this process makes to sessions or users (sign-in, sign-out, a touch, a user disabled or given
    other roles) forgets them all at once; a change made by another worker process or by the command line
    reaches this process within ``seconds``. Expiry and idleness are still checked on every page, against the
    remembered row.
    """

    def __init__(self, engine: Engine, seconds: float) -> None:
        self.seconds = seconds
        self.clock = time.monotonic
        self.rows: dict[str, tuple[float, Any]] = {}
        self.generation = 0  # a read that began before a change must not be remembered after it
        self.lock = threading.Lock()
        if seconds > 0:  # nothing is remembered otherwise: no reason to look at every statement
            event.listen(engine, "after_cursor_execute", self._watch)

    def get(self, token_hash: str) -> Any | None:
        hit = self.rows.get(token_hash)
        if hit is None or self.clock() - hit[0] >= self.seconds:
            return None
        return hit[1]

    def remember(self, token_hash: str, row: Any, generation: int) -> None:
        if self.seconds <= 0:
            return
        with self.lock:
            if generation != self.generation:
                return
            if len(self.rows) >= REMEMBER_AT_MOST:
                self.rows.clear()
            self.rows[token_hash] = (self.clock(), row)

    def forget_all(self) -> None:
        with self.lock:
            self.generation += 1
            self.rows.clear()

    def _watch(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        compiled = context is not None and context.compiled is not None
        if compiled and not (context.isinsert or context.isupdate or context.isdelete):
            return  # a SELECT: the common case, decided without looking at the text
        if (statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")
                and ("web_sessions" in statement or "users" in statement)):
            self.forget_all()


_recent: weakref.WeakKeyDictionary[Engine, _Recent] = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()


def _recent_of(practice: Practice) -> _Recent:
    recent = _recent.get(practice.engine)
    if recent is None:
        with _recent_lock:
            recent = _recent.get(practice.engine)
            if recent is None:
                recent = _recent[practice.engine] = _Recent(practice.engine, practice.settings.session_cache)
    return recent


def _lookup(practice: Practice, token_hash: str, origin: str) -> tuple[Any, dt.datetime]:
    # Runs before every page: a session seen within the last second is not read again (issue 18).
    recent = _recent_of(practice)
    row = recent.get(token_hash)
    if row is not None:
        return row, practice.now()
    generation = recent.generation
    with practice.work(_anonymous(origin), write=False) as work:
        # Columns, not entities.
        row = work.db.execute(
            select(WebSession.expires_at, WebSession.last_seen_at, WebSession.csrf_token, User.id, User.username,
                   User.roles, User.display_name, User.disciplines, User.active)
            .join(User, User.id == WebSession.user_id).where(WebSession.token_hash == token_hash)).first()
        now = work.now
    if row is not None:
        recent.remember(token_hash, row, generation)
    return row, now


def remembered(practice: Practice, token: str, origin: str) -> SignedIn | None:
    """``peek`` without the database: the session only if this process read it within the last
    ``Settings.session_cache`` seconds and it needs no touch; None otherwise (then ``resolve`` decides)."""
    if not token or len(token) > 100:
        return None
    return _untouched(_recent_of(practice).get(hash_token(token)), practice.now(), origin)


def _untouched(row: Any, now: dt.datetime, origin: str) -> SignedIn | None:
    """The session as it stands, unless it has to be written first (touched or ended)."""
    if row is None or _expired(row, now) or now - row.last_seen_at >= TOUCH_EVERY:
        return None
    return SignedIn(Actor.of(row, origin=origin), row.csrf_token)


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
    return _untouched(*_lookup(practice, hash_token(token), origin), origin)


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
