"""Read-side queries behind a client's page: their cases and sessions (columns only)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.models import Case, CaseClient, Session, SessionClient
from polymodal.core.practice import Work


def cases_of(work: Work, client_id: uuid.UUID) -> list[Any]:
    work.require("client.read", client_id, record_type="case")
    rows = list(work.db.execute(
        select(Case.id, Case.title, Case.kind, Case.opened_on, Case.closed_on)
        .join(CaseClient, CaseClient.case_id == Case.id)
        .where(CaseClient.client_id == client_id).order_by(Case.opened_on.desc(), Case.title)
    ).all())
    work.audit("case.list", record_type="case", client_id=client_id)
    return rows


def sessions_of(work: Work, client_id: uuid.UUID, *, limit: int = 100) -> list[Any]:
    """The client's sessions, newest first: times, modality and status, no clinical content."""
    work.require("client.read", client_id, record_type="session")
    rows = list(work.db.execute(
        select(Session.id, Session.starts_at, Session.ends_at, Session.modality_key, Session.status,
               Session.delivery)
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id)
        .order_by(Session.starts_at.desc()).limit(min(max(limit, 1), 500))
    ).all())
    work.audit("session.list", record_type="session", client_id=client_id)
    return rows


def require_clinical(work: Work, client_id: uuid.UUID) -> None:
    """For pages that show a clinical section before its own service exists: the same check."""
    work.require("clinical.read", client_id, record_type="client", record_id=client_id)


def modalities_of(work: Work, client_id: uuid.UUID) -> list[str]:
    """The modality keys of the client's sessions (what forms and consents to offer them)."""
    work.require("client.read", client_id, record_type="session")
    return sorted(work.db.scalars(
        select(Session.modality_key).distinct()
        .join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client_id)
    ).all())
