"""Tables of the interop capability: API tokens and background jobs (export, import)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin


class ApiToken(IdMixin, Base):
    """A bearer token for /api/v1. Only the SHA-256 of the secret is stored; the secret is shown once.

    A token acts as its user (a person's own token, or the service account an
    admin made for an integration), so the access rules are that user's.
    """

    __tablename__ = "api_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), doc="The first characters, to recognise a token in a list.")
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), doc="personal or integration")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list, doc="read, write")
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class InteropJob(IdMixin, Base):
    """A long export or import: its progress is read by the browser while a worker thread runs it."""

    __tablename__ = "interop_jobs"
    kind: Mapped[str] = mapped_column(String(20), doc="center_export or client_import")
    status: Mapped[str] = mapped_column(String(20), default="queued", doc="queued, running, done, failed")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    file_name: Mapped[str] = mapped_column(String(200), default="", doc="Under the data folder; never a user's text.")
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(2000), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
