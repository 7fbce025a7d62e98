"""What is confirmed during a session: where a telehealth client is, and body regions asked or withdrawn."""

from __future__ import annotations

import re
import uuid

from polymodal.core.eligibility._regions import CONFIRMED, WITHDRAWN, region_states
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.models import Session, SessionCheck
from polymodal.core.practice import Work
from polymodal.core.services.scheduling import get_session

JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def _client_of(session: Session, client_id: uuid.UUID) -> uuid.UUID:
    if client_id not in {c.client_id for c in session.clients}:
        raise ValidationFailed({"client_id": "Choose a client of this session."})
    return client_id


def confirm_location(work: Work, session_id: uuid.UUID, client_id: uuid.UUID, location: str,
                     jurisdiction: str) -> SessionCheck:
    """The client says where they are for this phone or video session; its jurisdiction decides credentials."""
    session = get_session(work, session_id, "session.manage")
    client_id = _client_of(session, client_id)
    errors = {}
    if session.delivery not in ("phone", "video"):
        raise Conflict("Only a phone or video session confirms the client's location.")
    location = " ".join(location.split())[:500]
    code = jurisdiction.strip().upper()
    if not location:
        errors["location"] = "Write where the client is now (address, or city and state/country)."
    if not JURISDICTION.match(code):
        errors["jurisdiction"] = "Give the jurisdiction as an ISO 3166 code, e.g. US-CA or DE."
    if errors:
        raise ValidationFailed(errors)
    return _check(work, session, client_id, "location", code, location)


def set_region(work: Work, session_id: uuid.UUID, client_id: uuid.UUID, region: str, *, withdraw: bool) -> SessionCheck:
    """Confirm an ask-each-time region for this session, or withdraw any region mid-session."""
    session = get_session(work, session_id, "clinical.write")
    client_id = _client_of(session, client_id)
    states = region_states(work, client_id, session)
    state = states.get(region, ("none",))[0]
    if state in ("none", "declined"):
        raise ValidationFailed({"region": "This region has no consent to confirm or withdraw."})
    if not withdraw and state != "ask-each-time":
        raise Conflict("Only an ask-each-time region is confirmed in the session.")
    if withdraw and state == "withdrawn":
        raise Conflict("This region is already withdrawn.")
    return _check(work, session, client_id, WITHDRAWN if withdraw else CONFIRMED, region, "")


def _check(work: Work, session: Session, client_id: uuid.UUID, kind: str, subject: str, detail: str) -> SessionCheck:
    check = SessionCheck(session_id=session.id, client_id=client_id, kind=kind, subject=subject, detail=detail,
                         checked_by=work.actor.user_id, checked_at=work.now)
    work.db.add(check)
    work.db.flush()
    work.audit(f"session.{kind}", record_type="session", record_id=session.id, client_id=client_id, reason=subject)
    return check
