"""What a client completes from home: packets, the secure links to them, portal sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base, IdMixin, Timestamps


class PortalPacket(IdMixin, Timestamps, Base):
    """The forms, screenings and consents one client is asked to complete.

    ``items`` is an ordered list of ``{"kind": "form"|"consent"|"assessment",
    "key": ..., "version": ...}``; ``drafts`` keeps answers per item as they
    are entered, so a step can be resumed later from the same link.
    """

    __tablename__ = "portal_packets"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    items: Mapped[list[Any]]
    drafts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open", doc="open or submitted")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PortalLink(IdMixin, Timestamps, Base):
    """A secure link: only the SHA-256 of its token is stored."""

    __tablename__ = "portal_links"
    packet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portal_packets.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"))
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("guardians.id"), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    uses: Mapped[int] = mapped_column(default=0)


class PortalSession(IdMixin, Base):
    """The short session a link is exchanged for; the cookie holds its token, we its hash."""

    __tablename__ = "portal_sessions"
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("portal_links.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
