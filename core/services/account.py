"""A staff member's own credentials, and an admin's hand on them: password change and reset,
the TOTP second factor (RFC 6238, with pyotp) and its recovery codes.

A new password ends every other session of the user (ASVS 5.0 7.4.3); an
admin reset ends all of them and makes the user choose a password of their
own at the next sign-in. A second factor is asked when the user has one, and
enrolment is demanded at sign-in when an admin requires it for the user or
for the whole center. Losing the authenticator is what recovery codes are
for; losing those too, an admin resets the second factor (audited), and the
user enrols again at their next sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete

from polymodal.core.access import AccessRequest
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import SignInFactors, User, WebSession
from polymodal.core.practice import Work
from polymodal.core.services import passwords, throttle, users

ISSUER = "polymodal"
RECOVERY_CODES = 10
CENTER_SETTING = "require_second_factor"


def factors_of(work: Work, user_id: uuid.UUID) -> SignInFactors:
    factors = work.db.get(SignInFactors, user_id)
    if factors is None:
        factors = SignInFactors(user_id=user_id, totp_secret="", totp_last_step=0, totp_required=False,
                                recovery_codes=[], must_change_password=False)
        if work.writes:
            work.db.add(factors)
    return factors


def _user(work: Work, user_id: uuid.UUID | None) -> User:
    user = work.db.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound("no such user")
    return user


def _context(work: Work, user: User) -> list[str]:
    return [user.username, user.display_name, user.email, users._center_name(work)]


def check_password(work: Work, user: User, password: str) -> None:
    """Raise ``ValidationFailed`` naming the password field when it breaks the policy."""
    problem = passwords.problem(password, _context(work, user))
    if problem:
        raise ValidationFailed({"password": problem})


def _set_password(work: Work, user: User, password: str) -> None:
    user.password_hash = users._hasher.hash(password)
    factors = factors_of(work, user.id)
    factors.password_changed_at = work.now
    factors.must_change_password = False


def _end_sessions(work: Work, user_id: uuid.UUID, keep_token_hash: str = "") -> int:
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_token_hash:
        query = query.where(WebSession.token_hash != keep_token_hash)
    return work.db.execute(query).rowcount or 0


def reauthenticate(work: Work, password: str, attempt: AccessRequest, field: str, *,
                   wrong_is_denied: bool = False) -> User:
    """The signed-in user's password again, before something sensitive (a credential change, breaking
    the glass). Wrong guesses count with sign-in failures and are slowed like them (core/services/throttle.py).
    Refusals are audited as denials and raise ``ValidationFailed`` on ``field`` (a wrong password raises
    ``AccessDenied`` instead when ``wrong_is_denied``)."""
    user = _user(work, work.actor.user_id)
    seconds = throttle.wait(work.db, work.now, user.username, work.actor.origin)
    if seconds:
        work.deny(attempt, "re-authentication throttled", ValidationFailed(
            {field: f"Too many wrong passwords. Wait {seconds} seconds, then try again."}))
    try:
        users._hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        # deny() audits after the rollback this error causes, so the failed attempt stays on record.
        work.password_failed(user.username)
        work.deny(attempt, "re-authentication failed",
                  None if wrong_is_denied else ValidationFailed({field: "That is not your password."}))
    return user


def verify_own_password(work: Work, password: str) -> User:
    return reauthenticate(work, password, AccessRequest("auth.reauthenticate", None, "user",
                                                        str(work.actor.user_id)), "current")


def change_password(work: Work, current: str, new: str, confirm: str, *, keep_token_hash: str = "") -> int:
    """The signed-in user's new password; returns how many of their other sessions were ended."""
    user = verify_own_password(work, current)
    if new != confirm:
        raise ValidationFailed({"confirm": "The two new passwords differ."})
    if new == current:
        raise ValidationFailed({"password": "Choose a password different from the current one."})
    check_password(work, user, new)
    _set_password(work, user, new)
    ended = _end_sessions(work, user.id, keep_token_hash)
    work.audit("auth.password_change", record_type="user", record_id=user.id, reason=f"{ended} other sessions ended")
    return ended


def reset_password(work: Work, user_id: uuid.UUID) -> str:
    """An admin gives a user a one-time password, shown once; every session of theirs ends.

    The user must choose their own at the next sign-in. One's own password is changed, not reset.
    """
    work.require("user.manage")
    user = _user(work, user_id)
    if user.id == work.actor.user_id:
        raise Conflict("change your own password on your account page")
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    _set_password(work, user, temporary)
    factors_of(work, user.id).must_change_password = True
    ended = _end_sessions(work, user.id)
    work.audit("auth.password_reset", record_type="user", record_id=user.id, reason=f"{ended} sessions ended")
    return temporary


def must_change_password(work: Work, user_id: uuid.UUID) -> bool:
    factors = work.db.get(SignInFactors, user_id)
    return bool(factors and factors.must_change_password)


# --- the second factor ----------------------------------------------------------------------


def has_second_factor(work: Work, user_id: uuid.UUID) -> bool:
    factors = work.db.get(SignInFactors, user_id)
    return bool(factors and factors.totp_confirmed_at is not None)


def second_factor_required(work: Work, user_id: uuid.UUID) -> bool:
    factors = work.db.get(SignInFactors, user_id)
    if factors is not None and factors.totp_required:
        return True
    try:
        return bool(work.center.settings.get(CENTER_SETTING))
    except NotFound:
        return False


def start_enrolment(work: Work, user_id: uuid.UUID) -> tuple[str, str]:
    """A new secret for ``user_id`` (not yet in force): (secret, otpauth URI for the authenticator app)."""
    user = _user(work, user_id)
    factors = factors_of(work, user.id)
    if factors.totp_confirmed_at is not None:
        raise Conflict("a second factor is set up already; an admin can reset it")
    if not factors.totp_secret:  # kept until confirmed: a mistyped code must not change the QR code
        factors.totp_secret = pyotp.random_base32()
    try:
        issuer = f"{ISSUER} ({work.center.name})"
    except NotFound:
        issuer = ISSUER
    uri = pyotp.TOTP(factors.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer)
    return factors.totp_secret, uri


def confirm_enrolment(work: Work, user_id: uuid.UUID, code: str) -> list[str]:
    """Put the pending secret in force with a code from the app; returns recovery codes, shown once."""
    factors = factors_of(work, _user(work, user_id).id)
    if factors.totp_confirmed_at is not None or not factors.totp_secret:
        raise Conflict("there is no second factor waiting for confirmation; start again")
    step = _matching_step(work, factors, code)
    if step is None:
        raise ValidationFailed({"code": "That code is not right. Enter the 6 digits the app shows now."})
    factors.totp_confirmed_at, factors.totp_last_step = work.now, step
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    factors.recovery_codes = [_code_hash(c) for c in codes]
    work.audit("auth.second_factor_enrol", record_type="user", record_id=user_id)
    return codes


def verify_second_factor(work: Work, user_id: uuid.UUID, code: str) -> bool:
    """A current TOTP code (each works once) or an unused recovery code (then spent)."""
    factors = work.db.get(SignInFactors, user_id)
    if factors is None or factors.totp_confirmed_at is None:
        return False
    step = _matching_step(work, factors, code)
    if step is not None and step > factors.totp_last_step:
        factors.totp_last_step = step
        return True
    hashed = _code_hash(code)
    if hashed in (factors.recovery_codes or []):
        factors.recovery_codes = [c for c in factors.recovery_codes if c != hashed]
        work.audit("auth.recovery_code_used", record_type="user", record_id=user_id,
                   reason=f"{len(factors.recovery_codes)} left")
        return True
    return False


def reset_second_factor(work: Work, user_id: uuid.UUID) -> None:
    """An admin clears a user's second factor (a lost phone); the user enrols again at the next sign-in."""
    work.require("user.manage")
    user = _user(work, user_id)
    factors = factors_of(work, user.id)
    factors.totp_secret, factors.totp_confirmed_at, factors.recovery_codes = "", None, []
    ended = _end_sessions(work, user.id)
    work.audit("auth.second_factor_reset", record_type="user", record_id=user.id, reason=f"{ended} sessions ended")


def require_second_factor(work: Work, user_id: uuid.UUID, required: bool) -> None:
    work.require("user.manage")
    factors = factors_of(work, _user(work, user_id).id)
    if factors.totp_required != required:
        factors.totp_required = required
        work.audit("auth.second_factor_required" if required else "auth.second_factor_optional",
                   record_type="user", record_id=user_id)


def require_second_factor_for_all(work: Work, required: bool) -> None:
    work.require("center.manage")
    center = work.center
    if bool(center.settings.get(CENTER_SETTING)) != required:
        center.settings = {**center.settings, CENTER_SETTING: required}
        work.audit("center.second_factor_required" if required else "center.second_factor_optional",
                   record_type="center", record_id=center.id)


def _matching_step(work: Work, factors: SignInFactors, code: str) -> int | None:
    """The time step a 6-digit code belongs to, now or 30 s either side (clock drift), else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(factors.totp_secret)
    now = work.now.timestamp()  # the practice's clock, which tests fix
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace(" ", "").encode()).hexdigest()
