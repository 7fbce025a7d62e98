"""Declarative base, id and time types shared by every table."""

from __future__ import annotations

import datetime as dt
import uuid
from contextvars import ContextVar
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC, returns aware UTC datetimes, refuses naive ones.

    A naive datetime has no zone, so storing one would silently shift a
    session by the server's offset; refusing it turns that bug into an error.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone (store UTC)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class TextUuid(Uuid[uuid.UUID]):
    """``Uuid``, whose ids read back from a text column (SQLite's CHAR(32)) skip ``uuid.UUID``'s parsing.

    A page reads hundreds of ids, and each went through ``uuid.UUID(text)``'s string clean-up: 7 % of the front
    desk's dashboard. PostgreSQL's driver returns ``uuid.UUID`` itself and is left alone."""

    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if self.as_uuid and not (dialect.supports_native_uuid and self.native_uuid):
            return uuid_from_text
        return super().result_processor(dialect, coltype)


_new_object, _set_slot, _UNKNOWN = object.__new__, object.__setattr__, uuid.SafeUUID.unknown


_READ: dict[str, uuid.UUID] = {}
_READ_LIMIT = 20_000
"""Ids read recently, by their text: about 4 MB at most, emptied when full."""


def uuid_from_text(value: str | None) -> uuid.UUID | None:
    """The ``uuid.UUID`` of 32 hex digits, as ``Uuid`` writes them to a text column; anything else is parsed.

    An id read again is the object read before (ids are immutable): finding it costs a fifth of making it, and
    equal ids that are the same object compare without calling ``UUID.__eq__``, as a page comparing what it
    read with what it drew before does for hundreds of them (web/fragments.py)."""
    if value is None:
        return None
    made = _READ.get(value)
    if made is not None:
        return made
    if len(value) == 32 and value.isalnum():
        # What uuid.UUID(text) ends with, without its clean-up of braces, dashes and "urn:uuid:" (none of which
        # a run of letters and digits holds), so it accepts and refuses what uuid.UUID does.
        made = _new_object(uuid.UUID)
        _set_slot(made, "int", int(value, 16))
        _set_slot(made, "is_safe", _UNKNOWN)
        if len(_READ) >= _READ_LIMIT:
            _READ.clear()
        _READ[value] = made
        return made
    return uuid.UUID(value)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# The 'now' of the work in progress, set by ``Practice.work``: a row stamps the practice's clock, not the
# server's, so records made under a test's fixed clock (or a replayed import) are dated consistently.
work_now: ContextVar[dt.datetime | None] = ContextVar("polymodal_work_now", default=None)


def record_time() -> dt.datetime:
    return work_now.get() or utcnow()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime, uuid.UUID: TextUuid, dict[str, Any]: JSONType,
                           list[Any]: JSONType}


class IdMixin:
    # Random ids: a URL never reveals how many clients a center has or lets
    # anyone guess a neighbour's record.
    id: Mapped[uuid.UUID] = mapped_column(TextUuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(default=record_time)
