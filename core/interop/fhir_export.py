"""FHIR R5 exports: one client's record as a Bundle, the whole center as NDJSON, one file per resource type.

Both read the same records in the same way; what differs is the check and
the filter. One client's export is the right of access (``record.export``,
as its JSON twin in ``services/privacy``); the center's is the admin's
(``center.export``). Drafts and psychotherapy (process) notes are never read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from polymodal.core import seals
from polymodal.core.access import Role
from polymodal.core.errors import NotFound
from polymodal.core.interop import fhir_map as fm
from polymodal.core.models import (
    AssessmentResult,
    Case,
    CaseClient,
    CasePractitioner,
    Client,
    ConsentRecord,
    FormResponse,
    Goal,
    Location,
    Note,
    NoteAddendum,
    Session,
    SessionClient,
    SessionPractitioner,
    User,
)
from polymodal.core.practice import Work
from polymodal.core.safety import plans
from polymodal.core.safety.models import SafetyPlan
from polymodal.core.services import notes

RESOURCE_TYPES = ("Organization", "Location", "Practitioner", "PractitionerRole", "Patient", "RelatedPerson",
                  "EpisodeOfCare", "CarePlan", "Appointment", "Encounter", "Consent", "QuestionnaireResponse",
                  "Observation", "DocumentReference")
BATCH = 500


def _batches(work: Work, stmt: Select, batch: int = BATCH) -> Iterator[list[Any]]:
    """Rows of ``stmt`` in id order, a batch at a time: memory stays flat at any size of center."""
    last = None
    entity = stmt.column_descriptions[0]["entity"]
    while True:
        page = stmt.where(entity.id > last) if last is not None else stmt
        rows = list(work.db.scalars(page.order_by(entity.id).limit(batch)))
        if not rows:
            return
        yield rows
        last = rows[-1].id
        work.db.expunge_all()  # read once and let go: the session would otherwise keep every row


class _Reader:
    """Reads the records of ``client_ids`` (None: all of them) and maps them, type by type."""

    def __init__(self, work: Work, client_ids: list[uuid.UUID] | None,
                 note_ids: set[uuid.UUID] | None = None) -> None:
        self.work = work
        self.client_ids = client_ids
        # One client's Bundle holds only the notes its requester may open as pages; the center's export all.
        self.note_ids = note_ids
        self.shown = set(client_ids) if client_ids is not None else None
        self.center = work.center
        self.modalities = {m.key: m.name for m in work.registry.modalities}

    def _of_clients(self, column: Any) -> Any:
        return column.in_(self.client_ids) if self.client_ids is not None else True

    def center_resources(self, user_ids: set[uuid.UUID] | None) -> Iterator[dict[str, Any]]:
        center_id = self.center.id
        yield fm.organization(self.center)
        for place in self.work.db.scalars(select(Location).options(selectinload(Location.rooms))
                                          .where(Location.center_id == center_id).order_by(Location.name)):
            yield fm.location(place, center_id)
            for room in place.rooms:
                yield fm.location(room, center_id, room_of=place.id)
        stmt = select(User).options(selectinload(User.credentials))
        for batch in _batches(self.work, stmt):
            for user in batch:
                clinical = {Role.practitioner.value, Role.supervisor.value} & set(user.roles)
                if (user_ids is None and clinical) or (user_ids is not None and user.id in user_ids):
                    yield fm.practitioner(user, list(user.credentials))
                    yield fm.practitioner_role(user, center_id, self.modalities)

    def people(self) -> Iterator[dict[str, Any]]:
        stmt = select(Client).options(selectinload(Client.guardians)).where(self._of_clients(Client.id))
        for batch in _batches(self.work, stmt):
            if self.client_ids is None:
                self.work.audit_each("center.export", [c.id for c in batch], record_type="client")
            for client in batch:
                yield fm.patient(client, self.center.id)
                yield from (fm.related_person(g) for g in client.guardians)

    def _readable(self, column: Any) -> Any:
        return column.in_(self.note_ids) if self.note_ids is not None else True

    def cases(self) -> Iterator[dict[str, Any]]:
        linked = select(CaseClient.case_id).where(self._of_clients(CaseClient.client_id))
        stmt = select(Case).options(selectinload(Case.clients), selectinload(Case.practitioners)).where(
            Case.id.in_(linked))
        for batch in _batches(self.work, stmt):
            goals: dict[uuid.UUID, list[Goal]] = {}
            for goal in self.work.db.scalars(select(Goal).where(Goal.case_id.in_([c.id for c in batch]))
                                             .order_by(Goal.created_at, Goal.id)):
                goals.setdefault(goal.case_id, []).append(goal)
            for case in batch:
                practitioners = [p.user_id for p in case.practitioners]
                for link in case.clients:
                    if self.shown is None or link.client_id in self.shown:
                        yield fm.episode_of_care(case, link.client_id, self.center.id, practitioners)
                        yield fm.care_plan(case, link.client_id, goals.get(case.id, []))

    def sessions(self) -> Iterator[dict[str, Any]]:
        attended = select(SessionClient.session_id).where(self._of_clients(SessionClient.client_id))
        stmt = select(Session).options(selectinload(Session.clients), selectinload(Session.practitioners)).where(
            Session.id.in_(attended))
        for batch in _batches(self.work, stmt):
            for session in batch:
                yield fm.appointment(session, self.modalities, self.shown)
                held = fm.encounter(session, self.modalities, self.shown)
                if held is not None:
                    yield held

    def records(self) -> Iterator[dict[str, Any]]:
        for batch in _batches(self.work, select(ConsentRecord).where(self._of_clients(ConsentRecord.client_id))):
            yield from (fm.consent(r, self.work.now) for r in batch)
        for batch in _batches(self.work, select(FormResponse).where(self._of_clients(FormResponse.client_id))):
            yield from (fm.questionnaire_response(r, kind="form") for r in batch)
        for batch in _batches(self.work, select(AssessmentResult).where(
                self._of_clients(AssessmentResult.client_id))):
            for result in batch:
                yield fm.questionnaire_response(result, kind="assessment")
                yield fm.observation(result)
        yield from self.safety_plans()

    def safety_plans(self) -> Iterator[dict[str, Any]]:
        """Every version of each safety plan, the newest active (one query for the newest per batch)."""
        for batch in _batches(self.work, select(SafetyPlan).where(self._of_clients(SafetyPlan.client_id))):
            newest = dict(self.work.db.execute(
                select(SafetyPlan.client_id, func.max(SafetyPlan.version))
                .where(SafetyPlan.client_id.in_({p.client_id for p in batch})).group_by(SafetyPlan.client_id)
            ).tuples().all())
            for plan in batch:
                steps = [(s.label, getattr(plan, s.key)) for s in plans.STEPS]
                yield fm.safety_plan(plan, steps, newest.get(plan.client_id) == plan.version)

    def notes(self) -> Iterator[dict[str, Any]]:
        # Signed and not a process note (HIPAA 164.524(a)(1)(i) keeps those out of any disclosure).
        case_ids = select(CaseClient.case_id).where(self._of_clients(CaseClient.client_id))
        stmt = select(Note).where(Note.case_id.in_(case_ids), Note.status == "signed",
                                  Note.psychotherapy_note.is_(False), self._readable(Note.id))
        for batch in _batches(self.work, stmt):
            ids = [n.id for n in batch]
            addenda: dict[uuid.UUID, list[NoteAddendum]] = {}
            for a in self.work.db.scalars(select(NoteAddendum).where(NoteAddendum.note_id.in_(ids))
                                          .order_by(NoteAddendum.created_at)):
                addenda.setdefault(a.note_id, []).append(a)
            members: dict[uuid.UUID, list[uuid.UUID]] = {}
            for case_id, client_id in self.work.db.execute(select(CaseClient.case_id, CaseClient.client_id).where(
                    CaseClient.case_id.in_({n.case_id for n in batch}))):
                members.setdefault(case_id, []).append(client_id)
            for note in batch:
                for client_id in [note.client_id] if note.client_id else members.get(note.case_id, []):
                    if self.shown is None or client_id in self.shown:
                        yield fm.document_reference(note, client_id, addenda.get(note.id, []),
                                                    _seal_problem(self.work, note, addenda.get(note.id, [])))

    def referenced_users(self) -> set[uuid.UUID]:
        """Practitioners one client's record names: its cases', sessions' and notes' people."""
        cases = select(CaseClient.case_id).where(self._of_clients(CaseClient.client_id))
        sessions = select(SessionClient.session_id).where(self._of_clients(SessionClient.client_id))
        found = set(self.work.db.scalars(select(CasePractitioner.user_id).where(CasePractitioner.case_id.in_(cases))))
        found |= set(self.work.db.scalars(select(SessionPractitioner.user_id)
                                          .where(SessionPractitioner.session_id.in_(sessions))))
        found |= set(self.work.db.scalars(select(SafetyPlan.written_by).where(self._of_clients(SafetyPlan.client_id))))
        found |= set(self.work.db.scalars(select(Note.author_id).where(Note.case_id.in_(cases),
                                                                       Note.status == "signed",
                                                                       self._readable(Note.id))))
        return found

    def everything(self) -> Iterator[dict[str, Any]]:
        users = None if self.client_ids is None else self.referenced_users()
        yield from self.center_resources(users)
        yield from self.people()
        yield from self.cases()
        yield from self.sessions()
        yield from self.records()
        yield from self.notes()


def client_bundle(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """One client's record as a FHIR ``collection`` Bundle: the right of access, in FHIR."""
    if work.db.get(Client, client_id) is None:
        raise NotFound("no such client")
    work.require("record.export", client_id, record_type="client", record_id=client_id)
    resources = list(_Reader(work, [client_id], notes.readable_ids_of_client(work, client_id)).everything())
    work.audit("record.export", record_type="client", record_id=client_id, client_id=client_id, reason="FHIR R5")
    return {"resourceType": "Bundle", "type": "collection", "timestamp": work.now.isoformat(),
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def center_resources(work: Work) -> Iterator[dict[str, Any]]:
    """Every resource of the center, for bulk NDJSON; each client's exporting is in their access history."""
    work.require("center.export")
    work.audit("center.export", record_type="center", reason="FHIR R5 bulk")
    yield from _Reader(work, None).everything()


def _seal_problem(work: Work, note: Any, addenda: list[Any]) -> str:
    keys = work.practice.keys
    found = [seals.note_problem(keys, note), *(seals.addendum_problem(keys, a) for a in addenda)]
    return "; ".join(p for p in found if p)
