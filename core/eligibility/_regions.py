"""Body regions at signing: a note may record work only on regions the client consented to, today.

A region is workable when the client's active per-region consent for the
session's modality marks it ``consented``, or ``ask-each-time`` and
confirmed in this session; a region withdrawn in the session is not,
whatever the consent says. Clinical source: CMTO position on sensitive areas
(signed consent plus spoken consent at every treatment),
http://webdev.cmto.com/about-the-profession/policies/position-statement/treatment-of-sensitive-areas/
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from polymodal.core.contributions import NoteTemplate
from polymodal.core.models import Note, Session, SessionCheck
from polymodal.core.practice import Work
from polymodal.core.services.consent import active_consents

CONFIRMED, WITHDRAWN = "region_confirmed", "region_withdrawn"


def region_states(work: Work, client_id: uuid.UUID, session: Session | None) -> dict[str, tuple[str, str]]:
    """Each region of the client's per-region consents: (state, document title). ``state`` is consented,
    declined, ask-each-time, confirmed (asked today) or withdrawn (today)."""
    documents = [d for d in work.registry.consent_documents if d.per_body_region
                 and (session is None or not d.modalities or session.modality_key in d.modalities)]
    states: dict[str, tuple[str, str]] = {}
    at = session.starts_at if session is not None else work.now
    active = active_consents(work, client_id, max(at, work.now) if session is None else at)
    for document in documents:
        record = active.get(document.key)
        for code, state in ((record.scope or {}).get("regions", {}) if record else {}).items():
            # The stricter of two documents wins.
            if states.get(code, ("",))[0] != "declined":
                states[code] = (state, document.title)
    if session is not None:
        checks = work.db.execute(select(SessionCheck.kind, SessionCheck.subject).where(
            SessionCheck.session_id == session.id, SessionCheck.client_id == client_id,
            SessionCheck.kind.in_((CONFIRMED, WITHDRAWN))).order_by(SessionCheck.checked_at)).all()
        for kind, code in checks:
            if code in states and states[code][0] != "declined":
                states[code] = ("confirmed" if kind == CONFIRMED else "withdrawn", states[code][1])
    return states


def worked_regions(template: NoteTemplate, content: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Region code -> (label, ``section.field`` key) of every region a note's body maps record."""
    found: dict[str, tuple[str, str]] = {}
    for section in template.sections:
        answers = content.get(section.key)
        for field in section.fields:
            value = answers.get(field.key) if field.type == "body_map" and isinstance(answers, dict) else None
            labels = {r.code: r.label for r in field.regions}
            for code in value if isinstance(value, dict) else {}:
                found[code] = (labels.get(code, code), f"{section.key}.{field.key}")
    return found


def region_problems(work: Work, note: Note, template: NoteTemplate, content: dict[str, Any]) -> dict[str, str]:
    """Why the note may not record the regions it records, per body-map field; empty when it may."""
    regions = worked_regions(template, content)
    if not regions or note.client_id is None:
        return {}
    session = work.db.get(Session, note.session_id) if note.session_id else None
    states = region_states(work, note.client_id, session)
    problems: dict[str, list[str]] = {}
    for code, (label, key) in sorted(regions.items(), key=lambda item: item[1]):
        state, title = states.get(code, ("none", "consent to touch"))
        why = {"declined": f"{label}: declined in the {title}.",
               "withdrawn": f"{label}: withdrawn by the client during this session.",
               "ask-each-time": f"{label}: asked each time, and not confirmed in this session.",
               "none": f"{label}: no active consent covers it."}.get(state)
        if why:
            problems.setdefault(key, []).append(why)
    return {key: "Cannot sign: " + " ".join(reasons) + " Remove the region from the note, or confirm an "
            "ask-each-time region on the session page." for key, reasons in problems.items()}
