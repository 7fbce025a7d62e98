"""Clients: registration, demographics, guardians and care teams."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator
from sqlalchemy import Integer, bindparam, select

from polymodal.core.access import Scope, scopes_for
from polymodal.core.contributions import ConsentDocument
from polymodal.core.db import connection_of
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.minors import signs_alone_from
from polymodal.core.models import CareTeamMember, Client, Guardian, User, make_search_key
from polymodal.core.practice import Work
from polymodal.core.search import index as search_index
from polymodal.core.search.terms import digits, fold, query_words, words
from polymodal.core.services.center import parse
from polymodal.core.timeutil import age_on, today_in

Name = Field(min_length=1, max_length=100)
PHONE_HINT = {"hint": "use digits, spaces and + ( ) - . only"}


class ClientInput(BaseModel):
    legal_first_name: str = Name
    legal_last_name: str = Name
    preferred_name: str = Field(default="", max_length=100)
    pronouns: str = Field(default="", max_length=40)
    date_of_birth: dt.date
    email: EmailStr | None = None
    phone: str = Field(default="", max_length=40, pattern=r"^[0-9 +().-]*$", json_schema_extra=PHONE_HINT)
    address: str = Field(default="", max_length=500)
    emergency_contact_name: str = Field(default="", max_length=200)
    emergency_contact_phone: str = Field(default="", max_length=40, pattern=r"^[0-9 +().-]*$", json_schema_extra=PHONE_HINT)
    emergency_contact_relationship: str = Field(default="", max_length=80)

    @field_validator("legal_first_name", "legal_last_name", "preferred_name", "pronouns", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        # "Today" is the practice's, passed in by the service: never the server's wall clock.
        if value > info.context["today"] + dt.timedelta(days=1) or value.year < 1900:
            raise ValueError("enter a date of birth in the past (YYYY-MM-DD)")
        return value


class GuardianInput(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=80)
    email: EmailStr | None = None
    phone: str = Field(default="", max_length=40, pattern=r"^[0-9 +().-]*$", json_schema_extra=PHONE_HINT)
    can_consent: bool = True


def age(work: Work, client: Client) -> int:
    return age_on(client.date_of_birth, today_in(work.center.timezone, work.now))


def is_minor(work: Work, client: Client) -> bool:
    """Minor or adult on today's date in the center's zone, at its jurisdiction's age of majority."""
    return age(work, client) < work.center.age_of_majority


def may_consent_alone(work: Work, client: Client, document: ConsentDocument | None) -> bool:
    """May the client sign ``document`` without a guardian? Adults may; a minor only a document of a kind
    the minor-consent law reaches (psychotherapy), from the center's minor-consent age (``core.minors``)."""
    if not is_minor(work, client):
        return True
    limit = signs_alone_from(work.center.minor_consent_age, document)
    return limit is not None and age(work, client) >= limit


def _apply(client: Client, values: ClientInput) -> None:
    data = values.model_dump()
    data["email"] = data["email"] or ""
    for key, value in data.items():
        setattr(client, key, value)
    client.search_key = make_search_key(values.legal_last_name, values.legal_first_name, values.preferred_name)


def check_client(work: Work, data: dict[str, Any]) -> None:
    """Raise ValidationFailed, naming each field, if ``data`` would not register (nothing is written)."""
    parse(ClientInput, data, {"today": work.now.date()})


def register_client(work: Work, data: dict[str, Any], *, care_team: list[uuid.UUID] = ()) -> Client:
    work.require("client.create")
    values = parse(ClientInput, data, {"today": work.now.date()})
    client = Client(search_key="")
    _apply(client, values)
    work.db.add(client)
    work.db.flush()
    work.audit("client.create", record_type="client", record_id=client.id, client_id=client.id)
    for user_id in care_team:
        join_care_team(work, client.id, user_id)
    if work.actor.user_id and "practitioner" in work.actor.roles and work.actor.user_id not in care_team:
        # A practitioner who registers a client is treating them.
        join_care_team(work, client.id, work.actor.user_id)
    return client


def update_client(work: Work, client_id: uuid.UUID, data: dict[str, Any]) -> Client:
    client = _get(work, client_id, "client.update")
    _apply(client, parse(ClientInput, data, {"today": work.now.date()}))
    work.db.flush()
    work.audit("client.update", record_type="client", record_id=client.id, client_id=client.id)
    return client


def get_client(work: Work, client_id: uuid.UUID) -> Client:
    client = _get(work, client_id, "client.read")
    work.audit("client.view", record_type="client", record_id=client.id, client_id=client.id)
    return client


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """A client's own fields, read as columns: what a page shows of the client, for less than the ORM's load
    (the client page read the client, its guardians and its care team through the ORM: a third of its CPU)."""

    id: uuid.UUID
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: dt.date
    email: str
    phone: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relationship: str
    active: bool
    restricted: bool

    display_name = property(Client.display_name.fget)  # the model's own rule, on the same field names


_FACTS = select(*(getattr(Client, name) for name in ClientFacts.__slots__)).where(Client.id == bindparam("id"))


def read_client(work: Work, client_id: uuid.UUID) -> ClientFacts:
    """``get_client`` for pages that only show the client: the same check and audit event, no ORM object."""
    row = connection_of(work.db).execute(_FACTS, {"id": client_id}).first()
    if row is None:
        raise NotFound("no such client")
    work.require("client.read", client_id, record_type="client", record_id=client_id)
    work.audit("client.view", record_type="client", record_id=client_id, client_id=client_id)
    return ClientFacts(*row)


_GUARDIANS = (select(Guardian.id, Guardian.name, Guardian.relationship_.label("relationship_"), Guardian.email,
                     Guardian.phone, Guardian.can_consent)
              .where(Guardian.client_id == bindparam("id")).order_by(Guardian.name))


def guardians_of(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The client's guardians as rows, by name (``client.read``)."""
    work.require("client.read", client_id, record_type="client", record_id=client_id)
    return connection_of(work.db).execute(_GUARDIANS, {"id": client_id}).all()


def _get(work: Work, client_id: uuid.UUID, action: str) -> Client:
    client = work.db.get(Client, client_id)
    if client is None:
        raise NotFound("no such client")
    work.require(action, client.id, record_type="client", record_id=client.id)
    return client


def add_guardian(work: Work, client_id: uuid.UUID, data: dict[str, Any]) -> Guardian:
    client = _get(work, client_id, "client.update")
    values = parse(GuardianInput, data)
    guardian = Guardian(client_id=client.id, name=values.name, relationship_=values.relationship,
                        email=values.email or "", phone=values.phone, can_consent=values.can_consent)
    work.db.add(guardian)
    work.db.flush()
    work.audit("guardian.add", record_type="guardian", record_id=guardian.id, client_id=client.id)
    return guardian


def add_to_care_team(work: Work, client_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Place a practitioner on the client's care team (``care_team.manage``).

    Nobody places themselves: care-team membership opens the clinical record without
    break-the-glass, so another person must make it, and is audited for it.
    """
    client = _get(work, client_id, "care_team.manage")
    if user_id == work.actor.user_id:
        raise ValidationFailed({"user_id": "You cannot add yourself to a care team; ask a colleague who manages it."})
    join_care_team(work, client.id, user_id)


def remove_from_care_team(work: Work, client_id: uuid.UUID, user_id: uuid.UUID, reason: str) -> None:
    """Take a member off the client's care team, with a reason (audited as ``care_team.remove``).

    Their access ends at once (team scope is membership); the notes they wrote stay in the record.
    """
    client = _get(work, client_id, "care_team.manage")
    member = work.db.get(CareTeamMember, (client.id, user_id))
    if member is None:
        raise NotFound("not on this care team")
    if not reason.strip() or len(reason) > 1000:
        raise ValidationFailed({"reason": "Say why they leave the care team (up to 1,000 characters)."})
    work.db.delete(member)
    work.db.flush()
    work.audit("care_team.remove", record_type="user", record_id=user_id, client_id=client.id,
               reason=reason.strip())


def on_care_team(work: Work, client_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
    """Whether ``user_id`` is on the client's care team (no check: for services deciding who may be named)."""
    return user_id is not None and work.db.get(CareTeamMember, (client_id, user_id)) is not None


def join_care_team(work: Work, client_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Put a practitioner on the care team (audited); the caller has already checked its own action."""
    user = work.db.get(User, user_id)
    if user is None or not ({"practitioner", "supervisor"} & set(user.roles)):
        raise ValidationFailed({"care_team": "Only practitioners and supervisors join a care team."})
    if work.db.get(CareTeamMember, (client_id, user_id)) is None:
        work.db.add(CareTeamMember(client_id=client_id, user_id=user_id, added_at=work.now))
        work.db.flush()
        work.audit("care_team.add", record_type="user", record_id=user_id, client_id=client_id)


_CARE_TEAM = (select(User.id, User.username, User.display_name)
              .join(CareTeamMember, CareTeamMember.user_id == User.id)
              .where(CareTeamMember.client_id == bindparam("id")).order_by(User.display_name))


def care_team(work: Work, client_id: uuid.UUID) -> list[Any]:
    """The care team's members (id, username, display name), by name (``client.read``)."""
    work.require("client.read", client_id, record_type="client", record_id=client_id)
    return connection_of(work.db).execute(_CARE_TEAM, {"id": client_id}).all()


def search_clients(work: Work, query: str = "", *, limit: int = 50, offset: int = 0) -> list[Any]:
    """Clients the actor may see matching every word typed (any part of a name, e-mail or phone), best first.

    Columns only, for list pages. Each word matches the start of a name word in any order ("sofi alv",
    "Marcus N"), accents and case ignored; a phone number matches any run of its trailing digits.
    """
    work.require("client.read")
    words = query_words(query[:100])
    dialect = work.db.get_bind().dialect.name
    params: dict[str, Any] = {"limit": min(max(limit, 1), 200), "offset": max(offset, 0)}
    if words:
        params["words"] = search_index.query_text(dialect, words)
        kind = "broad" if search_index.is_broad(work.db, params["words"]) else "ranked"
    else:
        kind = "all"
    # Columns, not objects: on the connection, without the ORM's loading (a fifth of the search's CPU).
    rows = work.db.connection().execute(_search_statement(work, dialect, kind), params).all()
    work.audit("client.search", record_type="client", reason=f"{len(rows)} results")
    return rows


_SEARCHES: dict[tuple[Any, ...], Any] = {}
"""Search statements by actor and kind, reused: building one, computing its cache key and matching its result
columns to the cached compilation cost a third of a search's CPU. Only the parameters change between searches."""


def _search_statement(work: Work, dialect: str, kind: str) -> Any:
    actor = work.actor
    # The access filter is the actor's (ids bound in it), so the key holds them. A break-the-glass scope
    # compares grants with this moment: that filter is built afresh each time.
    key = (dialect, kind, actor.user_id, actor.client_id, actor.roles)
    reusable = Scope.glass not in scopes_for(actor, "client.read")
    stmt = _SEARCHES.get(key) if reusable else None
    if stmt is None:
        stmt = select(Client.id, Client.legal_first_name, Client.legal_last_name, Client.preferred_name,
                      Client.pronouns, Client.date_of_birth, Client.email, Client.phone
                      ).where(work.client_filter("client.read"))
        if kind == "all":
            stmt = stmt.order_by(Client.search_key, Client.id)
        else:
            stmt = search_index.matching(stmt, dialect, bindparam("words"), broad=kind == "broad")
        stmt = stmt.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
        if reusable:
            if len(_SEARCHES) >= 4096:  # a bound, not a policy: a center has far fewer staff
                _SEARCHES.clear()
            _SEARCHES[key] = stmt
    return stmt


def likely_duplicates(work: Work, data: dict[str, Any], *, limit: int = 5) -> list[tuple[Any, str]]:
    """Clients the actor may see who look like the person about to be registered, each with the reason.

    Same folded first and last name and date of birth, the same e-mail, or the same phone number (its
    last ten digits); asked before a new record is made, so the front desk can open the existing one.
    """
    work.require("client.read")
    base = select(Client.id, Client.legal_first_name, Client.legal_last_name, Client.preferred_name,
                  Client.date_of_birth, Client.email, Client.phone).where(work.client_filter("client.read"))
    found: dict[uuid.UUID, tuple[Any, str]] = {}

    def look(words: list[str], reason: str, same: Any) -> None:
        if not words:
            return
        for row in work.db.execute(search_index.match(work.db, base, words).limit(50)):
            if same(row) and row.id not in found:
                found[row.id] = (row, reason)

    first, last = fold(str(data.get("legal_first_name", ""))).strip(), fold(str(data.get("legal_last_name", ""))).strip()
    dob = str(data.get("date_of_birth", "")).strip()
    if first and last and dob:
        look(words(f"{first} {last}"), "same name and date of birth",
             lambda r: r.date_of_birth.isoformat() == dob and fold(r.legal_last_name) == last
             and first in (fold(r.legal_first_name), fold(r.preferred_name)))
    email = fold(str(data.get("email", ""))).strip()
    if "@" in email:
        look(words(email), "same e-mail", lambda r: fold(r.email) == email)
    phone = digits(str(data.get("phone", "")))[-10:]
    if len(phone) >= 7:
        # "+1 555 0100" and "555 0100" are one number: compare whichever tail is shorter.
        look([phone[-7:]], "same phone", lambda r: len(digits(r.phone)) >= 7
             and (digits(r.phone).endswith(phone) or phone.endswith(digits(r.phone)[-10:])))
    matches = list(found.values())[:limit]
    if matches:
        work.audit("client.search", record_type="client", reason=f"{len(matches)} likely duplicates")
    return matches
