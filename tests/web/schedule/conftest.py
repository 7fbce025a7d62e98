"""Helpers for the schedule and cases tests: demo cases, rooms, users by name, and booking through the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Case, Room, Session, User
from polymodal.core.services import scheduling


@pytest.fixture
def ids(web_practice):
    """Demo ids by name: ids.case("Tom: low back"), ids.room("Willow"), ids.user("maya")."""

    class Ids:
        def _one(self, stmt):
            with web_practice.engine.connect() as conn:
                return conn.execute(stmt).scalar_one()

        def case(self, title: str):
            return self._one(select(Case.id).where(Case.title == title))

        def room(self, name: str):
            return self._one(select(Room.id).where(Room.name == name))

        def user(self, username: str):
            return self._one(select(User.id).where(User.username == username))

        def sessions_of(self, title: str) -> list:
            with web_practice.engine.connect() as conn:
                return list(conn.execute(
                    select(Session.id, Session.starts_at, Session.status, Session.room_id, Session.status_reason)
                    .join(Case, Case.id == Session.case_id).where(Case.title == title)
                    .order_by(Session.starts_at)).all())

    return Ids()


@pytest.fixture
def book(web_practice, ids) -> Callable[..., list]:
    """Book sessions for a demo case through the service (as the system), returning their ids."""

    def run(title: str, start: dt.datetime, *, count: int = 1, every: dt.timedelta = dt.timedelta(minutes=15),
            minutes: int = 10, room: str | None = None) -> list:
        booked = []
        with web_practice.work(Actor.system("test")) as work:
            for i in range(count):
                sessions = scheduling.schedule_session(work, {
                    "case_id": ids.case(title), "modality_key": _modality(title), "format": _format(title),
                    "starts_at": start + i * every, "minutes": minutes,
                    "delivery": "in_person" if room else "video",
                    "room_id": ids.room(room) if room else None})
                booked.extend(s.id for s in sessions)
        return booked

    return run


def _modality(title: str) -> str:
    return {"Tom: low back": "bodywork/massage", "Jordan: anxiety": "talk/psychotherapy",
            "Sofia: school stress": "talk/psychotherapy", "Natarajan couple": "talk/couple-therapy"}[title]


def _format(title: str) -> str:
    return "couple" if title == "Natarajan couple" else "individual"

