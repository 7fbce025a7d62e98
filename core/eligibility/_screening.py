"""What a client's screening answers, instruments and facts say about one modality.

Every response of the client counts, whatever modality it was taken for: a
rule applies to the modalities it names (or, naming none, to its form's).
The newest response per form applies, except one that lowers the outcome:
it waits for a practitioner's review and the earlier one applies meanwhile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from polymodal.core.contributions import (
    FACT_LABELS,
    OUTCOME_RANK,
    ClientFact,
    FormPurpose,
    ModalitySpec,
    Outcome,
)
from polymodal.core.eligibility._verdicts import OVERRIDABLE, RANK, Finding, Verdict
from polymodal.core.models import AssessmentResult, FormResponse
from polymodal.core.practice import Work
from polymodal.core.services.forms import REVIEW_CODE
from polymodal.core.timeutil import to_local

RISK_SOURCE = ("clinical.md §3.1 (a positive risk screen is followed by a structured risk assessment and safety "
               "plan before other work); NIMH ASQ: https://www.nimh.nih.gov/research/research-conducted-at-nimh/"
               "asq-toolkit-materials")
CORE_RISK_FACTS = (ClientFact.current_suicidal_ideation, ClientFact.harm_to_others)
"""Facts that are a risk finding for every modality, whichever plugin's form found them."""

PENDING = "pending"


@dataclass(frozen=True)
class ClientScreening:
    """The responses and results that apply now, with the facts they establish."""

    responses: dict[str, FormResponse]
    pending: list[FormResponse]
    results: list[AssessmentResult]
    facts: dict[ClientFact, tuple[str, dt.datetime]]
    """Each fact with where it was found and when."""


def lowers(previous: str, new: str) -> bool:
    return OUTCOME_RANK.get(Outcome(new), 0) < OUTCOME_RANK.get(Outcome(previous), 0)


def read_screening(work: Work, client_id: uuid.UUID, rows: list[FormResponse] | None = None,
                   results: list[AssessmentResult] | None = None) -> ClientScreening:
    """The client's screening; ``rows`` and ``results`` (newest first) when read for many clients at once."""
    if rows is None:
        rows = work.db.scalars(select(FormResponse).where(FormResponse.client_id == client_id)
                               .order_by(FormResponse.submitted_at.desc())).all()
    if results is None:
        results = work.db.scalars(select(AssessmentResult).where(AssessmentResult.client_id == client_id)
                                  .order_by(AssessmentResult.administered_at.desc())).all()
    responses: dict[str, FormResponse] = {}
    pending: list[FormResponse] = []
    for row in rows:
        if row.form_key in responses:
            continue
        if row.review == PENDING:
            pending.append(row)
        else:
            responses[row.form_key] = row
    newest: dict[str, AssessmentResult] = {}
    for result in results:
        newest.setdefault(result.instrument_key, result)
    facts: dict[ClientFact, tuple[str, dt.datetime]] = {}
    tz = work.center.timezone
    for response in responses.values():
        for finding in response.findings:
            rule = work.registry.screening_rules.get(finding.get("code", ""))
            if rule is not None and rule.sets_fact is not None:
                facts.setdefault(rule.sets_fact, (f"{_form_title(work, response.form_key)} of "
                                                  f"{to_local(response.submitted_at, tz):%d %b %Y}",
                                                  response.submitted_at))
    for result in newest.values():
        instrument = work.registry.assessments.get(result.instrument_key, result.instrument_version)
        rules = {f.code: f for f in instrument.flags} if instrument else {}
        for flag in result.flags:
            rule = rules.get(flag.get("code", ""))
            if rule is not None and rule.sets_fact is not None:
                facts.setdefault(rule.sets_fact, (f"{instrument.abbreviation} of "
                                                  f"{to_local(result.administered_at, tz):%d %b %Y}",
                                                  result.administered_at))
    return ClientScreening(responses, pending, list(newest.values()), facts)


def _form_title(work: Work, key: str) -> str:
    form = work.registry.forms.get(key)
    return form.title if form else key


def screening_findings(work: Work, screening: ClientScreening, modality: ModalitySpec, starts_at: dt.datetime,
                       who: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    tz = work.center.timezone
    # Facts an answer rule already judged for this modality, with the verdict it gave: a fact rule saying
    # the same (or less) about the same fact would only repeat it. One that says more still fires.
    judged: dict[ClientFact, int] = {}
    for response in screening.responses.values():
        form = work.registry.forms.get(response.form_key)
        form_modalities = form.modalities if form else ()
        where = f"{_form_title(work, response.form_key)} of {to_local(response.submitted_at, tz):%d %b %Y}"
        for stored in response.findings:
            rule = work.registry.screening_rules.get(stored.get("code", ""))
            if rule is not None:
                applies = modality.key in (rule.modalities or form_modalities)
                verdict = Verdict(rule.outcome.value)
            elif stored.get("code", "").startswith(REVIEW_CODE + "/"):  # a plugin's screening hook failed
                plugin = stored["code"].removeprefix(REVIEW_CODE + "/")
                applies = modality.key in form_modalities or work.registry.modalities.owner(modality.key) == plugin
                verdict = Verdict.review
            else:  # a plugin's screening hook: its level, for the form's modalities
                applies = modality.key in form_modalities
                verdict = {"block": Verdict.excluded, "warning": Verdict.clearance}.get(stored.get("level"),
                                                                                        Verdict.eligible)
            if not applies or verdict is Verdict.eligible:
                continue
            if rule is not None and rule.sets_fact is not None:
                judged[rule.sets_fact] = max(judged.get(rule.sets_fact, 0), RANK[verdict])
            source = where + (f" · rule source: {stored['source']}" if stored.get("source") else "")
            findings.append(_screened(verdict, stored.get("code", "screening"), stored.get("message", ""), source,
                                      modality, where, response.submitted_at, who))
    for fact, (where, since) in screening.facts.items():
        for rule in work.registry.screening_rules:
            if rule.if_fact is fact and (not rule.modalities or modality.key in rule.modalities) and \
                    judged.get(fact, 0) < RANK[Verdict(rule.outcome.value)]:
                source = f"{FACT_LABELS[fact].capitalize()}, found in the {where}" + (
                    f" · rule source: {rule.source}" if rule.source else "")
                findings.append(_screened(Verdict(rule.outcome.value), rule.key, rule.reason, source, modality,
                                          where, since, who))
        if fact in CORE_RISK_FACTS:
            findings.append(_screened(
                Verdict.risk, f"core/risk-{fact.value}", f"Risk: {FACT_LABELS[fact]} (found in the {where}).",
                f"{where} · {RISK_SOURCE}", modality, where, since, who))
    for result in screening.results:
        instrument = work.registry.assessments.get(result.instrument_key, result.instrument_version)
        name = instrument.abbreviation if instrument else result.instrument_key
        where = f"{name} of {to_local(result.administered_at, tz):%d %b %Y}"
        for flag in result.flags:
            if flag.get("severity") == "risk":
                findings.append(_screened(Verdict.risk, f"{result.instrument_key}:{flag.get('code')}",
                                          f"Risk: {flag.get('message', '')}", where, modality, where,
                                          result.administered_at, who))
    findings.extend(_expiry(work, screening, modality, starts_at, who))
    for response in screening.pending:
        findings.append(Finding(
            verdict=Verdict.modify, code="core/rescreen-pending",
            reason=(f"A re-screen on the {_form_title(work, response.form_key)} of "
                    f"{to_local(response.submitted_at, tz):%d %b %Y} lowers the outcome to {response.outcome}; "
                    "the earlier result applies until a practitioner reviews it."),
            summary="A re-screen waits for a practitioner's review.", source=_form_title(work, response.form_key),
            next_step="A practitioner reviews the re-screen on the client's forms page.", clinical=True,
            since=response.submitted_at, **who))
    return findings


def _screened(verdict: Verdict, code: str, reason: str, source: str, modality: ModalitySpec, where: str,
              since: dt.datetime, who: dict[str, Any]) -> Finding:
    next_step = {
        Verdict.risk: "A clinician assesses the risk and acknowledges it with a plan (client page, Risk).",
        Verdict.excluded: (f"Do not book {modality.name}; offer another modality. A clinician with the right role "
                           "may override with a reason, or a practitioner reviews a new screening."),
        Verdict.clearance: ("Record the clearance (who cleared, profession, licence, until when) on the client "
                            "page before check-in."),
        Verdict.modify: "Plan the adaptations named here before the session.",
        Verdict.review: ("A practitioner reads the answers and, if they allow the session, overrides with the "
                         "reason" + ("; the admin looks at the plugin error (admin, plugins)."
                                     if code.startswith(REVIEW_CODE) else ".")),
    }.get(verdict, "See the screening.")
    summary = {
        Verdict.risk: f"Risk found in the {where}: a clinician must acknowledge it.",
        Verdict.excluded: f"Excluded from {modality.name} by the {where}.",
        Verdict.clearance: f"{modality.name} needs a recorded clearance (from the {where}).",
        Verdict.modify: f"{modality.name} is to be modified (from the {where}).",
        Verdict.review: (f"A plugin's check of the {where} failed: a practitioner reviews it."
                         if code.startswith(REVIEW_CODE) else
                         f"The {where} needs a practitioner's review before {modality.name}."),
    }.get(verdict, f"See the {where}.")
    return Finding(verdict=verdict, code=code, reason=reason, source=source, next_step=next_step, summary=summary,
                   clinical=True, overridable=verdict in OVERRIDABLE, since=since, **who)


def screening_forms(work: Work, modality: ModalitySpec) -> list[str]:
    return [f.key for f in work.registry.forms.for_modality(modality.key) if f.purpose is FormPurpose.screening]


def _expiry(work: Work, screening: ClientScreening, modality: ModalitySpec, starts_at: dt.datetime,
            who: dict[str, Any]) -> list[Finding]:
    keys = screening_forms(work, modality)
    if not keys:
        return []
    valid = dt.timedelta(days=modality.screening_valid_days)
    taken = [screening.responses[k] for k in keys if k in screening.responses]
    title = _form_title(work, keys[0])
    current = max((r.submitted_at for r in taken if r.submitted_at + valid > starts_at), default=None)
    if current is not None:
        # Valid, unless the health history changed since: a fact found later by another form or instrument.
        changed = sorted(FACT_LABELS[fact] for fact, (_where, since) in screening.facts.items() if since > current)
        if not changed:
            return []
        why = (f"The health history changed after the {title} of {to_local(current, work.center.timezone):%d %b %Y} "
               f"({', '.join(changed)} found since): it needs repeating.")
        return [Finding(verdict=Verdict.screening, code="core/screening-needed", reason=why, clinical=True,
                        summary=f"The {title} needs repeating: the health history changed since.", source=title,
                        next_step=f"The client completes the {title} again.", overridable=True, since=current, **who)]
    newest = max((r.submitted_at for r in taken), default=None)
    why = (f"The {title} of {to_local(newest, work.center.timezone):%d %b %Y} has expired "
           f"(valid {modality.screening_valid_days} days for {modality.name})." if newest
           else f"{modality.name} needs the {title} and the client has none on file.")
    return [Finding(verdict=Verdict.screening, code="core/screening-needed", reason=why, summary=why,
                    source=title, next_step=f"The client completes the {title} (in person or by portal link).",
                    overridable=True, since=newest, **who)]
