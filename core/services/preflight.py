"""Pre-flight: what must hold before a session starts (consent, credentials, screening)."""

from __future__ import annotations

from sqlalchemy import select

from polymodal.core.contributions import OUTCOME_RANK, Finding, FindingLevel, Outcome
from polymodal.core.events import PreflightClient, PreflightContext, PreflightPractitioner
from polymodal.core.models import Client, Credential, FormResponse, Session, User
from polymodal.core.practice import Work
from polymodal.core.services.clients import age, is_minor
from polymodal.core.services.consent import active_consents
from polymodal.core.timeutil import to_local


def preflight(work: Work, session: Session) -> list[Finding]:
    """Findings for ``session``: built-in checks first, then each plugin's (isolated)."""
    modality = work.registry.modalities.get(session.modality_key)
    if modality is None:
        return [Finding(code="core/modality-missing", level=FindingLevel.block,
                        message=f"The modality {session.modality_key} is not installed.")]
    context = _context(work, session, modality)
    findings = [*_consent_findings(work, context), *_credential_findings(context),
                *_screening_findings(context)]
    for plugin, extra in work.practice.call_each("polymodal_preflight_checks", context=context):
        for finding in extra if isinstance(extra, list) else []:
            if isinstance(finding, Finding):
                findings.append(finding)
            else:
                work.practice.record_plugin_error(plugin, "polymodal_preflight_checks",
                                                  TypeError(f"returned {type(finding).__name__}, not Finding"))
    return findings


def _context(work: Work, session: Session, modality) -> PreflightContext:
    day = to_local(session.starts_at, work.center.timezone).date()
    clients = []
    for link in session.clients:
        client = work.db.get(Client, link.client_id)
        outcome, reasons = _screening(work, client.id, modality.key)
        clients.append(PreflightClient(
            client_id=str(client.id), age=age(work, client), minor=is_minor(work, client),
            active_consents=tuple(sorted(active_consents(work, client.id, session.starts_at))),
            screening_outcome=outcome, screening_reasons=reasons,
        ))
    practitioners = []
    for link in session.practitioners:
        user = work.db.get(User, link.user_id)
        held = work.db.scalars(select(Credential).where(Credential.user_id == user.id)).all()
        valid = tuple(sorted(c.type for c in held if c.valid_on(day)
                             and _applies(c.jurisdiction, work.center.jurisdiction)))
        practitioners.append(PreflightPractitioner(user_id=str(user.id), name=user.display_name,
                                                   credentials=valid))
    return PreflightContext(session_id=str(session.id), modality=modality, format=session.format,
                            delivery=session.delivery, starts_at=session.starts_at,
                            jurisdiction=work.center.jurisdiction, clients=tuple(clients),
                            practitioners=tuple(practitioners))


def _applies(credential_jurisdiction: str, center_jurisdiction: str) -> bool:
    """A US-CA licence applies in US-CA; a national (US) certification applies in every US state."""
    return center_jurisdiction == credential_jurisdiction or center_jurisdiction.startswith(
        credential_jurisdiction + "-")


def _screening(work: Work, client_id, modality_key: str) -> tuple[str, tuple[str, ...]]:
    """Outcome of the newest response to each screening form of the modality."""
    forms = {f.key for f in work.registry.forms.for_modality(modality_key)}
    if not forms:
        return "eligible", ()
    rows = work.db.scalars(select(FormResponse).where(FormResponse.client_id == client_id,
                                                      FormResponse.form_key.in_(forms))
                           .order_by(FormResponse.submitted_at.desc())).all()
    newest = {}
    for row in rows:
        newest.setdefault(row.form_key, row)
    worst = max((Outcome(r.outcome) for r in newest.values()), key=OUTCOME_RANK.__getitem__,
                default=Outcome.eligible).value
    reasons = tuple(f["message"] for r in newest.values() for f in r.findings if f["level"] != "info")
    return worst, reasons


def _consent_findings(work: Work, context: PreflightContext) -> list[Finding]:
    findings = []
    for client in context.clients:
        for key in context.modality.consents_required:
            if key not in client.active_consents:
                document = work.registry.consent_documents.get(key)
                who = "a guardian's signature" if client.minor and document.guardian_signs_for_minor else "a signature"
                findings.append(Finding(code="core/consent-missing", level=FindingLevel.block,
                                        message=f"{document.title} needs {who} (missing, expired or revoked)."))
    return findings


def _credential_findings(context: PreflightContext) -> list[Finding]:
    rule = context.modality.credential_rule_for(context.jurisdiction)
    if rule is None:
        return []
    findings = []
    for practitioner in context.practitioners:
        if not set(rule.any_of) & set(practitioner.credentials):
            findings.append(Finding(
                code="core/credential-missing", level=FindingLevel.block,
                message=(f"{practitioner.name} holds no valid {' / '.join(rule.any_of)} for "
                         f"{context.modality.name} in {context.jurisdiction}."),
                source=rule.source))
    return findings


def _screening_findings(context: PreflightContext) -> list[Finding]:
    level = {"risk": FindingLevel.block, "excluded": FindingLevel.block, "clearance": FindingLevel.warning,
             "modify": FindingLevel.warning}
    findings = []
    for client in context.clients:
        if client.screening_outcome in level:
            reasons = "; ".join(client.screening_reasons) or "see the screening form"
            findings.append(Finding(code=f"core/screening-{client.screening_outcome}",
                                    level=level[client.screening_outcome],
                                    message=f"Screening: {client.screening_outcome}: {reasons}"))
    return findings
