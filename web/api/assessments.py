"""/api/v1/clients/{client_id}/assessments: scored instruments (clinical: the care team only)."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from polymodal.core.access import Actor
from polymodal.core.interop import records
from polymodal.core.practice import Practice
from polymodal.web.api._shared import listing
from polymodal.web.api.schemas import ResultList, ResultOut


class AssessmentsApi(Controller):
    path = "/clients/{client_id:uuid}/assessments"
    tags = ["assessments"]

    @get("/", opt={"action": "clinical.read"}, sync_to_thread=True)
    def results(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID]) -> ResultList:
        with practice.work(actor, write=False) as work:
            return listing(records.results_of(work, client_id))

    @get("/{result_id:uuid}", opt={"action": "clinical.read"}, sync_to_thread=True)
    def result(self, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               client_id: FromPath[uuid.UUID], result_id: FromPath[uuid.UUID]) -> ResultOut:
        with practice.work(actor, write=False) as work:
            return records.one_result(work, client_id, result_id)
