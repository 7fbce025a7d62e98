"""API tokens: made for a person or an integration, shown once, stored hashed, expiring, revocable.

A token is another way to become an ``Actor``: ``resolve`` returns the same
actor the token's user gets from signing in, so every service applies the
same access rules and every record read is audited under that user, with the
token's prefix in the audit event's origin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from polymodal.core.access import Actor, Role
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.interop.models import ApiToken
from polymodal.core.models import User
from polymodal.core.practice import Practice, Work

SCOPES = ("read", "write")
"""read: GET routes; write: routes that change something (booking a session)."""
DEFAULT_DAYS = 90
MAX_DAYS = 365
TOUCH_EVERY = dt.timedelta(seconds=60)
"""last_used_at (and its audit event) is written at most this often per token."""
PREFIX = "pm_"
INTEGRATION_ROLES = (Role.front_desk, Role.practitioner, Role.supervisor, Role.admin)


@dataclass(frozen=True)
class Resolved:
    actor: Actor
    scopes: frozenset[str]
    token_id: uuid.UUID


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _validate(name: str, scopes: list[str], days: int | str) -> tuple[str, list[str], int]:
    errors: dict[str, str] = {}
    name = " ".join(str(name).split())
    if not 1 <= len(name) <= 120:
        errors["name"] = "Name the token (up to 120 characters), so you recognise it in the list."
    chosen = [s for s in SCOPES if s in scopes]
    if not chosen or len(chosen) != len(set(scopes)):
        errors["scopes"] = "Choose read, write or both."
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"A token lasts 1 to {MAX_DAYS} days."
    if errors:
        raise ValidationFailed(errors)
    return name, chosen, days


def _issue(work: Work, user_id: uuid.UUID, kind: str, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=hash_token(secret), prefix=secret[:10], name=name, kind=kind, user_id=user_id,
                     scopes=scopes, created_by=work.actor.user_id, created_at=work.now,
                     expires_at=work.now + dt.timedelta(days=days))
    work.db.add(token)
    work.db.flush()
    work.audit("api_token.create", record_type="api_token", record_id=token.id,
               reason=f"{kind} token {token.prefix}… for user {user_id}, scopes {','.join(scopes)}")
    return token, secret


def create_personal_token(work: Work, name: str, scopes: list[str], days: int | str = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A token acting as the signed-in user; returns the row and the secret, which is never shown again."""
    work.require("api_token.own")
    if work.actor.user_id is None:
        raise ValidationFailed({"name": "Only a signed-in staff member has tokens of their own."})
    name, scopes, days = _validate(name, scopes, days)
    return _issue(work, work.actor.user_id, "personal", name, scopes, days)


def create_integration_token(work: Work, name: str, role: str, scopes: list[str],
                             days: int | str = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A service account with one staff role, and its token: the integration is that account."""
    work.require("user.manage")
    name, scopes, days = _validate(name, scopes, days)
    if role not in {r.value for r in INTEGRATION_ROLES}:
        raise ValidationFailed({"role": "Choose the staff role the integration acts with."})
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or "integration"
    username = f"integration-{slug}-{secrets.token_hex(3)}"
    # No password: the account can act only through its tokens, never sign in to the pages.
    user = User(username=username, display_name=f"Integration: {name}"[:200], password_hash="", roles=[role],
                disciplines=[], modalities=[])
    work.db.add(user)
    work.db.flush()
    work.audit("user.create", record_type="user", record_id=user.id, reason=f"integration account, role {role}")
    return _issue(work, user.id, "integration", name, scopes, days)


def tokens_of(work: Work, *, integrations: bool = False) -> list[Any]:
    """The actor's own tokens, or (admins) every integration token; never the secrets."""
    if integrations:
        work.require("user.manage")
        condition = ApiToken.kind == "integration"
    else:
        work.require("api_token.own")
        condition = (ApiToken.user_id == work.actor.user_id) & (ApiToken.kind == "personal")
    return list(work.db.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.kind, ApiToken.scopes, ApiToken.created_at,
               ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at, User.roles, User.username)
        .join(User, User.id == ApiToken.user_id).where(condition).order_by(ApiToken.created_at.desc())).all())


def revoke(work: Work, token_id: uuid.UUID) -> ApiToken:
    """End a token now: one's own, or (admins) an integration's."""
    token = work.db.get(ApiToken, token_id)
    if token is None:
        raise NotFound("no such token")
    if token.kind == "integration":
        work.require("user.manage", record_type="api_token", record_id=token.id)
    else:
        work.require("api_token.own", record_type="api_token", record_id=token.id)
        if token.user_id != work.actor.user_id:
            raise NotFound("no such token")  # someone else's token is not there for this user
    if token.revoked_at is None:
        token.revoked_at = work.now
        work.audit("api_token.revoke", record_type="api_token", record_id=token.id)
    return token


def _anonymous(origin: str) -> Actor:
    return Actor(user_id=None, username="anonymous", roles=frozenset(), origin=origin)


def resolve(practice: Practice, secret: str, origin: str) -> Resolved | None:
    """The actor a bearer token stands for, or None if unknown, revoked, expired, or its user is disabled."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token_hash = hash_token(secret)
    with practice.work(_anonymous(origin), write=False) as work:
        row = work.db.execute(
            select(ApiToken.id, ApiToken.prefix, ApiToken.scopes, ApiToken.expires_at, ApiToken.revoked_at,
                   ApiToken.last_used_at, User.id.label("user_id"), User.username, User.roles, User.display_name,
                   User.disciplines, User.active)
            .join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == token_hash)).first()
        now = work.now
    if row is None or row.revoked_at is not None or now >= row.expires_at or not row.active:
        return None
    # The token's prefix rides in the origin of every audit event made with it.
    actor = Actor(user_id=row.user_id, username=row.username, roles=frozenset(row.roles),
                  display_name=row.display_name, disciplines=frozenset(row.disciplines),
                  origin=f"{origin[:60]} token:{row.prefix}")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        with practice.work(actor) as work:
            work.db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            work.audit("api_token.use", record_type="api_token", record_id=row.id)
    return Resolved(actor, frozenset(row.scopes), row.id)
