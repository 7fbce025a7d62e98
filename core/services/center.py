"""The center, its locations and rooms."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import select

from polymodal.core.errors import ValidationFailed
from polymodal.core.minors import reference_age
from polymodal.core.models import Center, Location, Room
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


def add_room(work: Work, location_name: str, room_name: str, address: str = "") -> Room:
    work.require("center.manage")
    if not room_name.strip() or not location_name.strip():
        raise ValidationFailed({"name": "Give the location and the room a name."})
    location = work.db.query(Location).filter_by(name=location_name).first()
    if location is None:
        location = Location(center_id=work.center.id, name=location_name, address=address)
        work.db.add(location)
        work.db.flush()
    room = Room(location_id=location.id, name=room_name)
    work.db.add(room)
    work.db.flush()
    work.audit("room.create", record_type="room", record_id=room.id)
    return room


def rooms(work: Work) -> list[Any]:
    """Rooms with their location, as columns (for the rooms page and room pickers)."""
    work.require("schedule.read")
    return list(work.db.execute(
        select(Room.id, Room.name, Location.name.label("location"), Location.address)
        .join(Location, Location.id == Room.location_id).order_by(Location.name, Room.name)
    ).all())
