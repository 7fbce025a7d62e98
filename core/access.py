"""Who may do what: declared actions, per-role scopes, deny by default.

Evaluation order for ``decide``:

1. The action must be declared in ``POLICY``; an unknown action is denied.
2. One of the actor's roles must grant it, with a scope:
   ``any`` (every client), ``team`` (clients whose care team includes the
   actor), ``supervised`` (``team``, or a supervisee is on the care team),
   ``glass`` (an admin's active break-the-glass grant for that client),
   ``own`` (a portal identity: only the one client its link was issued for).
3. Plugins may then narrow, never widen: any ``PermissionRule(allow=False)``
   denies, and a permission hook that raises counts as a denial (done by
   ``Practice.require``).

Every scope is also a SQL condition (``client_filter``), so list pages are
filtered by the same rules as single records.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, or_, select, true, union
from sqlalchemy.orm import Session as DbSession

from polymodal.core.db import connection_of
from polymodal.core.models import BreakGlassGrant, CareTeamMember, Client, User


class Role(StrEnum):
    admin = "admin"
    front_desk = "front_desk"
    practitioner = "practitioner"
    supervisor = "supervisor"
    biller = "biller"
    portal_client = "portal_client"


class Scope(StrEnum):
    any = "any"
    team = "team"
    supervised = "supervised"
    glass = "glass"
    own = "own"


_CLINICAL_READ = {Role.practitioner: Scope.team, Role.supervisor: Scope.supervised, Role.admin: Scope.glass}
_DEMOGRAPHICS = {Role.front_desk: Scope.any, Role.admin: Scope.any, Role.biller: Scope.any,
                 Role.practitioner: Scope.team, Role.supervisor: Scope.supervised}
# Money and who, never notes: a biller reads demographics and billing, and no clinical action grants it.
_BILLING = {Role.front_desk: Scope.any, Role.biller: Scope.any}

POLICY: dict[str, dict[Role, Scope]] = {
    "client.create": {Role.front_desk: Scope.any, Role.practitioner: Scope.any, Role.supervisor: Scope.any},
    "client.read": _DEMOGRAPHICS,
    "client.update": {Role.front_desk: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    "care_team.manage": {Role.front_desk: Scope.any, Role.admin: Scope.any, Role.supervisor: Scope.supervised},
    "case.manage": {Role.front_desk: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    "schedule.read": {r: Scope.any for r in Role},
    "session.manage": {Role.front_desk: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    # Whether a consent is signed, by whom, and until when: the front desk checks it before every session.
    "consent.status": {**_DEMOGRAPHICS, Role.admin: Scope.glass},
    # What a consent says: answers such as what a release of information discloses, to whom, and
    # whether substance-use or HIV records are included. That is clinical: the care team's, not the desk's.
    "consent.read": {Role.practitioner: Scope.team, Role.supervisor: Scope.supervised, Role.admin: Scope.glass},
    "consent.record": {Role.front_desk: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    "clinical.read": _CLINICAL_READ,
    "clinical.write": {Role.practitioner: Scope.team, Role.supervisor: Scope.team},
    "note.cosign": {Role.supervisor: Scope.supervised},
    # Going ahead despite an exclusion, a missing clearance or screening is a supervisor's clinical call.
    "eligibility.override": {Role.supervisor: Scope.supervised},
    "center.manage": {Role.admin: Scope.any},
    "user.manage": {Role.admin: Scope.any},
    "availability.manage": {Role.front_desk: Scope.any, Role.admin: Scope.any},
    "audit.read": {Role.admin: Scope.any},
    "plugins.read": {Role.admin: Scope.any},
    "portal.prepare": {Role.front_desk: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    "portal.submit": {Role.portal_client: Scope.own},
    "break_glass.grant": {Role.admin: Scope.any},
    "break_glass.review": {Role.admin: Scope.any, Role.supervisor: Scope.any},
    "record.export": {Role.admin: Scope.glass, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    "record.erase": {Role.admin: Scope.any},
    "billing.read": _BILLING,
    "billing.manage": _BILLING,
    "billing.configure": {Role.admin: Scope.any, Role.biller: Scope.any},
    "billing.report": {Role.admin: Scope.any, Role.biller: Scope.any},
    # A superbill carries diagnosis codes, which the front desk has no need to see.
    "superbill.create": {Role.biller: Scope.any, Role.practitioner: Scope.team, Role.supervisor: Scope.supervised},
    # Messaging: the outbox, message templates and reminder settings; a room's calendar feed.
    "messages.manage": {Role.admin: Scope.any},
    "room_feed.manage": {Role.admin: Scope.any, Role.front_desk: Scope.any},
    # Every staff role may hold tokens of its own: a token acts with exactly its holder's access.
    "api_token.own": {Role.front_desk: Scope.any, Role.admin: Scope.any, Role.practitioner: Scope.any,
                      Role.supervisor: Scope.any, Role.biller: Scope.any},
    "center.export": {Role.admin: Scope.any},
    "client.import": {Role.front_desk: Scope.any},
    # Retention: the list of records due for destruction (names and dates, never content), legal holds, and
    # destruction itself. An admin's work, like erasure; none of it reads clinical content.
    "retention.review": {Role.admin: Scope.any},
    "legal_hold.manage": {Role.admin: Scope.any},
    "retention.destroy": {Role.admin: Scope.any},
}
"""Declared actions. ``clinical.*`` covers notes, intake answers and assessments."""


@dataclass(frozen=True)
class Actor:
    """The person acting; built from the signed-in user, never from request parameters."""

    user_id: uuid.UUID | None
    """The signed-in user's id; None for the system (CLI, demo loader) and portal identities."""
    username: str
    """The user's sign-in name, or ``system`` / ``portal/client:<id>``; the name the audit trail records."""
    roles: frozenset[str]
    """Role names: admin, front_desk, practitioner, supervisor, biller, portal_client (or system)."""
    display_name: str = ""
    """The name people see."""
    disciplines: frozenset[str] = frozenset()
    """The ``ModalitySpec.discipline`` values the user practises: who may write a discipline's notes, and who
    reads notes of visibility ``discipline``."""
    origin: str = ""
    """Where the request came from (the client address), for the audit trail."""
    client_id: uuid.UUID | None = None
    """For a portal identity: the one client it acts for (from the link, never a parameter)."""
    guardian_id: uuid.UUID | None = None
    """For a portal identity issued to a guardian: that guardian."""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The CLI and the demo loader: audited under their own name, no roles."""
        return cls(user_id=None, username=name, roles=frozenset({"system"}))

    @classmethod
    def of(cls, user: User, origin: str = "") -> Actor:
        return cls(
            user_id=user.id,
            username=user.username,
            roles=frozenset(user.roles),
            display_name=user.display_name,
            disciplines=frozenset(user.disciplines),
            origin=origin,
        )

    @classmethod
    def portal(cls, client_id: uuid.UUID, guardian_id: uuid.UUID | None, origin: str = "") -> Actor:
        who = f"guardian:{guardian_id}" if guardian_id else f"client:{client_id}"
        return cls(user_id=None, username=f"portal/{who}"[:120], roles=frozenset({Role.portal_client.value}),
                   origin=origin, client_id=client_id, guardian_id=guardian_id)

    @property
    def is_portal(self) -> bool:
        return Role.portal_client.value in self.roles

    @property
    def is_system(self) -> bool:
        return "system" in self.roles

    @property
    def role_label(self) -> str:
        return ",".join(sorted(self.roles))


@dataclass(frozen=True)
class AccessRequest:
    """What an access check asks: may the actor do ``action`` on this client or record?"""

    action: str
    """A declared action, e.g. ``note.read`` or ``schedule.read`` (``polymodal.core.access.POLICY``)."""
    client_id: uuid.UUID | None = None
    """The client concerned, if any."""
    record_type: str = ""
    """The kind of record concerned, e.g. ``note``; empty for a page-level check."""
    record_id: str = ""
    """The record's id, if any."""
    attrs: dict[str, Any] = field(default_factory=dict)
    """Facts about the record that the rules read (e.g. a note's author and visibility)."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def scopes_for(actor: Actor, action: str) -> frozenset[Scope]:
    return _scopes(frozenset(actor.roles), action)


@functools.lru_cache(maxsize=4096)
def _scopes(roles: frozenset[str], action: str) -> frozenset[Scope]:
    # Remembered: a page asks this a dozen times, and building Role members was 6 % of the client search's CPU.
    # POLICY is fixed when the module loads, so an answer never goes stale.
    grants = POLICY.get(action, {})
    return frozenset(grants[Role(r)] for r in roles if r in Role.__members__ and Role(r) in grants)


def decide(db: DbSession, actor: Actor, request: AccessRequest, now: dt.datetime,
           memo: dict[Any, bool] | None = None) -> Decision:
    """The core's own decision (before plugin rules).

    ``memo`` keeps which clients were visible under which scopes, for work
    that changes nothing: a client page asks about one client for a dozen
    actions, most of them granted by the same scopes, so one query answers them.
    """
    if actor.is_system:
        return Decision(True, "system")
    if request.action not in POLICY:
        return Decision(False, f"undeclared action '{request.action}'")
    scopes = scopes_for(actor, request.action)
    if not scopes:
        return Decision(False, "no role grants this action")
    if request.client_id is None:
        # Without a client the request is for a list, which client_filter narrows.
        return Decision(True, "role")
    shape = filter_shape(actor, request.action)
    key = (shape, request.client_id)
    visible = memo.get(key) if memo is not None else None
    if visible is None:
        visible = bool(connection_of(db).scalar(_probe(shape), {"client_id": request.client_id,
                                                              **filter_values(actor, now)}))
        if memo is not None:
            memo[key] = visible
    return Decision(True, "care relationship") if visible else Decision(False, "no care relationship")


RESTRICTION_EXEMPT = frozenset({"record.export", "record.erase", "audit.read", "retention.review",
                                "legal_hold.manage", "retention.destroy"})
"""A client who asked for erasure is restricted: only these actions still reach the record."""


def client_filter(actor: Actor, action: str, now: dt.datetime) -> ColumnElement[bool]:
    """SQL condition on ``Client``: the clients ``actor`` may ``action``."""
    return _client_condition(filter_shape(actor, action), actor.user_id, actor.client_id, now)


def reachable_client_ids(actor: Actor, action: str, now: dt.datetime) -> Any:
    """The ids of every client ``client_filter(actor, action, now)`` may let through, as a subquery that starts
    from the actor (their care teams, their supervisees', their grants); None when a scope reaches every client.

    For a statement over a table of every client's records, beside ``client_filter``, never instead of it. Given
    the filter alone, SQLite walked all 100,000 form responses and asked of each whether its client is on the
    actor's team: 120 ms a statement, four of them on a practitioner's start page. Given these ids too, it reads
    the records of those clients only. The filter still decides (a restricted record stays out).
    """
    if actor.is_system:
        return None
    scopes = scopes_for(actor, action)
    if Scope.any in scopes:
        return None
    parts: list[Select[Any]] = []
    if Scope.team in scopes or Scope.supervised in scopes:  # a supervisor's own teams: once, whichever roles
        parts.append(select(CareTeamMember.client_id).where(CareTeamMember.user_id == actor.user_id))
    if Scope.supervised in scopes:
        supervisees = select(User.id).where(User.supervisor_id == actor.user_id)
        parts.append(select(CareTeamMember.client_id).where(CareTeamMember.user_id.in_(supervisees)))
    if Scope.own in scopes and actor.client_id is not None:
        parts.append(select(Client.id).where(Client.id == actor.client_id))
    if Scope.glass in scopes:
        parts.append(select(BreakGlassGrant.client_id).where(
            BreakGlassGrant.user_id == actor.user_id, BreakGlassGrant.granted_at <= now,
            BreakGlassGrant.expires_at > now))
    if not parts:
        return select(Client.id).where(false())
    return parts[0] if len(parts) == 1 else union(*parts)


FilterShape = tuple[bool, frozenset[Scope], bool, bool]
"""What ``bound_client_filter`` builds from: system actor, scopes, restriction exempt, has an own client."""


def filter_shape(actor: Actor, action: str) -> FilterShape:
    """The shape of ``client_filter(actor, action, …)``: equal shapes differ only in the values bound."""
    return actor.is_system, scopes_for(actor, action), action in RESTRICTION_EXEMPT, actor.client_id is not None


def filter_values(actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """The values ``bound_client_filter`` leaves as parameters: ``user_id``, ``own_id`` and ``now``."""
    return {"user_id": actor.user_id, "own_id": actor.client_id, "now": now}


def bound_client_filter(shape: FilterShape) -> ColumnElement[bool]:
    """``client_filter`` with the actor's ids and the time as bound parameters (``filter_values``).

    For statements built once per shape and kept: a statement built anew has its cache key computed again,
    and the filter's subqueries made that most of an access check's cost (issue 18)."""
    # A bound parameter takes the type of the column it is compared with.
    return _client_condition(shape, bindparam("user_id"), bindparam("own_id"), bindparam("now"))


def _client_condition(shape: FilterShape, user_id: Any, own_id: Any, now: Any) -> ColumnElement[bool]:
    """The clients a check of this shape reaches, given the actor's ids and the time as values or parameters."""
    system, scopes, exempt, has_own = shape
    if system:
        return true()
    allowed = _scopes_condition(scopes, user_id, own_id if has_own else None, now)
    return allowed if exempt else and_(allowed, Client.restricted.is_(False))


def _scopes_condition(scopes: frozenset[Scope], user_id: Any, own_id: Any, now: Any) -> ColumnElement[bool]:
    """The clients any of ``scopes`` reaches."""
    conditions: list[ColumnElement[bool]] = []
    for scope in sorted(scopes):
        if scope is Scope.any:
            return true()
        if scope is Scope.team:
            conditions.append(_on_team(user_id))
        elif scope is Scope.supervised:
            conditions.append(_on_team(user_id))
            supervisees = select(User.id).where(User.supervisor_id == user_id)
            conditions.append(exists().where(CareTeamMember.client_id == Client.id,
                                             CareTeamMember.user_id.in_(supervisees)))
        elif scope is Scope.own:
            conditions.append(Client.id == own_id if own_id is not None else false())
        elif scope is Scope.glass:
            conditions.append(exists().where(BreakGlassGrant.client_id == Client.id,
                                             BreakGlassGrant.user_id == user_id,
                                             BreakGlassGrant.granted_at <= now,
                                             BreakGlassGrant.expires_at > now))
    return or_(*conditions) if conditions else false()


def _on_team(user_id: Any) -> ColumnElement[bool]:
    return exists().where(and_(CareTeamMember.client_id == Client.id, CareTeamMember.user_id == user_id))


@functools.lru_cache(maxsize=256)
def _probe(shape: FilterShape) -> Select[Any]:
    """Whether one client is visible: one statement per shape of check (a client page makes three)."""
    return select(exists().where(Client.id == bindparam("client_id"), bound_client_filter(shape)))
