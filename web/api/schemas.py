"""Shapes of the API's answers, for the OpenAPI schema (the read model returns plain dicts of these)."""

from __future__ import annotations

from typing import Any, TypedDict


class ClientSummary(TypedDict):
    id: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: str


class GuardianOut(TypedDict):
    id: str
    name: str
    relationship: str
    can_consent: bool


class ClientOut(ClientSummary):
    email: str
    phone: str
    address: str
    active: bool
    guardians: list[GuardianOut]


class ClientPage(TypedDict):
    data: list[ClientSummary]
    next_cursor: str | None


class CaseRow(TypedDict):
    id: str
    title: str
    kind: str
    opened_on: str
    closed_on: str | None


class GoalOut(TypedDict):
    id: str
    text: str
    status: str
    target_on: str | None


class CaseOut(CaseRow):
    client_ids: list[str]
    practitioner_ids: list[str]
    goals: list[GoalOut]


class CaseList(TypedDict):
    data: list[CaseRow]
    next_cursor: str | None


class SessionRow(TypedDict):
    id: str
    case_id: str
    starts_at: str
    ends_at: str
    modality_key: str
    status: str
    delivery: str


class SessionOut(SessionRow):
    structure_key: str | None
    format: str
    room_id: str | None
    client_ids: list[str]
    practitioner_ids: list[str]


class SessionPage(TypedDict):
    data: list[SessionRow]
    next_cursor: str | None


class Booked(TypedDict):
    data: list[SessionOut]


class ConsentRow(TypedDict):
    id: str
    document_key: str
    document_version: int
    signer_name: str
    signer_capacity: str
    method: str
    signed_at: str
    expires_at: str | None
    revoked_at: str | None
    state: str


class ConsentOut(ConsentRow):
    scope: dict[str, Any]
    text_hash: str


class ConsentList(TypedDict):
    data: list[ConsentRow]
    next_cursor: str | None


class SafetyPlanOut(TypedDict):
    id: str
    version: int
    steps: dict[str, str]
    change_note: str
    reviewed_on: str
    written_by: str
    written_by_name: str
    written_at: str


class SafetyPlanList(TypedDict):
    data: list[SafetyPlanOut]
    next_cursor: str | None


class ResultRow(TypedDict):
    id: str
    instrument_key: str
    instrument_version: int
    total: float
    band: str | None
    flags: list[Any]
    administered_at: str


class ResultOut(ResultRow):
    answers: dict[str, Any]
    subscales: dict[str, Any]


class ResultList(TypedDict):
    data: list[ResultRow]
    next_cursor: str | None


class NoteRow(TypedDict):
    id: str
    template_key: str
    template_version: int
    signed_at: str
    author: str
    session_id: str | None


class AddendumOut(TypedDict):
    text: str
    author: str
    created_at: str


class NoteOut(TypedDict):
    id: str
    case_id: str
    template_key: str
    template_version: int
    signed_at: str
    author: str
    content: dict[str, Any]
    content_hash: str | None
    seal_problems: list[str]
    """Empty when the note and its addenda match their keyed seals; else what fails (changed after signing)."""
    addenda: list[AddendumOut]


class NoteList(TypedDict):
    data: list[NoteRow]
    next_cursor: str | None


class WaitlistOut(TypedDict):
    id: str
    client_id: str
    modality_key: str
    practitioner_id: str | None
    weekdays: list[int]
    earliest: str | None
    latest: str | None
    note: str
    status: str
    since: str
    case_id: str | None
    session_id: str | None
    closed_on: str | None
    close_reason: str


class WaitlistPage(TypedDict):
    data: list[WaitlistOut]
    next_cursor: str | None


class CandidateOut(WaitlistOut):
    minutes: int


class CandidatePage(TypedDict):
    data: list[CandidateOut]
    next_cursor: str | None
