"""The client's rights: a full record export (right of access) and erasure within retention."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.practice import Practice
from polymodal.core.services import clients, privacy
from polymodal.web.rendering import render
from polymodal.web.threads import on_long_thread

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class PrivacyController(Controller):
    path = "/clients/{client_id:uuid}"

    @get("/export.json", opt={"action": "record.export"})
    @on_long_thread
    def export(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID]) -> Response[bytes]:
        with practice.work(actor, write=False) as work:
            record = privacy.export_record(work, client_id)
        # A download, never rendered: the file name is ours, not built from anything the client typed.
        return Response(json.dumps(record, indent=2, ensure_ascii=False).encode(), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="record-{client_id}.json"'})

    @get("/erase", opt={"action": "record.erase"}, sync_to_thread=True)
    def confirm(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
        return render(request, "privacy/erase.html", {"client": client, "errors": {}}, block="erase_form")

    @post("/erase", opt={"action": "record.erase"}, status_code=200, sync_to_thread=True)
    def erase(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              client_id: FromPath[uuid.UUID], data: FormData) -> Response:
        with practice.work(actor) as work:
            client = clients.get_client(work, client_id)
            confirmed = str(data.get("confirm_name", "")).strip().casefold() == (
                f"{client.legal_first_name} {client.legal_last_name}".casefold())
            if confirmed:
                privacy.erase_client(work, client_id)
        if not confirmed:
            return render(request, "privacy/erase.html", {"client": client, "errors": {
                "confirm_name": "Type the client's legal first and last name to confirm."}},
                block="erase_form", status_code=422)
        return Redirect(path="/clients", status_code=303)
