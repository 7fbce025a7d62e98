"""Admin → Export: the whole-center archive, made in the background with its progress on the page."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Template

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound
from polymodal.core.interop import center_export
from polymodal.core.practice import Practice
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render


class CenterExportController(Controller):
    path = "/admin/export"

    def _page(self, request: HTMXRequest, practice: Practice, actor: Actor) -> Template:
        with practice.work(actor, write=False) as work:
            jobs = center_export.export_jobs(work)
        running = any(j.status in ("queued", "running") for j in jobs)
        return render(request, "admin/export.html", {"section": "export", "jobs": jobs, "running": running},
                      block="jobs")

    @get("/", opt={"action": "center.export"}, sync_to_thread=True)
    def page(self, request: HTMXRequest, practice: NamedDependency[Practice],
             actor: NamedDependency[Actor]) -> Template:
        return self._page(request, practice, actor)

    @get("/progress", opt={"action": "center.export"}, sync_to_thread=True)
    def progress(self, request: HTMXRequest, practice: NamedDependency[Practice],
                 actor: NamedDependency[Actor]) -> Template:
        """The job list alone, polled by the page while an export runs."""
        return self._page(request, practice, actor)

    @post("/", opt={"action": "center.export"}, status_code=200, sync_to_thread=True)
    def start(self, request: HTMXRequest, practice: NamedDependency[Practice],
              actor: NamedDependency[Actor]) -> Response:
        center_export.start_in_background(practice, actor)
        return go(request, self.path)

    # A form's POST rather than a link: fetching every client's record is a change-like act (CSRF-checked).
    @post("/download", opt={"action": "center.export"}, status_code=200, sync_to_thread=True)
    def download(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 data: AnyForm) -> File:
        try:
            job_id = uuid.UUID(one(data, "job", 40))
        except ValueError:
            raise NotFound("no such export") from None
        with practice.work(actor, write=False) as work:
            path = center_export.download(work, job_id)
        return File(path=path, filename=path.name, media_type="application/zip")
