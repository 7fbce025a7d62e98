"""The tabs of a client's page: which action each needs, and the service calls that fill it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from polymodal.core import waitlist
from polymodal.core.billing import documents, fees, invoices, packages, payments
from polymodal.core.messaging.outbox import client_recipients
from polymodal.core.messaging.preferences import contact_preference
from polymodal.core.practice import Work
from polymodal.core.services import client_record, clients, notes, scheduling
from polymodal.core.timeutil import to_local
from polymodal.web.controllers import assessments as assessment_views
from polymodal.web.controllers import consent as consent_views
from polymodal.web.controllers import eligibility as eligibility_views
from polymodal.web.controllers import intake
from polymodal.web.controllers.sessions import note_rows


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    action: str


PAYER_KINDS = {"client": "The client", "guardian": "A guardian", "third_party": "Someone else"}

TABS = {t.key: t for t in (
    Tab("overview", "Overview", "client.read"),
    Tab("cases", "Cases", "client.read"),
    Tab("sessions", "Sessions", "client.read"),
    Tab("intake", "Intake", "clinical.read"),
    Tab("consents", "Consents", "consent.status"),
    Tab("notes", "Notes", "clinical.read"),
    Tab("assessments", "Assessments", "clinical.read"),
    Tab("eligibility", "Eligibility", "clinical.read"),
    Tab("portal", "Portal", "portal.prepare"),  # routes in portal_staff.py
    Tab("billing", "Billing", "billing.read"),  # routes in billing.py
)}


def visible_tabs(work: Work, client_id: uuid.UUID) -> list[Tab]:
    """Tabs this actor may open for this client: care team, supervision or an active break-the-glass."""
    allowed = {action: work.may(action, client_id) for action in {t.action for t in TABS.values()}}
    return [t for t in TABS.values() if allowed[t.action]]


def tab_context(work: Work, client_id: uuid.UUID, tab: str) -> dict[str, Any]:
    """The client (its viewing audited) and what the tab shows; services check every access."""
    # The overview reads columns only. The other tabs' services load the client through the ORM themselves,
    # and find it in the session once it is loaded here.
    client = clients.read_client(work, client_id) if tab == "overview" else clients.get_client(work, client_id)
    tz = work.center.timezone
    context: dict[str, Any] = {"client": client, "age": clients.age(work, client),
                               "minor": clients.is_minor(work, client),
                               "can_edit": work.may("client.update", client.id),
                               "can_audit": work.may("audit.read"),
                               "can_export": work.may("record.export", client.id),
                               "tabs": visible_tabs(work, client.id)}
    if tab == "overview":
        context["guardians"] = clients.guardians_of(work, client.id)
        context["care_team"] = [{"id": u.id, "name": u.display_name} for u in clients.care_team(work, client.id)]
        context["can_manage_team"] = work.may("care_team.manage", client.id)
        context["contact"] = contact_preference(work, client.id)
        context["message_recipients"] = [f"{r.name} <{r.address}>"
                                         for r in client_recipients(work, client, "notices", ignore_preference=True,
                                                                    preference=context["contact"])]
    elif tab == "cases":
        context["cases"] = client_record.cases_of(work, client.id)
        context["can_open_case"] = work.may("case.manage", client.id)
    elif tab == "sessions":
        context["sessions"] = [{
            "id": s.id, "when": f"{to_local(s.starts_at, tz):%a %d %b %Y %H:%M}", "status": s.status,
            "status_label": s.status.replace("_", " "), "delivery": s.delivery.replace("_", " "),
            "modality": getattr(work.registry.modalities.get(s.modality_key), "name", s.modality_key),
            "cancel_reason": s.cancel_reason if s.status == "cancelled" else "", "late": s.late,
        } for s in client_record.sessions_of(work, client.id)]
        context["attendance"] = scheduling.attendance_of(work, client.id)
        context["can_book"] = work.may("session.manage", client.id)
        context["waitlist"] = waitlist.entries_of_client(work, client.id) if context["can_book"] else []
    elif tab == "consents":
        context.update(consent_views.tab(work, client.id))
    elif tab == "intake":
        context.update(intake.tab(work, client.id))
    elif tab == "assessments":
        context.update(assessment_views.tab(work, client.id))
    elif tab == "eligibility":
        context.update(eligibility_views.tab(work, client.id))
    elif tab == "notes":
        context["notes"] = note_rows(work, notes.notes_of_client(work, client.id))
    elif tab == "billing":
        context.update(billing_tab(work, client.id))
    return context


def local_day_of(work: Work):
    """Money is dated by the center's calendar, not UTC's: an evening payment is not tomorrow's."""
    tz = work.center.timezone
    return lambda moment: to_local(moment, tz).date().isoformat()


def billing_tab(work: Work, client_id: uuid.UUID) -> dict[str, Any]:
    """What the client page's Billing tab shows (called by client_tabs)."""
    rows = packages.packages_of(work, client_id)
    return {
        "money": documents.money, "local_day": local_day_of(work), "balance": invoices.balance(work, client_id),
        "currency": fees.settings_of(work).currency,
        "open_charges": invoices.open_charges(work, client_id), "invoices": invoices.invoices_of(work, client_id),
        "payments": payments.payments_of(work, client_id), "packages": rows, "methods": payments.METHODS,
        "payer_kinds": PAYER_KINDS, "modalities": [(m.key, m.name) for m in work.registry.modalities],
        "can_manage_billing": work.may("billing.manage", client_id),
        "guardians": clients.guardians_of(work, client_id),
        "can_superbill": work.may("superbill.create", client_id),
        "fees_due": invoices.fee_candidates(work, client_id),
    }
