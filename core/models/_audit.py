"""The append-only, hash-chained audit trail and the plugin error log."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from polymodal.core.models._base import Base


class AuditEvent(Base):
    """Who did what to which record, when, from where, with what outcome.

    Never holds clinical text. ``hash`` = HMAC-SHA256, under the key named by
    ``key_id`` (kept outside the database, see ``polymodal.core.keys``), of the
    previous event's hash and this event's fields, so editing, deleting,
    inserting or reordering a row breaks the chain, and whoever can write the
    database cannot recompute it (Schneier & Kelsey 1999).
    """

    __tablename__ = "audit_events"
    # The center-wide audit page pages newest first by keyset on (at, seq), within a filter: by person, client
    # or action, or none; each index below answers one of those in order (core/audit_trail/listing.py, 0016).
    __table_args__ = (Index("ix_audit_events_at_seq", "at", "seq"),
                      Index("ix_audit_events_actor_at_seq", "actor_id", "at", "seq"),
                      Index("ix_audit_events_action_at_seq", "action", "at", "seq"),
                      Index("ix_audit_events_client_at_seq", "client_id", "at", "seq"))
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    record_type: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    client_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(20), doc="success, denied or failed")
    reason: Mapped[str] = mapped_column(String(500), default="")
    origin: Mapped[str] = mapped_column(String(100), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(40), default=None, doc="None: from before the key (0012).")


class PluginErrorRecord(Base):
    """A plugin failure at run time, for the admin's plugin page (shared by all workers)."""

    __tablename__ = "plugin_errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    plugin: Mapped[str] = mapped_column(String(120), index=True)
    hook: Mapped[str] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(String(2000))
