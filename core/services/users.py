"""Staff accounts, roles, credentials and supervision."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import AfterValidator, BaseModel, Field, field_validator
from sqlalchemy import select

from polymodal.core.access import Role
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.models import Credential, User
from polymodal.core.practice import Work
from polymodal.core.services import passwords
from polymodal.core.services.center import parse

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist costs the same time as a
    real check, so response times do not reveal which usernames exist.

    Made on first use, not at import: one argon2 hash took ~0.17 s of every start-up (bench/run.py).
    """
    return _hasher.hash("polymodal-timing-equaliser")


def _staff_only(value: list[Role]) -> list[Role]:
    # A portal identity is issued through a secure link for one client, never as an account.
    if Role.portal_client in value:
        raise ValueError("choose staff roles only")
    return value


StaffRoles = Annotated[list[Role], AfterValidator(_staff_only)]


class UserInput(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,119}$", json_schema_extra={
        "hint": "2 or more lower-case letters or digits, and . _ - after the first"})
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=320)
    password: str = Field(min_length=12, max_length=256)
    roles: StaffRoles = Field(min_length=1)
    disciplines: list[str] = []
    modalities: list[str] = []
    supervisor: str | None = None

    @field_validator("password")
    @classmethod
    def _not_trivial(cls, value: str) -> str:
        if len(set(value)) < 4:
            raise ValueError("choose a password with more variety")
        return value


def create_user(work: Work, data: dict) -> User:
    work.require("user.manage")
    values = parse(UserInput, data)
    problem = passwords.problem(values.password, [values.username, values.display_name, values.email,
                                                  _center_name(work)])
    if problem:
        raise ValidationFailed({"password": problem})
    if work.db.query(User).filter_by(username=values.username).first():
        raise Conflict(f"the username '{values.username}' is taken")
    supervisor_id = None
    if values.supervisor:
        supervisor = work.db.query(User).filter_by(username=values.supervisor).first()
        if supervisor is None or Role.supervisor.value not in supervisor.roles:
            raise ValidationFailed({"supervisor": f"'{values.supervisor}' is not a supervisor"})
        supervisor_id = supervisor.id
    unknown = [m for m in values.modalities if m not in work.registry.modalities]
    if unknown:
        raise ValidationFailed({"modalities": f"unknown modality: {', '.join(unknown)}"})
    user = User(
        username=values.username,
        display_name=values.display_name,
        email=values.email,
        password_hash=_hasher.hash(values.password),
        roles=[r.value for r in values.roles],
        disciplines=values.disciplines,
        modalities=values.modalities,
        supervisor_id=supervisor_id,
    )
    work.db.add(user)
    work.db.flush()
    work.audit("user.create", record_type="user", record_id=user.id)
    return user


def _center_name(work: Work) -> str:
    try:
        return work.center.name
    except NotFound:
        return ""  # the first admin can be created before the center


JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
"""ISO 3166 like the center's: a country (a national certification, valid in all its states) or a subdivision."""


def _credential_fields(type_: str, number: str, jurisdiction: str) -> tuple[str, str, str]:
    """The three texts, trimmed; ``ValidationFailed`` names each that is missing, too long or malformed."""
    type_, number, jurisdiction = type_.strip(), number.strip(), jurisdiction.strip().upper()
    errors = {name: f"Give the credential's {label}." for name, label, value in (
        ("type", "type", type_), ("number", "number", number), ("jurisdiction", "issuing jurisdiction", jurisdiction))
        if not value}
    for name, label, value, limit in (("type", "type", type_, 40), ("number", "number", number, 80)):
        if len(value) > limit:
            errors[name] = f"Keep the {label} under {limit} characters."
    if jurisdiction and "jurisdiction" not in errors and not JURISDICTION.match(jurisdiction):
        errors["jurisdiction"] = "Give a country code, or country and state, e.g. US or US-CA."
    if errors:
        raise ValidationFailed(errors)
    return type_, number, jurisdiction


def _not_own(work: Work, user_id: uuid.UUID, what: str) -> None:
    # Credentials, disciplines and modalities decide which sessions and notes a practitioner may take on:
    # like roles, another admin changes them, and the change is audited under their name.
    if user_id == work.actor.user_id:
        raise ValidationFailed({what: "You cannot change your own; ask another admin."})


def _duplicate(work: Work, user_id: uuid.UUID, type_: str, jurisdiction: str, other_than: uuid.UUID | None) -> None:
    stmt = select(Credential.id).where(Credential.user_id == user_id, Credential.type == type_,
                                       Credential.jurisdiction == jurisdiction)
    if other_than is not None:
        stmt = stmt.where(Credential.id != other_than)
    if work.db.scalar(stmt) is not None:
        raise ValidationFailed({"type": "This person already holds this credential in that jurisdiction."})


def add_credential(work: Work, user_id: uuid.UUID, type_: str, number: str, jurisdiction: str,
                   expires_on: dt.date | None) -> Credential:
    work.require("user.manage")
    if work.db.get(User, user_id) is None:
        raise NotFound("no such user")
    _not_own(work, user_id, "type")
    type_, number, jurisdiction = _credential_fields(type_, number, jurisdiction)
    _duplicate(work, user_id, type_, jurisdiction, None)
    credential = Credential(user_id=user_id, type=type_, number=number, jurisdiction=jurisdiction,
                            expires_on=expires_on)
    work.db.add(credential)
    work.db.flush()
    work.audit("credential.add", record_type="credential", record_id=credential.id)
    return credential


def _credential(work: Work, user_id: uuid.UUID, credential_id: uuid.UUID) -> Credential:
    work.require("user.manage")
    credential = work.db.get(Credential, credential_id)
    if credential is None or credential.user_id != user_id:
        raise NotFound("no such credential")
    return credential


def update_credential(work: Work, user_id: uuid.UUID, credential_id: uuid.UUID, type_: str, number: str,
                      jurisdiction: str, expires_on: dt.date | None) -> Credential:
    """Correct or renew a credential: a renewed licence keeps its row with the new number and expiry.

    The eligibility check reads type, jurisdiction and expiry on the session's day, so the change applies
    to every later booking and check-in at once.
    """
    credential = _credential(work, user_id, credential_id)
    _not_own(work, user_id, "type")
    type_, number, jurisdiction = _credential_fields(type_, number, jurisdiction)
    _duplicate(work, user_id, type_, jurisdiction, credential.id)
    changed = [name for name, old, new in (("type", credential.type, type_), ("number", credential.number, number),
                                           ("jurisdiction", credential.jurisdiction, jurisdiction),
                                           ("expiry", credential.expires_on, expires_on)) if old != new]
    if changed:
        credential.type, credential.number, credential.jurisdiction = type_, number, jurisdiction
        credential.expires_on = expires_on
        work.db.flush()
        work.audit("credential.update", record_type="credential", record_id=credential.id,
                   reason=f"changed: {', '.join(changed)}")
    return credential


def remove_credential(work: Work, user_id: uuid.UUID, credential_id: uuid.UUID) -> None:
    """Remove a credential recorded in error or given up (an expired one can simply stay, shown as expired)."""
    credential = _credential(work, user_id, credential_id)
    _not_own(work, user_id, "credential")
    work.audit("credential.remove", record_type="credential", record_id=credential.id,
               reason=f"{credential.type} {credential.jurisdiction}")
    work.db.delete(credential)
    work.db.flush()


def disciplines(work: Work) -> list[str]:
    """The disciplines of the installed modalities: what a practitioner's disciplines are chosen from."""
    return sorted({m.discipline for m in work.registry.modalities})


def set_practice(work: Work, user_id: uuid.UUID, chosen_disciplines: list[str], modalities: list[str]) -> User:
    """What a practitioner practises (disciplines) and offers (modalities).

    Disciplines decide which notes they write and read; modalities what they are booked for. Each
    modality offered needs its discipline, or the practitioner could be booked for sessions whose
    notes they may not write.
    """
    work.require("user.manage")
    user = work.db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    _not_own(work, user_id, "disciplines")
    known = set(disciplines(work)) | set(user.disciplines or ())
    unknown = [d for d in chosen_disciplines if d not in known]
    if unknown:
        raise ValidationFailed({"disciplines": "Choose disciplines from the list."})
    offered = [work.registry.modalities.get(m) for m in modalities]
    if any(m is None for m in offered):
        raise ValidationFailed({"modalities": "Choose modalities from the list."})
    missing = [m for m in offered if m.discipline not in chosen_disciplines]
    if missing:
        names = ", ".join(f"{m.name} needs {m.discipline.replace('-', ' ')}" for m in missing)
        raise ValidationFailed({"modalities": f"{names}: tick it under Disciplines, or leave the modality out."})
    new_disciplines, new_modalities = sorted(set(chosen_disciplines)), sorted(set(modalities))
    if (sorted(user.disciplines or ()), sorted(user.modalities or ())) != (new_disciplines, new_modalities):
        user.disciplines, user.modalities = new_disciplines, new_modalities
        work.db.flush()
        work.audit("user.practice", record_type="user", record_id=user.id,
                   reason=f"disciplines: {', '.join(new_disciplines) or 'none'}; "
                          f"modalities: {', '.join(new_modalities) or 'none'}")
    return user


def authenticate(work: Work, username: str, password: str) -> User | None:
    """The active user with this username and password, else None (same cost either way)."""
    user = work.db.query(User).filter_by(username=username.strip().lower()).first()
    try:
        ok = _hasher.verify(user.password_hash if user and user.password_hash else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None or not ok or not user.active:
        work.audit("auth.login", record_type="user", outcome="failed", reason="bad credentials")
        return None
    work.audit("auth.login", record_type="user", record_id=user.id)
    return user


def practitioners(work: Work) -> list[Any]:
    """Active practitioners and supervisors (id, name, disciplines) for pickers; no clinical data."""
    work.require("schedule.read")
    rows = work.db.execute(select(User.id, User.display_name, User.disciplines, User.roles)
                           .where(User.active.is_(True)).order_by(User.display_name)).all()
    # Roles are a JSON list; the staff table is small, so filtering here beats dialect-specific JSON SQL.
    return [r for r in rows if {"practitioner", "supervisor"} & set(r.roles)]


def list_users(work: Work) -> list[Any]:
    """Every staff account, as the columns the users page shows."""
    work.require("user.manage")
    rows = list(work.db.execute(
        select(User.id, User.username, User.display_name, User.roles, User.active, User.disciplines)
        .order_by(User.active.desc(), User.display_name)
    ).all())
    work.audit("user.list", record_type="user")
    return rows


def get_user(work: Work, user_id: uuid.UUID) -> User:
    work.require("user.manage")
    user = work.db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    work.audit("user.read", record_type="user", record_id=user.id)
    return user


def credentials_of(work: Work, user_id: uuid.UUID) -> list[Any]:
    work.require("user.manage")
    return list(work.db.execute(
        select(Credential.id, Credential.type, Credential.number, Credential.jurisdiction, Credential.expires_on)
        .where(Credential.user_id == user_id).order_by(Credential.type, Credential.jurisdiction)
    ).all())


def supervisors(work: Work) -> list[Any]:
    """Active users who may supervise, for choosing a trainee's supervisor."""
    work.require("user.manage")
    rows = work.db.execute(select(User.username, User.display_name, User.roles).where(User.active.is_(True))
                           .order_by(User.display_name)).all()
    return [r for r in rows if Role.supervisor.value in (r.roles or [])]


def set_active(work: Work, user_id: uuid.UUID, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated user's sessions stop at their next request.

    Nobody deactivates themselves, so a center cannot lock out its last admin by a slip.
    """
    work.require("user.manage")
    user = work.db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    if not active and user.id == work.actor.user_id:
        raise Conflict("you cannot deactivate your own account")
    if user.active != active:
        user.active = active
        work.db.flush()
        work.audit("user.activate" if active else "user.deactivate", record_type="user", record_id=user.id)
    return user


class RolesInput(BaseModel):
    roles: StaffRoles = Field(min_length=1)


def set_roles(work: Work, user_id: uuid.UUID, roles: list[str]) -> User:
    """Change a user's roles; an admin cannot take their own admin role away (someone must remain)."""
    work.require("user.manage")
    user = work.db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    values = parse(RolesInput, {"roles": roles})
    new = sorted({r.value for r in values.roles})
    if user.id == work.actor.user_id and Role.admin.value in user.roles and Role.admin.value not in new:
        raise ValidationFailed({"roles": "You cannot remove your own admin role; ask another admin."})
    if user.id == work.actor.user_id and set(new) - set(user.roles):
        # A role given to oneself (practitioner, say) would open clinical records with no break-the-glass,
        # no reason and nothing to review: another admin grants it, and the change is audited under their name.
        raise ValidationFailed({"roles": "You cannot give yourself a role; ask another admin."})
    if sorted(user.roles) != new:
        before = ",".join(sorted(user.roles))
        user.roles = new
        work.db.flush()
        work.audit("user.roles", record_type="user", record_id=user.id, reason=f"{before} -> {','.join(new)}")
    return user
