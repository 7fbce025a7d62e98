"""Server-side sign-in sessions and the failed-attempt log behind login throttling."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base


class WebSession(Base):
    """One signed-in browser. Only the SHA-256 of the cookie token is stored.

    A stolen database dump therefore holds no usable session; every worker
    and machine reads the same rows, so any of them can serve any request.
    """

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), doc="Bound to this session; sent back with every change.")
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(doc="Absolute end, however active the session is.")
    origin: Mapped[str] = mapped_column(String(100), default="")


class LoginFailure(Base):
    """A failed sign-in, counted per username and per address over a sliding window.

    Kept in the database rather than the session so that a fresh cookie (or
    another worker) does not reset the count.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key", "kind", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), doc="username, address, or portal (a refused portal link, per address)")
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime]


class SignInFactors(Base):
    """How a user signs in beyond the password hash: the second factor and password state.

    Apart from ``users`` so that a page listing staff never loads a TOTP secret.
    The secret is the base32 key of RFC 6238; it is set at enrolment and counts
    only once confirmed with a code. Recovery codes are stored as SHA-256
    hashes and each is removed when used.
    """

    __tablename__ = "sign_in_factors"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    totp_secret: Mapped[str] = mapped_column(String(64), default="")
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int] = mapped_column(default=0, doc="The last code's time step: a code works once.")
    totp_required: Mapped[bool] = mapped_column(default=False, doc="Set by an admin for this user.")
    recovery_codes: Mapped[list[Any]] = mapped_column(default=list)
    must_change_password: Mapped[bool] = mapped_column(default=False, doc="After an admin reset.")
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PendingSignIn(Base):
    """A password accepted, the second step (code, or enrolment) not yet done. Minutes long; cookie holds the token."""

    __tablename__ = "pending_sign_ins"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[dt.datetime]
    next_path: Mapped[str] = mapped_column(String(500), default="/")
