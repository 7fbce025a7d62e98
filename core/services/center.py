"""The center, its locations and rooms."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import func, select

from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.minors import reference_age
from polymodal.core.models import Center, Location, Room, Session
from polymodal.core.practice import Work
from polymodal.core.timeutil import zone
from polymodal.core.wording import field_errors


class CenterInput(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(min_length=1, max_length=64)
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", description="ISO 3166, e.g. US-CA",
                              json_schema_extra={"hint": "a country code, or country and state, e.g. US-CA"})
    age_of_majority: int = Field(default=18, ge=14, le=21)
    minor_consent_age: int | None = Field(default=None, ge=10, le=21)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


def parse(model: type[BaseModel], data: object, context: dict | None = None) -> BaseModel:
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc, model)) from None


def setup_center(work: Work, data: dict) -> Center:
    work.require("center.manage")
    values = parse(CenterInput, data)
    if "minor_consent_age" not in data and (reference := reference_age(values.jurisdiction)) is not None:
        values.minor_consent_age = reference.age  # the law's age there, until the center's counsel says otherwise
    center = work.db.query(Center).first()
    if center is None:
        center = Center(**values.model_dump())
        work.db.add(center)
    else:
        for key, value in values.model_dump().items():
            setattr(center, key, value)
    work.db.flush()
    work.audit("center.update", record_type="center", record_id=center.id)
    return center


def _location(work: Work, name: str, address: str) -> Location:
    location = work.db.query(Location).filter_by(name=name).first()
    if location is None:
        location = Location(center_id=work.center.id, name=name, address=address)
        work.db.add(location)
        work.db.flush()
    return location


def _room_names(location_name: str, room_name: str) -> dict[str, str]:
    errors = {}
    if not location_name:
        errors["location"] = "Give the location: an existing one's name, or a new one."
    elif len(location_name) > 200:
        errors["location"] = "Keep the location's name under 200 characters."
    if not room_name:
        errors["name"] = "Give the room a name."
    elif len(room_name) > 200:
        errors["name"] = "Keep the room's name under 200 characters."
    return errors


def _taken(work: Work, location: Location, name: str, room_id: uuid.UUID | None = None) -> bool:
    return work.db.scalar(select(Room.id).where(Room.location_id == location.id, Room.name == name,
                                                Room.id != room_id if room_id else Room.id.is_not(None))) is not None


def add_room(work: Work, location_name: str, room_name: str, address: str = "") -> Room:
    work.require("center.manage")
    location_name, room_name = location_name.strip(), room_name.strip()
    if errors := _room_names(location_name, room_name):
        raise ValidationFailed(errors)
    location = _location(work, location_name, address.strip()[:500])
    if _taken(work, location, room_name):
        raise ValidationFailed({"name": f"{location_name} already has a room called {room_name}."})
    room = Room(location_id=location.id, name=room_name)
    work.db.add(room)
    work.db.flush()
    work.audit("room.create", record_type="room", record_id=room.id)
    return room


def _room(work: Work, room_id: uuid.UUID) -> Room:
    work.require("center.manage")
    room = work.db.get(Room, room_id)
    if room is None:
        raise NotFound("no such room")
    return room


def update_room(work: Work, room_id: uuid.UUID, room_name: str, location_name: str, address: str = "") -> Room:
    """Rename a room or move it to another location (a new location's name makes it, at ``address``).

    Sessions keep pointing at the room, so past and future ones show its new name and place.
    """
    room = _room(work, room_id)
    location_name, room_name = location_name.strip(), room_name.strip()
    if errors := _room_names(location_name, room_name):
        raise ValidationFailed(errors)
    location = _location(work, location_name, address.strip()[:500])
    if _taken(work, location, room_name, room.id):
        raise ValidationFailed({"name": f"{location_name} already has a room called {room_name}."})
    before = f"{room.location.name} / {room.name}"
    if (room.location_id, room.name) != (location.id, room_name):
        room.location_id, room.name = location.id, room_name
        work.db.flush()
        work.db.expire(room, ["location"])
        work.audit("room.update", record_type="room", record_id=room.id,
                   reason=f"{before} -> {location_name} / {room_name}")
    return room


BOOKED = ("scheduled", "checked_in")
"""Sessions that still need their room: booked and not yet over."""


def sessions_ahead(work: Work, room_id: uuid.UUID) -> int:
    """How many sessions still to come are booked in the room."""
    return work.db.scalar(select(func.count()).select_from(Session).where(
        Session.room_id == room_id, Session.ends_at > work.now, Session.status.in_(BOOKED))) or 0


def retire_room(work: Work, room_id: uuid.UUID) -> Room:
    """Stop offering a room for booking; its past sessions keep showing it.

    Refused while sessions still to come are booked there: moving them is the front desk's decision,
    not a side effect of closing a room.
    """
    room = _room(work, room_id)
    if not room.active:
        return room
    ahead = sessions_ahead(work, room.id)
    if ahead:
        raise Conflict(f"{ahead} session{'s are' if ahead != 1 else ' is'} still booked in {room.name}: "
                       "move or cancel them first, then retire the room.")
    room.active = False
    work.db.flush()
    work.audit("room.retire", record_type="room", record_id=room.id)
    return room


def restore_room(work: Work, room_id: uuid.UUID) -> Room:
    """Offer a retired room for booking again."""
    room = _room(work, room_id)
    if not room.active:
        room.active = True
        work.db.flush()
        work.audit("room.restore", record_type="room", record_id=room.id)
    return room


def rooms(work: Work) -> list[Any]:
    """Every room with its location and whether it is still offered (for the rooms page and room feeds)."""
    work.require("schedule.read")
    return list(work.db.execute(
        select(Room.id, Room.name, Room.active, Location.name.label("location"), Location.address)
        .join(Location, Location.id == Room.location_id).order_by(Room.active.desc(), Location.name, Room.name)
    ).all())
