"""Superbills for talk therapy: what a client needs to claim from their insurer. No claim is submitted.

CPT psychotherapy codes by time, from the American Psychological Association's guide to the codes
(https://www.apaservices.org/practice/reimbursement/health-codes/psychotherapy): 90832 for 16-37 minutes of
psychotherapy, 90834 for 38-52, 90837 for 53 or more; under 16 minutes is not reported. 90791 is the
psychiatric diagnostic evaluation: the intake, billed here for the first individual session of a case. 90847 is family or couple psychotherapy with the client
present and 90846 without; both are 50-minute codes, reportable from 26 minutes (CPT's rule that a timed
code needs more than half its time). 90853 is group psychotherapy. Add-ons: 90785 (interactive
complexity) is chosen by the clinician, never inferred. Place of service from CMS's code set
(https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets): 11 office, 10 telehealth
in the client's home.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from polymodal.core.billing.fees import settings_of
from polymodal.core.billing.invoices import paid_on
from polymodal.core.billing.models import CaseDiagnosis, Charge, Invoice
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Case, Client, Credential, Session, SessionClient, SessionPractitioner, User
from polymodal.core.practice import Work
from polymodal.core.timeutil import local_days, to_local

ICD10_CM = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
ADD_ONS = {"90785": "Interactive complexity"}


def cpt_for(format: str, minutes: int, *, intake: bool = False, client_present: bool = True) -> str | None:
    """The procedure code of a talk-therapy session, or None when the session is too short to report."""
    if intake and format == "individual":
        return "90791"
    if format == "group":
        return "90853"
    if format in ("couple", "family"):
        return ("90847" if client_present else "90846") if minutes >= 26 else None
    if minutes < 16:
        return None
    if minutes <= 37:
        return "90832"
    if minutes <= 52:
        return "90834"
    return "90837"


def set_diagnoses(work: Work, case_id: uuid.UUID, codes: list[tuple[str, str]]) -> list[CaseDiagnosis]:
    """Replace the case's ICD-10-CM codes (code, description), in order; the first is the primary."""
    case = work.db.get(Case, case_id)
    if case is None:
        raise NotFound("no such case")
    for link in case.clients:
        work.require("clinical.write", link.client_id, record_type="case", record_id=case.id)
    cleaned = []
    for index, (code, description) in enumerate(codes, 1):
        code = code.strip().upper()
        if not ICD10_CM.match(code):
            raise ValidationFailed({"codes": f"Line {index}: {code[:12]!r} is not an ICD-10-CM code (e.g. F41.1)."})
        cleaned.append((code, description.strip()[:200]))
    if len({c for c, _ in cleaned}) != len(cleaned):
        raise ValidationFailed({"codes": "Each diagnosis code once."})
    for old in work.db.scalars(select(CaseDiagnosis).where(CaseDiagnosis.case_id == case.id)):
        work.db.delete(old)
    work.db.flush()
    rows = [CaseDiagnosis(case_id=case.id, position=i, code=c, description=d) for i, (c, d) in enumerate(cleaned, 1)]
    work.db.add_all(rows)
    work.db.flush()
    for link in case.clients:
        work.audit("diagnosis.set", record_type="case", record_id=case.id, client_id=link.client_id)
    return rows


def diagnoses_of(work: Work, case_id: uuid.UUID) -> list[tuple[str, str]]:
    return [tuple(r) for r in work.db.execute(select(CaseDiagnosis.code, CaseDiagnosis.description)
                                              .where(CaseDiagnosis.case_id == case_id)
                                              .order_by(CaseDiagnosis.position))]


@dataclass
class SuperbillLine:
    date: dt.date
    cpt: str
    place: str
    minutes: int
    diagnoses: str
    fee_minor: int
    paid_minor: int
    practitioner: str


@dataclass
class Superbill:
    center: str
    center_address: str
    tax_id: str
    center_npi: str
    client_name: str
    date_of_birth: dt.date
    client_address: str
    currency: str
    period: tuple[dt.date, dt.date]
    providers: list[dict] = field(default_factory=list)
    diagnoses: list[tuple[str, str]] = field(default_factory=list)
    lines: list[SuperbillLine] = field(default_factory=list)

    @property
    def total_fee(self) -> int:
        return sum(line.fee_minor for line in self.lines)

    @property
    def total_paid(self) -> int:
        return sum(line.paid_minor for line in self.lines)


def superbill(work: Work, client_id: uuid.UUID, start: dt.date, end: dt.date) -> Superbill:
    """The client's talk-therapy sessions that took place from ``start`` to ``end`` (local days)."""
    work.require("superbill.create", client_id, record_type="superbill")
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    if end < start or (end - start).days > 366:
        raise ValidationFailed({"end": "Choose a period of up to a year, ending on or after its start."})
    tz = work.center.timezone
    first, after = local_days(start, end, tz)
    # Insurers reimburse psychotherapy, not coaching: only the psychotherapy discipline's modalities.
    talk = {m.key for m in work.registry.modalities if m.discipline == "psychotherapy"}
    sessions = work.db.scalars(
        select(Session).join(SessionClient, SessionClient.session_id == Session.id)
        .where(SessionClient.client_id == client.id, Session.modality_key.in_(talk),
               Session.status.in_(("checked_in", "completed")),
               Session.starts_at >= first, Session.starts_at < after)
        .order_by(Session.starts_at)).all()
    settings = settings_of(work)
    bill = Superbill(center=work.center.name, center_address=settings.address, tax_id=settings.tax_id,
                     center_npi=settings.npi, client_name=f"{client.legal_first_name} {client.legal_last_name}",
                     date_of_birth=client.date_of_birth, client_address=client.address, currency=settings.currency,
                     period=(start, end))
    first_of_case = {case_id: work.db.scalar(select(Session.id).where(
        Session.case_id == case_id, Session.status.in_(("checked_in", "completed")))
        .order_by(Session.starts_at).limit(1)) for case_id in {s.case_id for s in sessions}}
    # One read each for the sessions' diagnoses, practitioners and charges: a year of weekly sessions is one
    # page, not a few hundred statements.
    codes_of = {case_id: diagnoses_of(work, case_id) for case_id in first_of_case}
    ids = [s.id for s in sessions]
    attending: dict[uuid.UUID, list[uuid.UUID]] = {}
    for session_id, user_id in work.db.execute(select(SessionPractitioner.session_id, SessionPractitioner.user_id)
                                               .where(SessionPractitioner.session_id.in_(ids))):
        attending.setdefault(session_id, []).append(user_id)
    charges = {c.session_id: c for c in work.db.scalars(select(Charge).where(
        Charge.session_id.in_(ids), Charge.kind == "session", Charge.client_id == client.id))}
    providers: dict[uuid.UUID, dict] = {}
    diagnoses: dict[str, str] = {}
    paid_lines: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
    for session in sessions:
        for code, description in codes_of[session.case_id]:
            diagnoses.setdefault(code, description)
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        cpt = cpt_for(session.format, minutes, intake=first_of_case[session.case_id] == session.id)
        if cpt is None:
            continue
        for user_id in attending.get(session.id, []):
            if user_id not in providers:
                providers[user_id] = _provider(work, user_id)
        charge = charges.get(session.id)
        fee = (charge.price_minor + charge.tax_minor) if charge else 0
        paid = fee if charge and charge.package_id else 0
        if charge and charge.invoice_id:
            paid = _paid_by_line(work, charge.invoice_id, paid_lines).get(charge.id, 0)
        bill.lines.append(SuperbillLine(
            date=to_local(session.starts_at, tz).date(), cpt=cpt,
            place="10" if session.delivery in ("phone", "video") else "11", minutes=minutes,
            diagnoses=", ".join(code for code, _ in codes_of[session.case_id]) or "-", fee_minor=fee,
            paid_minor=paid, practitioner=", ".join(providers[u]["name"] for u in attending.get(session.id, []))))
    bill.providers = list(providers.values())
    bill.diagnoses = list(diagnoses.items())
    work.audit("superbill.create", record_type="superbill", client_id=client.id,
               reason=f"{start.isoformat()}..{end.isoformat()}")
    return bill


def _paid_by_line(work: Work, invoice_id: uuid.UUID, memo: dict) -> dict[uuid.UUID, int]:
    """What was paid on an invoice, given to its lines in order: a part-paid invoice pays its first sessions."""
    if invoice_id not in memo:
        left, shares = paid_on(work, invoice_id), {}
        for line in work.db.get(Invoice, invoice_id).lines:
            share = max(0, min(left, line.amount_minor + line.tax_minor))
            shares[line.charge_id], left = share, left - share
        memo[invoice_id] = shares
    return memo[invoice_id]


def _provider(work: Work, user_id: uuid.UUID) -> dict:
    user = work.db.get(User, user_id)
    held = work.db.scalars(select(Credential).where(Credential.user_id == user_id).order_by(Credential.type)).all()
    npi = next((c.number for c in held if c.type == "NPI"), "")
    licences = [f"{c.type} {c.number} ({c.jurisdiction})" for c in held if c.type != "NPI"]
    return {"name": user.display_name, "licences": licences, "npi": npi}
