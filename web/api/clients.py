"""/api/v1/clients: the client list (cursor paged) and one client's demographics."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import paged
from polymodal.web.api.schemas import ClientOut, ClientPage


class ClientsApi(Controller):
    path = "/clients"
    tags = ["clients"]

    @get("/", opt={"action": "client.read"}, sync_to_thread=True)
    def list_clients(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                     cursor: str | None = Parameter(default=None, max_length=200),
                     limit: int = Parameter(default=50, ge=1, le=records.MAX_PAGE)) -> ClientPage:
        """Clients this token's user may see, oldest record first; follow ``next_cursor`` for more."""
        with practice.work(actor, write=False) as work:
            return paged(records.clients_page(work, cursor, limit))

    @get("/{client_id:uuid}", opt={"action": "client.read"}, sync_to_thread=True)
    def get_client(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   client_id: FromPath[uuid.UUID]) -> ClientOut:
        """One client's demographics and guardians (no clinical content)."""
        with practice.work(actor, write=False) as work:
            return records.client(work, client_id)
