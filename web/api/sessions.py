"""/api/v1: sessions, read and booked through the scheduling service the booking page uses."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.core.services import scheduling
from polymodal.web.api._shared import paged
from polymodal.web.api.schemas import Booked, SessionOut, SessionPage


class SessionsApi(Controller):
    path = "/"
    tags = ["sessions"]

    @get("/clients/{client_id:uuid}/sessions", opt={"action": "client.read"}, sync_to_thread=True)
    def sessions_of_client(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                           client_id: FromPath[uuid.UUID],
                           cursor: str | None = Parameter(default=None, max_length=200),
                           limit: int = Parameter(default=50, ge=1, le=records.MAX_PAGE)) -> SessionPage:
        """The client's sessions, newest first; follow ``next_cursor`` for older ones."""
        with practice.work(actor, write=False) as work:
            return paged(records.sessions_page(work, client_id, cursor, limit))

    @get("/sessions/{session_id:uuid}", opt={"action": "client.read"}, sync_to_thread=True)
    def get_session(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    session_id: FromPath[uuid.UUID]) -> SessionOut:
        with practice.work(actor, write=False) as work:
            return records.session(work, session_id)

    @post("/sessions", opt={"action": "session.manage"}, status_code=201, sync_to_thread=True)
    def book(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             data: JSONBody[dict[str, Any]]) -> Booked:
        """Book a session (or a weekly series): the booking page's checks apply, clashes are a 409.

        The body has the fields of ``scheduling.SessionInput`` (case_id, modality_key, starts_at, minutes,
        delivery, room_id, client_ids, practitioner_ids, weeks); the service validates it (422 per field).
        """
        with practice.work(actor) as work:
            booked = scheduling.schedule_session(work, data)
            return {"data": [records.session_dict(s) for s in booked]}
