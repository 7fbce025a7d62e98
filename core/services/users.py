"""Staff accounts, roles, credentials and supervision."""

from __future__ import annotations

import datetime as dt
import functools
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


def add_credential(work: Work, user_id: uuid.UUID, type_: str, number: str, jurisdiction: str,
                   expires_on: dt.date | None) -> Credential:
    work.require("user.manage")
    if work.db.get(User, user_id) is None:
        raise NotFound("no such user")
    errors = {name: f"Give the credential's {label}." for name, label, value in (
        ("type", "type", type_), ("number", "number", number), ("jurisdiction", "issuing jurisdiction", jurisdiction))
        if not value.strip()}
    if errors:
        raise ValidationFailed(errors)
    if len(type_.strip()) > 40 or len(number.strip()) > 80 or len(jurisdiction.strip()) > 20:
        raise ValidationFailed({"type": "Keep the type under 40, the number under 80 and the jurisdiction under "
                                        "20 characters."})
    duplicate = work.db.scalar(select(Credential.id).where(Credential.user_id == user_id,
                                                           Credential.type == type_.strip(),
                                                           Credential.jurisdiction == jurisdiction.strip().upper()))
    if duplicate is not None:
        raise ValidationFailed({"type": "This person already holds this credential in that jurisdiction."})
    credential = Credential(user_id=user_id, type=type_.strip(), number=number.strip(),
                            jurisdiction=jurisdiction.strip().upper(), expires_on=expires_on)
    work.db.add(credential)
    work.db.flush()
    work.audit("credential.add", record_type="credential", record_id=credential.id)
    return credential


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
