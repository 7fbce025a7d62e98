"""The one eligibility decision: may these clients have this modality with these practitioners, then, so?

Booking, moving, check-in, the booking form's preview and the session's
pre-flight all ask ``decide``; each gate refuses the verdicts ``BLOCKS`` names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from polymodal.core.contributions import ConsentDocument, ModalitySpec
from polymodal.core.contributions import Finding as PluginFinding
from polymodal.core.eligibility._screening import read_screening, screening_findings
from polymodal.core.eligibility._verdicts import OVERRIDABLE, Decision, Finding, Gate, Verdict, ranked
from polymodal.core.errors import Conflict
from polymodal.core.events import PreflightClient, PreflightContext, PreflightPractitioner
from polymodal.core.minors import ALONE_KINDS
from polymodal.core.models import (
    Clearance,
    Client,
    Credential,
    EligibilityOverride,
    RiskAcknowledgement,
    Session,
    SessionCheck,
    User,
)
from polymodal.core.practice import Work
from polymodal.core.safety.models import SafetyPlan
from polymodal.core.services.clients import age, is_minor, may_consent_alone
from polymodal.core.services.consent import active_consents, assent_of
from polymodal.core.services.forms import REVIEW_CODE
from polymodal.core.timeutil import to_local

REMOTE = ("phone", "video")


@dataclass(frozen=True)
class Ask:
    """The question. ``session`` adds what was confirmed in it (the client's location, regions)."""

    modality_key: str
    client_ids: tuple[uuid.UUID, ...]
    practitioner_ids: tuple[uuid.UUID, ...]
    starts_at: dt.datetime
    delivery: str = "in_person"
    format: str = "individual"
    session: Session | None = field(default=None, compare=False)


class Refused(Conflict):
    """A gate refused: the message names each reason, its source and what to do next."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


def ask_for(session: Session) -> Ask:
    return Ask(session.modality_key, tuple(c.client_id for c in session.clients),
               tuple(p.user_id for p in session.practitioners), session.starts_at, session.delivery,
               session.format, session)


def decide(work: Work, ask: Ask) -> Decision:
    modality = work.registry.modalities.get(ask.modality_key)
    if modality is None:
        return Decision((Finding(Verdict.excluded, "core/modality-missing",
                                 f"The modality {ask.modality_key} is not installed.", "installed plugins",
                                 "Choose a modality offered here, or ask the admin to install its plugin."),))
    findings: list[Finding] = []
    contexts: list[PreflightClient] = []
    locations: list[str] = []
    for client_id in ask.client_ids:
        client = work.db.get(Client, client_id)
        if client is None:
            continue
        who = {"client_id": client.id, "client_name": client.display_name}
        screening = read_screening(work, client.id)
        consents = active_consents(work, client.id, ask.starts_at)
        own = screening_findings(work, screening, modality, ask.starts_at, who)
        own += _consent_findings(work, client, modality, ask, consents, who)
        location = _location(work, ask, client.id)
        if ask.session is not None and ask.delivery in REMOTE:
            if location is None:
                own.append(Finding(Verdict.consent, "core/telehealth-location",
                                   f"{client.display_name}'s location for this {ask.delivery} session is not confirmed.",
                                   "telehealth consent", "Confirm where the client is now on the session page "
                                   "(the law of that place applies and emergency help must reach them).", **who))
            else:
                locations.append(location)
        findings += settle(work, client.id, modality, ask, own)
        outcome = max((f.verdict for f in own if f.verdict in (Verdict.excluded, Verdict.clearance, Verdict.modify)),
                      key=lambda v: ("modify", "clearance", "excluded").index(v.value), default=None)
        contexts.append(PreflightClient(
            client_id=str(client.id), age=age(work, client), minor=is_minor(work, client),
            active_consents=tuple(sorted(consents)), screening_outcome=outcome.value if outcome else "eligible",
            screening_reasons=tuple(f.reason for f in own if f.clinical)))
    jurisdiction = locations[0] if locations else work.center.jurisdiction
    practitioners = _practitioners(work, ask, jurisdiction)
    findings += _credential_findings(modality, jurisdiction, practitioners)
    context = PreflightContext(session_id=str(ask.session.id) if ask.session else "", modality=modality,
                               format=ask.format, delivery=ask.delivery, starts_at=ask.starts_at,
                               jurisdiction=jurisdiction, clients=tuple(contexts), practitioners=tuple(practitioners))
    plugin_findings = _plugin_findings(work, context)
    for client_id in ask.client_ids:  # a failed check is per client, settled by that client's override
        findings += settle(work, client_id, modality, ask, [f for f in plugin_findings if f.client_id == client_id])
    findings += [f for f in plugin_findings if f.client_id is None]
    return Decision(ranked(findings))


def decide_session(work: Work, session: Session) -> Decision:
    return decide(work, ask_for(session))


def refuse(work: Work, decision: Decision, gate: Gate, verb: str) -> None:
    """Raise ``Refused`` if ``gate`` is blocked; clinical reasons go only to readers of the clinical record."""
    blocks = decision.blocking(gate)
    if not blocks:
        return
    parts = []
    for f in blocks:
        shown = f.shown_to(f.client_id is None or work.may("clinical.read", f.client_id))
        who = f"{f.client_name}: " if f.client_name else ""
        parts.append(f"{who}{f.label}: {shown.reason} Source: {shown.source}. Next: {f.next_step}")
    raise Refused(f"{verb}: " + " | ".join(parts), blocks)


# --- consents, location, credentials ---------------------------------------------------------------


def _consent_findings(work: Work, client: Client, modality: ModalitySpec, ask: Ask, consents: dict[str, Any],
                      who: dict[str, Any]) -> list[Finding]:
    needed = list(modality.consents_required)
    if ask.delivery in REMOTE:
        telehealth = [d.key for d in work.registry.consent_documents if ask.delivery in d.deliveries]
        if not telehealth:
            return [Finding(Verdict.consent, "core/telehealth-consent-missing",
                            f"No consent document covering {ask.delivery} sessions is installed.", "installed plugins",
                            "Book in person, or ask the admin for a plugin with a telehealth consent.", **who)]
        if not set(telehealth) & set(consents):
            needed.append(telehealth[0])
    findings = []
    for key in needed:
        document = work.registry.consent_documents.get(key)
        title = document.title if document else key
        record = consents.get(key)
        guardian = not may_consent_alone(work, client, document)
        if record is None:
            signer = "a guardian with authority" if guardian else "the client"
            findings.append(Finding(Verdict.consent, "core/consent-missing",
                                    f"{title} is missing, expired or revoked (needs {signer}'s signature).",
                                    title, f"Have {signer} sign the {title} (consent page, or a portal link).", **who))
        elif document is not None and record.document_version < document.min_signed_version:
            findings.append(Finding(Verdict.consent, "core/consent-outdated",
                                    f"{title} was signed on version {record.document_version}; version "
                                    f"{document.version} changed what it says, so it must be signed again.",
                                    title, f"Have {'a guardian with authority' if guardian else 'the client'} sign "
                                    f"the new {title} (consent page, or a portal link).", **who))
        elif guardian and record.signer_capacity == "self":
            findings.append(Finding(Verdict.consent, "core/consent-guardian",
                                    f"{title} was signed by the minor alone; a guardian with authority must sign "
                                    f"({guardian_reason(work, document)}).",
                                    title, f"Have a guardian with authority sign the {title}.", **who))
        elif record.signer_capacity == "guardian" and is_minor(work, client):
            findings.append(_assent(work, client, title, record, who))
    return findings


def guardian_reason(work: Work, document: ConsentDocument | None) -> str:
    """Why a guardian signs this document for a minor, in words for staff and guardians."""
    limit = work.center.minor_consent_age
    if document is not None and document.kind in ALONE_KINDS and limit is not None:
        return f"a minor consents alone to psychotherapy or counselling here from {limit}"
    if limit is not None:
        return (f"the minor-consent age of {limit} covers psychotherapy and counselling only, not "
                f"{document.kind.value if document else 'this'} consents")
    return "a minor does not consent alone here"


def _assent(work: Work, client: Client, title: str, record: Any, who: dict[str, Any]) -> Finding:
    """The minor's own assent beside a guardian's consent, shown at pre-flight (clinical.md §5.1 'Minors')."""
    state, assent_name, at = assent_of(record.scope)
    when = f" on {to_local(at, work.center.timezone):%d %b %Y}" if at else ""
    name = client.display_name
    if state == "declined":
        return Finding(Verdict.modify, "core/assent-declined",
                       f"{name} did not agree (assent declined{when}) to what the {title} permits; the guardian's "
                       "consent stands.", title,
                       f"Talk it through with {name} before the session; do not go ahead with what they refuse.",
                       **who)
    if state == "given":
        return Finding(Verdict.eligible, "core/assent", f"{name}'s assent to the {title}: given{when}"
                       + (f" ({assent_name})." if assent_name else "."), title, "Nothing to do.", **who)
    return Finding(Verdict.eligible, "core/assent", f"No assent of {name} is recorded beside the guardian's {title}.",
                   title, f"Ask for {name}'s own agreement at the session and record it with the next signature.",
                   **who)


def _location(work: Work, ask: Ask, client_id: uuid.UUID) -> str | None:
    if ask.session is None:
        return None
    return work.db.scalar(select(SessionCheck.subject).where(
        SessionCheck.session_id == ask.session.id, SessionCheck.client_id == client_id,
        SessionCheck.kind == "location").order_by(SessionCheck.checked_at.desc()).limit(1))


def applies_in(credential_jurisdiction: str, jurisdiction: str) -> bool:
    """A US-CA licence applies in US-CA; a national (US) certification applies in every US state."""
    return jurisdiction == credential_jurisdiction or jurisdiction.startswith(credential_jurisdiction + "-")


def _practitioners(work: Work, ask: Ask, jurisdiction: str) -> list[PreflightPractitioner]:
    """Each practitioner with the credentials valid that day there: one statement for all of them."""
    if not ask.practitioner_ids:
        return []
    day = to_local(ask.starts_at, work.center.timezone).date()
    supervisor = aliased(User)
    rows = work.db.execute(
        select(User.id, User.display_name, supervisor.display_name.label("supervisor"), Credential.type,
               Credential.jurisdiction, Credential.expires_on)
        .join(Credential, Credential.user_id == User.id, isouter=True)
        .join(supervisor, supervisor.id == User.supervisor_id, isouter=True)
        .where(User.id.in_(ask.practitioner_ids))).all()
    names: dict[uuid.UUID, tuple[str, str]] = {}
    held: dict[uuid.UUID, set[str]] = {}
    for r in rows:
        names[r.id] = (r.display_name, r.supervisor or "")
        if r.type is not None and (r.expires_on is None or r.expires_on >= day) and applies_in(r.jurisdiction,
                                                                                                jurisdiction):
            held.setdefault(r.id, set()).add(r.type)
    return [PreflightPractitioner(user_id=str(uid), name=names[uid][0], supervisor=names[uid][1],
                                  credentials=tuple(sorted(held.get(uid, ()))))
            for uid in ask.practitioner_ids if uid in names]


def _credential_findings(modality: ModalitySpec, jurisdiction: str,
                         practitioners: list[PreflightPractitioner]) -> list[Finding]:
    rule = modality.credential_rule_for(jurisdiction)
    if rule is None:
        return []
    return [Finding(
        Verdict.excluded, "core/credential-missing",
        f"{p.name} holds no valid {' / '.join(rule.any_of)} for {modality.name} in {jurisdiction}"
        + (f" ({' / '.join(rule.supervised)} only under a supervisor on record; {p.name} has none)"
           if set(rule.supervised) & set(p.credentials) else
           f" (nor {' / '.join(rule.supervised)} under supervision)" if rule.supervised else "") + ".",
        rule.source or f"credential rules of {modality.name}",
        f"Choose a practitioner holding {' or '.join(rule.any_of)} in {jurisdiction}, or record the "
        "practitioner's credential or supervisor (admin, users).")
        for p in practitioners if not rule.covers(p.credentials, bool(p.supervisor))]


def qualified(work: Work, modality_key: str, user_ids: list[uuid.UUID], day: dt.date) -> set[uuid.UUID]:
    """Of ``user_ids``, those whose credentials cover the modality in the center's jurisdiction on ``day``."""
    modality = work.registry.modalities.get(modality_key)
    rule = modality.credential_rule_for(work.center.jurisdiction) if modality else None
    if rule is None:
        return set(user_ids)
    rows = work.db.execute(select(Credential.user_id, Credential.type, Credential.jurisdiction, Credential.expires_on,
                                  User.supervisor_id)
                           .join(User, User.id == Credential.user_id)
                           .where(Credential.user_id.in_(user_ids), Credential.type.in_(rule.types))).all()
    return {r.user_id for r in rows if (r.expires_on is None or r.expires_on >= day)
            and applies_in(r.jurisdiction, work.center.jurisdiction)
            and rule.covers((r.type,), r.supervisor_id is not None)}


def _plugin_findings(work: Work, context: PreflightContext) -> list[Finding]:
    """Plugins' pre-flight checks feed the same decision: block is excluded, warning is modify.

    A plugin's block applies to the modalities it declares; about another plugin's modality it is
    shown as modify. A check that raises or returns the wrong type is "needs review" for each client,
    naming the plugin (fail closed: nobody knows what it would have found).
    """
    verdict_of = {"block": Verdict.excluded, "warning": Verdict.modify, "info": Verdict.eligible}
    hook = "polymodal_preflight_checks"
    findings: list[Finding] = []
    failed: list[str] = []
    owner = work.registry.modalities.owner(context.modality.key)
    for plugin, extra in work.practice.call_each(hook, failed=failed, context=context):
        if not isinstance(extra, list) or not all(isinstance(f, PluginFinding) for f in extra):
            wrong = next((f for f in extra if not isinstance(f, PluginFinding)), None) if isinstance(
                extra, list) else extra
            work.practice.record_plugin_error(plugin, hook, TypeError(
                f"returned {type(wrong).__name__}, not a list of Finding"))
            failed.append(plugin)
            continue
        for finding in extra:
            verdict = verdict_of[finding.level.value]
            if verdict is Verdict.excluded and plugin != owner:
                verdict = Verdict.modify
            findings.append(Finding(verdict, finding.code, finding.message, finding.source or f"plugin {plugin}",
                                    f"See the {plugin} plugin's guidance.", clinical=True,
                                    summary=f"A check of the {plugin} plugin ({finding.level.value}).",
                                    overridable=verdict in OVERRIDABLE))
    for plugin in dict.fromkeys(failed):
        findings += [Finding(
            Verdict.review, f"{REVIEW_CODE}/{plugin}",
            f"The {plugin} plugin's pre-flight check failed (recorded as a plugin error), so what it checks is "
            "unknown.", f"plugin {plugin}",
            "A practitioner checks what the plugin would have and, if the session may go ahead, overrides with "
            "the reason; the admin looks at the plugin error (admin, plugins).", client_id=uuid.UUID(c.client_id),
            client_name=_name(work, c.client_id), overridable=True) for c in context.clients]
    return findings


def _name(work: Work, client_id: str) -> str:
    client = work.db.get(Client, uuid.UUID(client_id))  # loaded already by ``decide``: no query
    return client.display_name if client else ""


# --- what settles a finding ------------------------------------------------------------------------


def acknowledged(ack: RiskAcknowledgement, by: str, tz: str, plan_version: int | None = None) -> str:
    linked = f" Safety plan: version {plan_version}." if plan_version else ""
    return f"Acknowledged by {by} on {to_local(ack.acknowledged_at, tz):%d %b %Y}. Plan: {ack.plan}{linked}"


def settle(work: Work, client_id: uuid.UUID, modality: ModalitySpec, ask: Ask,
            findings: list[Finding]) -> list[Finding]:
    if not findings:
        return []
    tz = work.center.timezone
    day = to_local(ask.starts_at, tz).date()
    names: dict[uuid.UUID, str] = {}

    def name(user_id: uuid.UUID | None) -> str:
        if user_id not in names:
            names[user_id] = work.db.scalar(select(User.display_name).where(User.id == user_id)) or "someone"
        return names[user_id]

    verdicts = {f.verdict for f in findings}
    clearances = [c for c in work.db.scalars(select(Clearance).where(
        Clearance.client_id == client_id, Clearance.modality_key == modality.key)
        .order_by(Clearance.recorded_at.desc())) if c.valid_on(day)] if Verdict.clearance in verdicts else []
    overrides = list(work.db.scalars(select(EligibilityOverride).where(
        EligibilityOverride.client_id == client_id, EligibilityOverride.modality_key == modality.key)
        .order_by(EligibilityOverride.overridden_at.desc()))) if any(f.overridable for f in findings) else []
    acks = list(work.db.scalars(select(RiskAcknowledgement).where(RiskAcknowledgement.client_id == client_id)
                                .order_by(RiskAcknowledgement.acknowledged_at.desc()))) if Verdict.risk in verdicts else []
    linked = {a.safety_plan_id for a in acks if a.safety_plan_id}
    versions = dict(work.db.execute(select(SafetyPlan.id, SafetyPlan.version).where(SafetyPlan.id.in_(linked))
                                    ).tuples().all()) if linked else {}
    settled = []
    for f in findings:
        ack = next((a for a in acks if a.code == f.code and (f.since is None or a.acknowledged_at >= f.since)), None)
        override = next((o for o in overrides if o.code == f.code
                         and (f.since is None or o.overridden_at >= f.since)), None)
        if f.verdict is Verdict.risk and ack is not None:
            f = f.settle(acknowledged(ack, name(ack.acknowledged_by), tz, versions.get(ack.safety_plan_id)))
        elif f.verdict is Verdict.clearance and clearances:
            c = clearances[0]
            until = f", until {c.valid_until:%d %b %Y}" if c.valid_until else ""
            what = f" for {c.techniques}" if c.techniques else ""
            f = f.settle(f"Cleared{what} by {c.cleared_by_name} ({c.cleared_by_profession}, licence "
                         f"{c.cleared_by_licence}) on {c.cleared_on:%d %b %Y}{until}.")
        elif f.overridable and override is not None:
            f = f.settle(f"Overridden by {name(override.overridden_by)} on "
                         f"{to_local(override.overridden_at, tz):%d %b %Y}: {override.reason}")
        settled.append(f)
    return settled
