"""Video meeting links: a practitioner's standing room, or one a plugin makes for the session."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, select

from polymodal.core.db import connection_of
from polymodal.core.errors import ValidationFailed
from polymodal.core.messaging.models import MeetingLink

if TYPE_CHECKING:
    from polymodal.core.models import Session
    from polymodal.core.practice import Work


class MeetingRequest(BaseModel):
    """What ``polymodal_meeting_link`` is told: ids, times and keys, no names."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)
    session_id: str
    """The session's id."""
    starts_at: dt.datetime
    """When it starts (UTC, timezone-aware)."""
    ends_at: dt.datetime
    """When it ends (UTC, timezone-aware)."""
    modality_key: str
    """The session's ``ModalitySpec.key``."""
    practitioner_ids: tuple[str, ...]
    """The user ids of its practitioners."""


def _valid_url(url: str) -> str:
    url = url.strip()
    if url and not url.startswith("https://") or len(url) > 500 or any(c.isspace() for c in url):
        raise ValidationFailed({"meeting_url": "Enter an https:// address (at most 500 characters), or leave empty."})
    return url


def set_standing_room(work: Work, user_id: uuid.UUID, url: str) -> None:
    """A practitioner's own room URL, used for each of their video sessions; empty removes it."""
    if work.actor.user_id != user_id:
        work.require("user.manage")
    url = _valid_url(url)
    row = work.db.scalars(select(MeetingLink).where(MeetingLink.user_id == user_id)).first()
    if not url:
        if row is not None:
            work.db.delete(row)
    elif row is None:
        work.db.add(MeetingLink(user_id=user_id, url=url))
    else:
        row.url = url
    work.audit("user.meeting_room", record_type="user", record_id=user_id)


def standing_room(work: Work, user_id: uuid.UUID) -> str:
    return work.db.scalars(select(MeetingLink.url).where(MeetingLink.user_id == user_id)).first() or ""


def attach_link(work: Work, session: Session) -> str:
    """Give a video session its link: the first practitioner's standing room, else a plugin's; '' if none."""
    if session.delivery != "video":
        return ""
    existing = session_link(work, session.id)
    if existing:
        return existing
    practitioner_ids = [link.user_id for link in session.practitioners]
    url, source = "", "standing room"
    for user_id in practitioner_ids:
        url = standing_room(work, user_id)
        if url:
            break
    if not url:
        request = MeetingRequest(session_id=str(session.id), starts_at=session.starts_at, ends_at=session.ends_at,
                                 modality_key=session.modality_key,
                                 practitioner_ids=tuple(str(p) for p in practitioner_ids))
        for plugin, value in work.practice.call_each("polymodal_meeting_link", request=request):
            if isinstance(value, str) and value.startswith("https://") and len(value) <= 500:
                url, source = value, plugin
                break
            work.practice.record_plugin_error(plugin, "polymodal_meeting_link",
                                              TypeError("returned something other than an https:// URL"))
    if url:
        work.db.add(MeetingLink(session_id=session.id, url=url, source=source[:80]))
    return url


def session_link(work: Work, session_id: uuid.UUID) -> str:
    return connection_of(work.db).scalar(_LINK, {"session_id": session_id}) or ""


_LINK = select(MeetingLink.url).where(MeetingLink.session_id == bindparam("session_id")).limit(1)
"""Built once, the value bound: built per page, it was a twentieth of the session page's CPU (issue 18)."""
