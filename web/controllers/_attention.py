"""The start page's records panels: screening and risk flags, consents missing or expiring."""

from __future__ import annotations

from typing import Any

from polymodal.core import eligibility
from polymodal.core.access import Actor, Scope, scopes_for
from polymodal.core.practice import Work
from polymodal.core.services import attention
from polymodal.core.timeutil import to_local

# How a screening outcome is shown; risk and exclusion are both red, but only risk says "risk".
LEVEL = {"risk": "risk", "excluded": "excluded"}
RANK = {"risk": 0, "excluded": 1, "warn": 2}


def _sees(actor: Actor, action: str) -> bool:
    # An admin's clinical scope is break-the-glass only: no standing panel for it.
    return bool(scopes_for(actor, action) - {Scope.glass})


def attention_panels(work: Work) -> dict[str, Any]:
    """Context for ``dashboard/_attention.html``; panels the actor's roles do not cover are left out.

    Read in the dashboard's own work: a second transaction cost its own center read and audit commit."""
    show_flags, show_consents = _sees(work.actor, "clinical.read"), _sees(work.actor, "consent.status")
    if not (show_flags or show_consents):
        return {}
    context: dict[str, Any] = {}
    registry = work.registry
    tz = work.center.timezone
    if show_flags:
        context["attention_risks"] = [{
            "client": f.client_name, "href": f"/clients/{f.client_id}/eligibility", "reason": f.reason,
            "source": f.source} for f in eligibility.risk_board(work)]
        flags = attention.screening_and_risk(work)
        items = [{
            "client": _name(r), "href": f"/clients/{r.client_id}/intake/{r.id}", "at": r.submitted_at,
            "what": getattr(registry.forms.get(r.form_key, r.form_version), "title", r.form_key),
            "detail": f"screening: {r.outcome}", "level": LEVEL.get(r.outcome, "warn"),
            "label": "check" if r.outcome in ("modify", "review", "clearance") else r.outcome,
        } for r in flags.responses]
        for r in flags.results:
            instrument = registry.assessments.get(r.instrument_key)
            risk = any(isinstance(f, dict) and f.get("severity") == "risk" for f in r.flags)
            items.append({
                "client": _name(r), "href": f"/clients/{r.client_id}/assessments/{r.id}",
                "at": r.administered_at, "what": getattr(instrument, "abbreviation", r.instrument_key),
                "detail": "; ".join(str(f.get("message", "")) for f in r.flags if isinstance(f, dict)),
                "level": "risk" if risk else "warn", "label": "risk" if risk else "check",
            })
        # Risk first, then exclusions, then the rest; newest first within each.
        items.sort(key=lambda i: i["at"], reverse=True)
        items.sort(key=lambda i: RANK[i["level"]])
        for item in items:
            item["at"] = f"{to_local(item['at'], tz):%d %b}"
        context["attention_flags"] = items
    if show_consents:
        can_record = bool(scopes_for(work.actor, "consent.record"))
        context["attention_consents"] = [{
            "client": d.client_name, "status": d.status,
            "document": getattr(registry.consent_documents.get(d.document_key), "title", d.document_key),
            "session": f"{to_local(d.session_at, tz):%a %d %b %H:%M}",
            "expires": f"{to_local(d.expires_at, tz):%d %b}" if d.expires_at else "",
            "href": (f"/clients/{d.client_id}/consents/new?document={d.document_key}" if can_record
                     else f"/clients/{d.client_id}/consents"),
        } for d in attention.consents_due(work)]
    return context


def _name(row: Any) -> str:
    return f"{row.preferred_name or row.legal_first_name} {row.legal_last_name}"
