"""A client's safety plan: written with the client, in their words, kept in every version.

The steps follow the Safety Planning Intervention: Stanley B, Brown GK. Safety Planning Intervention: a
brief intervention to mitigate suicide risk. Cogn Behav Pract 2012;19:256-264. In order, the client
(1) recognises the signs that a crisis is building, (2) tries what they can do alone to cope, (3) goes
to people and places that take their mind off it, (4) asks people they trust for help, (5) contacts
professionals and crisis services, and (6) makes their surroundings safer by putting lethal means out of
reach. Reasons for living are kept beside the steps, as the 988 Lifeline's and SAMHSA's safety-plan
materials do (https://988lifeline.org/help-yourself/ , SAMHSA Safety Planning Guide, and the Stanley-Brown
template at https://suicidesafetyplan.com). The labels and hints below are our own wording.

A plan is a clinical record: the care team writes and reads it (``clinical.write``/``clinical.read``),
the front desk never sees it. A revision is a new version; the old text stays (a trigger refuses edits).
Every read and write is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from polymodal.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from polymodal.core.models import Client, User
from polymodal.core.practice import Work
from polymodal.core.safety.models import SafetyPlan

SOURCE = ("Stanley B, Brown GK. Safety Planning Intervention: a brief intervention to mitigate suicide risk. "
          "Cogn Behav Pract 2012;19:256-264. 988 Suicide & Crisis Lifeline and SAMHSA safety-planning resources.")
MAX_STEP = 4000
MAX_NOTE = 500


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    hint: str
    required: bool = True


STEPS = (
    Step("warning_signs", "1. Warning signs",
         "Thoughts, feelings, situations or behaviour that tell the client a crisis may be starting."),
    Step("coping_strategies", "2. Coping on my own",
         "What the client can do alone to take their mind off the urge (activity, place, routine)."),
    Step("social_distractions", "3. People and places that distract",
         "People to be with and places to go that help the client feel better, without talking about the crisis."),
    Step("people_to_ask", "4. People to ask for help",
         "Family or friends the client can tell that they are in crisis: names and phone numbers."),
    Step("professionals", "5. Professionals and crisis lines",
         "Therapist, on-call clinician, crisis line (988 in the US) and the local emergency number, with phones."),
    Step("safe_environment", "6. Making the environment safe",
         "How access to lethal means (medication, firearms, other means) is reduced, and who helps with it."),
    Step("reasons_for_living", "Reasons for living",
         "What the client says is most important to them and worth living for.", required=False),
)
STEP_KEYS = tuple(s.key for s in STEPS)


def _client(work: Work, client_id: uuid.UUID, action: str) -> Client:
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require(action, client.id, record_type="safety_plan")
    return client


def _text(value: Any) -> str:
    # Line breaks are kept: a step is often a list, one item a line.
    return "\n".join(line.rstrip() for line in str(value or "").replace("\r\n", "\n").strip().split("\n"))


def history(work: Work, client_id: uuid.UUID) -> list[Any]:
    """Every version of the client's plan, newest first, with who wrote it: one query, one audit event."""
    work.require("clinical.read", client_id, record_type="safety_plan")
    rows = list(work.db.execute(
        select(SafetyPlan, User.display_name.label("author"))
        .join(User, User.id == SafetyPlan.written_by)
        .where(SafetyPlan.client_id == client_id).order_by(SafetyPlan.version.desc())).all())
    if rows:
        work.audit("safety_plan.read", record_type="safety_plan", record_id=rows[0].SafetyPlan.id,
                   client_id=client_id, reason=f"{len(rows)} version(s)")
    return rows


def current(work: Work, client_id: uuid.UUID) -> SafetyPlan | None:
    """The newest version, or None (audited when there is one)."""
    work.require("clinical.read", client_id, record_type="safety_plan")
    plan = work.db.scalar(select(SafetyPlan).where(SafetyPlan.client_id == client_id)
                          .order_by(SafetyPlan.version.desc()).limit(1))
    if plan is not None:
        work.audit("safety_plan.read", record_type="safety_plan", record_id=plan.id, client_id=client_id,
                   reason=f"version {plan.version}")
    return plan


def write(work: Work, client_id: uuid.UUID, data: dict[str, Any], *, based_on: int | None = None) -> SafetyPlan:
    """Write the first version, or a revision of version ``based_on`` (the one the clinician was looking at).

    A revision never changes an earlier version. If someone else revised the plan since ``based_on``, the
    revision is refused (``Conflict``) so that nobody overwrites a plan they have not read.
    """
    client = _client(work, client_id, "clinical.write")
    if work.actor.user_id is None:
        raise AccessDenied("clinical.write", "a safety plan is written by a signed-in clinician")
    values = {key: _text(data.get(key)) for key in STEP_KEYS}
    note = _text(data.get("change_note"))
    errors: dict[str, str] = {}
    for step in STEPS:
        if step.required and not values[step.key]:
            errors[step.key] = (f"Write this step ({step.label.split('. ', 1)[-1].lower()}) as agreed with the "
                                "client, or what is missing and why.")
        elif len(values[step.key]) > MAX_STEP:
            errors[step.key] = f"Keep this step under {MAX_STEP} characters (it has {len(values[step.key])})."
    if len(note) > MAX_NOTE:
        errors["change_note"] = f"Keep the note on what changed under {MAX_NOTE} characters."
    reviewed_on = _reviewed_on(work, data.get("reviewed_on"), errors)
    latest = work.db.scalar(select(func.max(SafetyPlan.version)).where(SafetyPlan.client_id == client.id)) or 0
    if latest and not note and "change_note" not in errors:
        errors["change_note"] = "Say briefly what changed in this revision (or that it was reviewed unchanged)."
    if errors:
        raise ValidationFailed(errors)
    if (based_on or 0) != latest:
        raise Conflict(f"The safety plan was revised meanwhile (now version {latest}). Read it, then revise it; "
                       "what you typed is still in the form.")
    plan = SafetyPlan(client_id=client.id, version=latest + 1, change_note=note, reviewed_on=reviewed_on,
                      written_by=work.actor.user_id, written_at=work.now, **values)
    work.db.add(plan)
    try:
        with work.db.begin_nested():
            work.db.flush()
    except IntegrityError:  # a concurrent revision took this version number first
        raise Conflict("The safety plan was revised by someone else at the same moment; read it, then revise it."
                       ) from None
    work.audit("safety_plan.write", record_type="safety_plan", record_id=plan.id, client_id=client.id,
               reason=f"version {plan.version}")
    return plan


def _reviewed_on(work: Work, value: Any, errors: dict[str, str]) -> dt.date:
    text = str(value or "").strip()
    today = work.now.date()
    if not text:
        errors["reviewed_on"] = "Enter the day the plan was gone through with the client (YYYY-MM-DD)."
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors["reviewed_on"] = "Enter the review date as YYYY-MM-DD."
        return today
    if day > today + dt.timedelta(days=1):
        errors["reviewed_on"] = "A plan cannot be reviewed in the future."
    elif day < today - dt.timedelta(days=366):
        errors["reviewed_on"] = "Enter the date of this review (within the last year)."
    return day


def plan_of_client(work: Work, client_id: uuid.UUID, plan_id: uuid.UUID) -> SafetyPlan:
    """A version the risk acknowledgement links to: it must be this client's (no access check; the caller's)."""
    plan = work.db.get(SafetyPlan, plan_id)
    if plan is None or plan.client_id != client_id:
        raise ValidationFailed({"safety_plan_id": "Choose this client's safety plan, or none."})
    return plan
