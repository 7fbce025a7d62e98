"""The center-wide audit page's query: filtered by person, client, action and local dates, newest first.

Paging is by keyset on ``(at, seq)``: a page is "the next 50 before this event", which an index on
``(at, seq)`` (or on ``(<filter column>, at, seq)``) answers by reading 51 entries, however deep the page.
Offsets would read and throw away every earlier row (revision 0016 adds the indexes; bench/audit_page.py
measures them at a million events).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, tuple_

from polymodal.core.errors import ValidationFailed
from polymodal.core.models import AuditEvent, Client, User
from polymodal.core.practice import Work
from polymodal.core.services.clients import search_clients
from polymodal.core.timeutil import local_days

PAGE = 50
ACTION = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
CLIENTS_PER_NAME = 20
"""A client filter is a name: the events of the clients it finds, up to this many (more words narrow it)."""


@dataclass(frozen=True)
class Filters:
    person: uuid.UUID | None = None
    client_ids: tuple[uuid.UUID, ...] | None = None
    """None: any client; a tuple: only these clients' events (empty when the name matched nobody)."""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _date(raw: str, field: str, errors: dict[str, str]) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD, or leave it empty."
        return None


def parse(work: Work, raw: dict[str, str]) -> Filters:
    """Filters from what was typed (every value text); ``ValidationFailed`` names each field that is wrong."""
    work.require("audit.read")
    errors: dict[str, str] = {}
    person = None
    if raw.get("person", "").strip():
        try:
            person = uuid.UUID(raw["person"].strip())
        except ValueError:
            errors["person"] = "Choose a person from the list."
    action = raw.get("action", "").strip()
    if action and not ACTION.match(action):
        errors["action"] = "Choose an action from the list."
    since, until = _date(raw.get("since", ""), "since", errors), _date(raw.get("until", ""), "until", errors)
    if since and until and until < since:
        errors["until"] = "The last day must be on or after the first day."
    client_ids: tuple[uuid.UUID, ...] | None = None
    if raw.get("client_id", "").strip():
        try:
            client_ids = (uuid.UUID(raw["client_id"].strip()),)
        except ValueError:
            errors["client"] = "Choose the client again: that link is not a client's."
    elif raw.get("client", "").strip():
        client_ids = tuple(r.id for r in search_clients(work, raw["client"], limit=CLIENTS_PER_NAME))
    if errors:
        raise ValidationFailed(errors)
    return Filters(person, client_ids, action, since, until)


def statement(work: Work, filters: Filters, before: int | None = None, size: int = PAGE) -> Select[Any]:
    """The page's one SELECT: events with their actor's name and their client's name, newest first."""
    stmt = (select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_name,
                   AuditEvent.actor_role, AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id,
                   AuditEvent.client_id, AuditEvent.outcome, AuditEvent.reason, AuditEvent.origin,
                   User.display_name.label("actor_display"), Client.legal_first_name, Client.legal_last_name,
                   Client.preferred_name)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .outerjoin(Client, Client.id == AuditEvent.client_id))
    if filters.person is not None:
        stmt = stmt.where(AuditEvent.actor_id == filters.person)
    if filters.client_ids is not None:
        stmt = stmt.where(AuditEvent.client_id.in_(filters.client_ids))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= local_days(filters.since, filters.since, work.center.timezone)[0])
    if filters.until:
        stmt = stmt.where(AuditEvent.at < local_days(filters.until, filters.until, work.center.timezone)[1])
    if before is not None:
        at_before = select(AuditEvent.at).where(AuditEvent.seq == before).scalar_subquery()
        stmt = stmt.where(tuple_(AuditEvent.at, AuditEvent.seq) < tuple_(at_before, before))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.seq.desc()).limit(size + 1)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_before: int | None
    """The ``before`` of the next (older) page; None on the last page."""


def page(work: Work, filters: Filters, before: int | None = None, size: int = PAGE) -> Page:
    """One page of events (one statement), its viewing audited (``audit.list``)."""
    work.require("audit.read")
    if filters.client_ids == ():
        rows: list[Any] = []
    else:
        rows = list(work.db.execute(statement(work, filters, before, size)).all())
    more = len(rows) > size
    rows = rows[:size]
    work.audit("audit.list", record_type="audit", reason=_summary(filters, before))
    return Page(rows, rows[-1].seq if more else None)


def _summary(filters: Filters, before: int | None) -> str:
    # What was looked at, not what was shown: the filters, short (the reason column holds 500 characters).
    parts = [f"person {filters.person}" if filters.person else "",
             f"{len(filters.client_ids)} clients" if filters.client_ids is not None else "",
             f"action {filters.action}" if filters.action else "",
             f"from {filters.since}" if filters.since else "", f"to {filters.until}" if filters.until else "",
             f"before event {before}" if before else ""]
    return ", ".join(p for p in parts if p) or "all events"


def people(work: Work) -> list[Any]:
    """Every staff account, active or not, for the person filter (the staff table is small)."""
    work.require("audit.read")
    return list(work.db.execute(select(User.id, User.display_name, User.username, User.active)
                                .order_by(User.display_name)).all())
