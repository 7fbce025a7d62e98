"""Packages: a bundle of sessions bought ahead (and invoiced once), used up as sessions are completed."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from polymodal.core.billing.fees import settings_of
from polymodal.core.billing.invoices import CLIENT_PAYS, Payer, issue_invoice
from polymodal.core.billing.models import Charge, Package
from polymodal.core.errors import ValidationFailed
from polymodal.core.models import Session
from polymodal.core.practice import Work
from polymodal.core.timeutil import to_local


def sell_package(work: Work, client_id: uuid.UUID, *, name: str, modality_key: str, sessions_total: int,
                 price_minor: int, expires_on: dt.date | None = None, payer: Payer = CLIENT_PAYS) -> Package:
    """Record the package and invoice its price in one go."""
    work.require("billing.manage", client_id, record_type="package")
    errors = {}
    if not name.strip():
        errors["name"] = "Name the package, e.g. '10 breathwork sessions'."
    if modality_key not in work.registry.modalities:
        errors["modality_key"] = "Choose a modality offered here."
    if not 1 <= sessions_total <= 200:
        errors["sessions_total"] = "A package holds from 1 to 200 sessions."
    if not 0 <= price_minor <= 10_000_000:
        errors["price"] = "Enter a price of zero or more."
    today = to_local(work.now, work.center.timezone).date()
    if expires_on is not None and expires_on <= today:
        errors["expires_on"] = "Choose an expiry date after today."
    if errors:
        raise ValidationFailed(errors)
    currency = settings_of(work).currency
    package = Package(client_id=client_id, name=name.strip()[:200], modality_key=modality_key,
                      sessions_total=sessions_total, price_minor=price_minor, currency=currency, bought_on=today,
                      expires_on=expires_on)
    work.db.add(package)
    work.db.flush()
    charge = Charge(client_id=client_id, kind="package", description=f"Package: {package.name}",
                    price_minor=price_minor, currency=currency)
    work.db.add(charge)
    work.db.flush()
    package.invoice_id = issue_invoice(work, client_id, [charge.id], payer).id
    work.audit("package.sell", record_type="package", record_id=package.id, client_id=client_id)
    return package


def used(work: Work, package_id: uuid.UUID) -> int:
    return work.db.scalar(select(func.count()).select_from(Charge).where(Charge.package_id == package_id)) or 0


def packages_of(work: Work, client_id: uuid.UUID) -> list[dict]:
    work.require("billing.read", client_id, record_type="package")
    today = to_local(work.now, work.center.timezone).date()
    rows = work.db.execute(
        select(Package, func.count(Charge.id)).outerjoin(Charge, Charge.package_id == Package.id)
        .where(Package.client_id == client_id).group_by(Package.id).order_by(Package.bought_on.desc())).all()
    return [{"package": p, "used": n, "left": p.sessions_total - n,
             "expired": p.expires_on is not None and p.expires_on < today} for p, n in rows]


def consume_on_completion(work: Work, session: Session) -> None:
    """A completed session's own charge is paid from the client's oldest package of that modality that
    still has sessions and had not expired on the session's day."""
    if session.status != "completed":
        return
    day = to_local(session.starts_at, work.center.timezone).date()
    charges = work.db.scalars(select(Charge).where(Charge.session_id == session.id, Charge.kind == "session",
                                                   Charge.invoice_id.is_(None), Charge.package_id.is_(None))).all()
    for charge in charges:
        packages = work.db.scalars(select(Package).where(
            Package.client_id == charge.client_id, Package.modality_key == session.modality_key,
            Package.bought_on <= day).order_by(Package.bought_on, Package.created_at)).all()
        for package in packages:
            if (package.expires_on is None or package.expires_on >= day) and \
                    used(work, package.id) < package.sessions_total:
                charge.package_id = package.id
                work.audit("package.use", record_type="package", record_id=package.id, client_id=charge.client_id)
                break
    work.db.flush()
