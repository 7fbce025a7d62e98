"""The center's billing settings, its services and fees, and the charge a session carries from booking."""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from sqlalchemy import select

from polymodal.core.billing.models import Charge, ClientRate, Service, TaxRule
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.models import Case, Location, Room, Session
from polymodal.core.practice import Work
from polymodal.core.services.center import parse

FORMATS = ("individual", "couple", "family", "group")
# One fee for the whole session: a couple or family is one household, billed to the case's first client.
SHARED_FEE_FORMATS = frozenset({"couple", "family"})


def _whole(value: Any, low: int, high: int, message: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not low <= number <= high:
        raise ValueError(message)
    return number


class BillingSettings(BaseModel):
    """Messages are written for the person at the form: pydantic's own wording never reaches a page."""

    currency: str = "USD"
    tax_id: str = ""
    npi: str = ""
    address: str = ""
    payment_terms_days: int = 14
    late_cancel_fee_minor: int = 0
    no_show_fee_minor: int = 0
    late_cancel_hours: int = 24
    """A client's cancellation this close to the start is late (the session keeps the mark)."""

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("Enter a three-letter currency code such as USD.")
        return value

    @field_validator("npi", mode="before")
    @classmethod
    def _npi(cls, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"(\d{10})?", value.strip()):
            raise ValueError("Enter the center's 10-digit NPI, or leave it empty.")
        return value.strip()

    @field_validator("tax_id", "address", mode="before")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> str:
        limit = 40 if info.field_name == "tax_id" else 500
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"Use at most {limit} characters.")
        return value.strip()

    @field_validator("payment_terms_days", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> int:
        return _whole(value, 0, 120, "Enter a number of days from 0 to 120.")

    @field_validator("late_cancel_hours", mode="before")
    @classmethod
    def _window(cls, value: Any) -> int:
        return _whole(value, 0, 168, "Enter a number of hours from 0 to 168.")

    @field_validator("late_cancel_fee_minor", "no_show_fee_minor", mode="before")
    @classmethod
    def _fee(cls, value: Any) -> int:
        return _whole(value, 0, 10_000_000, "Enter a fee of zero or more.")


def settings_of(work: Work) -> BillingSettings:
    return BillingSettings.model_validate(work.center.settings.get("billing", {}))


def update_settings(work: Work, data: dict[str, Any]) -> BillingSettings:
    work.require("billing.configure")
    values = parse(BillingSettings, {**settings_of(work).model_dump(), **data})
    work.center.settings = {**work.center.settings, "billing": values.model_dump()}
    work.audit("billing.settings", record_type="center", record_id=work.center.id)
    return values


class ServiceInput(BaseModel):
    name: str
    modality_key: str
    minutes: int
    format: str = "individual"
    location_id: uuid.UUID | None = None
    price_minor: int
    tiers: list[dict[str, Any]] = []

    @field_validator("name", "modality_key", mode="before")
    @classmethod
    def _named(cls, value: Any, info: ValidationInfo) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ValueError("Give the service a name of up to 200 characters." if info.field_name == "name"
                             else "Choose a modality offered here.")
        return value.strip()

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> int:
        return _whole(value, 5, 720, "Enter the length in minutes, from 5 to 720.")

    @field_validator("price_minor", mode="before")
    @classmethod
    def _price(cls, value: Any) -> int:
        return _whole(value, 0, 10_000_000, "Enter a price of zero or more.")

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in FORMATS:
            raise ValueError("Choose individual, couple, family or group.")
        return value

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tiers = []
        for tier in value:
            name, price = str(tier.get("name", "")).strip(), tier.get("price_minor")
            if not name or not isinstance(price, int) or not 0 <= price <= 10_000_000:
                raise ValueError("Each sliding-scale tier needs a name and a price.")
            tiers.append({"name": name[:80], "price_minor": price})
        return tiers


def add_service(work: Work, data: dict[str, Any]) -> Service:
    work.require("billing.configure")
    values = parse(ServiceInput, data)
    if values.modality_key not in work.registry.modalities:
        raise ValidationFailed({"modality_key": "Choose a modality offered here."})
    service = Service(**values.model_dump(), currency=settings_of(work).currency)
    work.db.add(service)
    work.db.flush()
    work.audit("billing.service.add", record_type="service", record_id=service.id)
    return service


def retire_service(work: Work, service_id: uuid.UUID) -> None:
    work.require("billing.configure")
    service = work.db.get(Service, service_id)
    if service is None:
        raise NotFound("no such service")
    service.active = False
    work.audit("billing.service.retire", record_type="service", record_id=service.id)


def services(work: Work, *, active_only: bool = True) -> list[Service]:
    """The price list: nothing confidential, so any signed-in staff member may read it."""
    stmt = select(Service).order_by(Service.modality_key, Service.format, Service.minutes, Service.name)
    return list(work.db.scalars(stmt.where(Service.active.is_(True)) if active_only else stmt))


def set_tax_rule(work: Work, jurisdiction: str, modality_key: str, name: str, rate_bp: int) -> TaxRule:
    work.require("billing.configure")
    if not 0 <= rate_bp <= 5000:
        raise ValidationFailed({"rate_bp": "Enter a tax rate between 0 and 50 %."})
    rule = work.db.scalar(select(TaxRule).where(TaxRule.jurisdiction == jurisdiction,
                                                TaxRule.modality_key == modality_key))
    if rule is None:
        rule = TaxRule(jurisdiction=jurisdiction, modality_key=modality_key, name=name, rate_bp=rate_bp)
        work.db.add(rule)
    else:
        rule.name, rule.rate_bp = name, rate_bp
    work.db.flush()
    work.audit("billing.tax_rule", record_type="tax_rule", record_id=rule.id)
    return rule


def set_client_rate(work: Work, client_id: uuid.UUID, service_id: uuid.UUID, *, tier: str = "",
                    price_minor: int | None = None) -> ClientRate:
    work.require("billing.manage", client_id)
    service = work.db.get(Service, service_id)
    if service is None:
        raise NotFound("no such service")
    if tier and tier not in {t["name"] for t in service.tiers}:
        raise ValidationFailed({"tier": f"{service.name} has no tier named {tier[:80]!r}."})
    if price_minor is not None and not 0 <= price_minor <= 10_000_000:
        raise ValidationFailed({"price_minor": "Enter a price of zero or more."})
    rate = work.db.scalar(select(ClientRate).where(ClientRate.client_id == client_id,
                                                   ClientRate.service_id == service_id))
    if rate is None:
        rate = ClientRate(client_id=client_id, service_id=service_id)
        work.db.add(rate)
    rate.tier, rate.price_minor = tier, price_minor
    work.db.flush()
    work.audit("billing.client_rate", record_type="client_rate", record_id=rate.id, client_id=client_id)
    return rate


def locations(work: Work) -> list[tuple[uuid.UUID, str]]:
    return [(loc.id, loc.name) for loc in work.db.scalars(select(Location).order_by(Location.name))]


def select_service(work: Work, modality_key: str, format: str, minutes: int,
                   location_id: uuid.UUID | None) -> Service | None:
    """The fee for a session: the modality and format must match; then the nearest length (a tie goes to the
    longer service), and a service of the session's location before one that applies everywhere."""
    candidates = work.db.scalars(select(Service).where(
        Service.active.is_(True), Service.modality_key == modality_key, Service.format == format)).all()
    candidates = [s for s in candidates if s.location_id in (None, location_id)]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (abs(s.minutes - minutes), -s.minutes, s.location_id is None))


def price_for(work: Work, client_id: uuid.UUID, service: Service) -> int:
    rate = work.db.scalar(select(ClientRate).where(ClientRate.client_id == client_id,
                                                   ClientRate.service_id == service.id))
    if rate is not None and rate.price_minor is not None:
        return rate.price_minor
    if rate is not None and rate.tier:
        return next((t["price_minor"] for t in service.tiers if t["name"] == rate.tier), service.price_minor)
    return service.price_minor


def tax_on(work: Work, modality_key: str, amount_minor: int) -> int:
    """Tax where the center's jurisdiction taxes the modality, rounded half up to the minor unit."""
    rate = work.db.scalar(select(TaxRule.rate_bp).where(TaxRule.jurisdiction == work.center.jurisdiction,
                                                        TaxRule.modality_key == modality_key))
    return (amount_minor * rate + 5_000) // 10_000 if rate else 0


def charge_sessions(work: Work, sessions: list[Session]) -> list[Charge]:
    """Fix a booking's service and price: the sessions of one booking (a weekly series) share modality, format,
    length, room and clients, so the fee is chosen once. Later price changes do not touch them."""
    if not sessions:
        return []
    first = sessions[0]
    minutes = int((first.ends_at - first.starts_at).total_seconds() // 60)
    location_id = work.db.scalar(select(Room.location_id).where(Room.id == first.room_id)) if first.room_id else None
    service = select_service(work, first.modality_key, first.format, minutes, location_id)
    if service is None:
        return []
    client_ids = [link.client_id for link in first.clients]
    if first.format in SHARED_FEE_FORMATS:
        payer = work.db.get(Case, first.case_id).clients[0].client_id
        client_ids = [payer if payer in client_ids else client_ids[0]]
    prices = {client_id: price_for(work, client_id, service) for client_id in client_ids}
    taxes = {client_id: tax_on(work, first.modality_key, price) for client_id, price in prices.items()}
    charges = [Charge(session_id=session.id, client_id=client_id, service_id=service.id, kind="session",
                      description=service.name, price_minor=prices[client_id], tax_minor=taxes[client_id],
                      currency=service.currency)
               for session in sessions for client_id in client_ids]
    work.db.add_all(charges)
    work.db.flush()
    return charges
