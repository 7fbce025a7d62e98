"""Clients → Import: upload another system's CSV, match its columns, preview every problem, import all or none."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.interop import appointment_import, csv_import, jobs
from polymodal.core.practice import Practice
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PROBLEMS_SHOWN = 2000
"""A file with more problems than this lists the first ones and says how many more: fix and upload again."""


def _job_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise NotFound("no such import") from None


class ClientImportController(Controller):
    path = "/clients/import"

    def _page(self, request: HTMXRequest, practice: Practice, actor: Actor, job_id: uuid.UUID | None, *,
              errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            job = csv_import.get_job(work, job_id) if job_id else None
            recent = csv_import.import_jobs(work) if job is None else []
        found = (job.summary.get("preview") or {}) if job else {}
        done, total = jobs.progress_of(job) if job else (0, 0)
        what = job.summary.get("what", "clients") if job else "clients"
        context = {"job": job, "recent": recent, "errors": errors or {}, "presets": csv_import.PRESETS,
                   "fields": csv_import.fields_of(what), "what": csv_import.WHAT,
                   "noun": "appointments" if what == "appointments" else "clients",
                   "required": csv_import.REQUIRED if what == "clients" else appointment_import.REQUIRED,
                   "date_formats": csv_import.DATE_FORMATS, "found": found, "done": done, "total": total,
                   "problems": (found.get("problems") or [])[:PROBLEMS_SHOWN],
                   "running": bool(job and job.status in ("previewing", "committing"))}
        return render(request, "interop/import.html", context, block="job", status_code=status_code)

    def _start(self, request: HTMXRequest, practice: Practice, actor: Actor, job_id: uuid.UUID | None,
               step: Callable[[], None]) -> Response:
        """Start a step of the job and show its page; a refusal comes back on the page, naming the field."""
        try:
            step()
        except ValidationFailed as exc:
            return self._page(request, practice, actor, job_id, errors=exc.errors, status_code=422)
        return go(request, f"{self.path}?job={job_id}")

    @get("/", opt={"action": "client.import"}, sync_to_thread=True)
    def page(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
             job: str = Parameter(default="", max_length=40)) -> Template:
        return self._page(request, practice, actor, _job_id(job))

    @get("/progress", opt={"action": "client.import"}, sync_to_thread=True)
    def progress(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 job: str = Parameter(default="", max_length=40)) -> Template:
        """The job's block alone: the page polls it while a preview or an import runs."""
        return self._page(request, practice, actor, _job_id(job))

    @post("/", opt={"action": "client.import"}, status_code=200, sync_to_thread=True)
    def upload(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: Upload) -> Response:
        file = data.get("file")
        content = file.file.read(csv_import.MAX_BYTES + 1) if isinstance(file, UploadFile) else b""
        try:
            with practice.work(actor) as work:
                job = csv_import.upload(work, content, str(data.get("preset", ""))[:40],
                                        str(data.get("what", "clients"))[:20])
                mapping, date_format = job.summary["mapping"], job.summary["date_format"]
                job_id = job.id
        except ValidationFailed as exc:
            return self._page(request, practice, actor, None, errors=exc.errors, status_code=422)
        try:
            csv_import.start_preview(practice, actor, job_id, mapping, date_format)
        except ValidationFailed as exc:
            # Kept: the columns could not all be guessed, so the page asks for them.
            return self._page(request, practice, actor, job_id, errors=exc.errors, status_code=422)
        return go(request, f"{self.path}?job={job_id}")

    @post("/mapping", opt={"action": "client.import"}, status_code=200, sync_to_thread=True)
    def mapping(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                data: AnyForm) -> Response:
        job_id = _job_id(one(data, "job", 40))
        mapping = {field: one(data, f"map_{field}", 200) for field in {
            **csv_import.FIELDS, **appointment_import.FIELDS}}
        return self._start(request, practice, actor, job_id, lambda: csv_import.start_preview(
            practice, actor, job_id, mapping, one(data, "date_format", 20)))

    @post("/commit", opt={"action": "client.import"}, status_code=200, sync_to_thread=True)
    def commit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: AnyForm) -> Response:
        job_id = _job_id(one(data, "job", 40))
        return self._start(request, practice, actor, job_id, lambda: csv_import.start_commit(
            practice, actor, job_id, one(data, "skip_duplicates", 5) == "yes"))
