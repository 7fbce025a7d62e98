"""Audit actions as phrases for the audit page: "Note: viewed", not ``note.read``.

An action key is ``<what>.<verb>`` (``auth.second_factor_reset``); the page shows the thing and the verb in
words. A key not named here still reads as words (underscores become spaces), so a plugin's own action is
never shown raw.
"""

from __future__ import annotations

THINGS = {
    "api_token": "API token", "assessment": "Assessment", "audit": "Audit trail", "auth": "Sign-in",
    "availability": "Availability", "billing": "Billing", "break_glass": "Emergency access",
    "calendar_feed": "Calendar feed", "care_team": "Care team", "case": "Case", "center": "Center",
    "clearance": "Clearance", "client": "Client", "consent": "Consent", "credential": "Credential",
    "dashboard": "Today page", "diagnosis": "Diagnosis", "eligibility": "Eligibility", "form": "Form",
    "goal": "Goal", "guardian": "Guardian", "invoice": "Invoice", "legal_hold": "Legal hold",
    "messages": "Messages", "note": "Note", "package": "Package", "payment": "Payment", "portal": "Client portal",
    "record": "Record", "retention": "Retention", "risk": "Risk", "room": "Room", "schedule": "Schedule",
    "safety_plan": "Safety plan", "session": "Session", "superbill": "Superbill", "user": "Staff account", "waitlist": "Waitlist",
}

VERBS = {
    "read": "viewed", "view": "viewed", "list": "list viewed", "create": "created", "add": "added",
    "update": "changed", "remove": "removed", "record": "recorded", "revoke": "revoked", "open": "opened",
    "close": "closed", "reopen": "reopened", "move": "moved", "schedule": "booked", "cancelled": "cancelled",
    "no_show": "no-show recorded", "grant": "granted", "review": "reviewed", "search": "searched",
    "login": "signed in", "logout": "signed out", "use": "used", "issue": "issued", "set": "set",
    "submit": "submitted", "export": "exported", "erase": "erased", "destroy": "destroyed", "place": "placed",
    "lift": "lifted", "verify": "checked", "client_history": "a client's access history viewed",
    "activate": "reactivated", "deactivate": "deactivated", "roles": "roles changed", "retire": "retired",
    "rename": "renamed", "book": "booked", "write": "written", "crisis_text": "crisis text changed", "restore": "offered again", "hours": "working hours changed", "time_off": "time off changed",
    "room_hours": "room hours changed", "edit": "changed", "practice": "disciplines and modalities changed",
    "hours_remove": "working hours removed", "time_off_remove": "time off removed",
    "room_hours_remove": "room hours removed", "fee": "fee charged", "export.done": "export finished",
}


KNOWN = frozenset({
    "api_token.create", "api_token.revoke", "api_token.use", "assessment.list", "assessment.read",
    "assessment.record", "audit.client_history", "audit.list", "audit.verify", "auth.login", "auth.logout",
    "auth.password_change", "auth.password_reset", "auth.recovery_code_used", "auth.second_factor",
    "auth.second_factor_enrol", "auth.second_factor_required", "auth.second_factor_reset", "auth.session_expired",
    "auth.session_start", "auth.sessions_ended", "availability.hours", "availability.hours_remove",
    "availability.room_hours", "availability.room_hours_remove", "availability.time_off",
    "availability.time_off_remove", "billing.client_rate", "billing.due_today", "billing.report",
    "billing.service.add", "billing.service.retire", "billing.settings", "billing.takings", "billing.tax_rule",
    "break_glass.grant", "break_glass.review", "calendar_feed.issue", "calendar_feed.revoke", "care_team.add",
    "care_team.remove", "case.close", "case.list", "case.open", "case.read", "case.reopen", "case.view",
    "center.export", "center.export.done", "center.export.download", "center.export.start",
    "center.second_factor_required", "center.update", "clearance.list", "clearance.record",
    "client.contact_preferences", "client.create", "client.import.commit", "client.import.preview",
    "client.import.upload", "client.search", "client.update", "client.view", "consent.list", "consent.read",
    "consent.record", "consent.revoke", "credential.add", "credential.remove", "credential.update",
    "dashboard.consents", "dashboard.flags", "dashboard.risk", "diagnosis.set", "eligibility.override",
    "form.list", "form.read", "form.review", "form.submit", "goal.create", "goal.update", "guardian.add",
    "invoice.credit", "invoice.issue", "invoice.pdf", "invoice.read", "legal_hold.lift", "legal_hold.place",
    "messages.retry", "messages.settings", "messages.template", "messages.template_reset", "note.list",
    "note.read", "package.sell", "package.use", "payment.record", "payment.refund", "portal.link_email",
    "portal.link_issue", "portal.link_revoke", "portal.prepare", "portal.save_step", "portal.submit",
    "portal.view", "record.erase", "record.export", "retention.destroy", "retention.review", "risk.acknowledge",
    "room.create", "room.restore", "room.retire", "room.update", "schedule.view", "session.cancelled", "session.checked_in",
    "session.completed", "session.list", "session.move", "session.no_show", "session.read", "session.schedule",
    "superbill.create", "user.activate", "user.create", "user.list", "user.meeting_room", "user.practice",
    "user.read", "user.roles", "center.crisis_text", "safety_plan.read", "safety_plan.write", "waitlist.add", "waitlist.book", "waitlist.remove", "waitlist.view",
})
"""Every action the core writes (tests/core/test_audit_page.py finds each literal one here), for the filter."""


def _words(key: str) -> str:
    return key.replace("_", " ").replace(".", " ")


def describe(action: str) -> str:
    """``note.read`` -> "Note: viewed"; an unknown key still reads as words."""
    thing, _, verb = action.partition(".")
    name = THINGS.get(thing, _words(thing).capitalize())
    if not verb:
        return name
    return f"{name}: {VERBS.get(verb, _words(verb))}"
