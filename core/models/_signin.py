"""Server-side sign-in sessions and the failed-attempt log behind login throttling."""

from __future__ import annotations

import datetime as dt
import uuid

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
