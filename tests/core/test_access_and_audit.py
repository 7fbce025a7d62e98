"""Deny by default, audit of reads/changes/denials, and a tamper-evident chain."""

import types

import pytest
from sqlalchemy import select, text

from polymodal.core import audit
from polymodal.core.access import POLICY, AccessRequest, Actor, decide
from polymodal.core.api import PermissionRule, hookimpl
from polymodal.core.errors import AccessDenied
from polymodal.core.models import AuditEvent, PluginErrorRecord
from polymodal.core.services import assessments, cases, clients


@pytest.fixture
def client(practice, staff):
    with practice.work(staff["desk"]) as work:
        c = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                           "date_of_birth": "1990-01-01"})
        cases.open_case(work, title="Ada", kind="individual", client_ids=[c.id],
                        practitioner_ids=[staff["trainee"].user_id])
    return c


ANSWERS = {"i1": "1", "i2": "1", "risk": "0"}


def events(practice, **where):
    with practice.work(Actor.system("test"), write=False) as work:
        stmt = select(AuditEvent).order_by(AuditEvent.seq)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(work.db.scalars(stmt))


@pytest.mark.parametrize("who, allowed", [
    ("trainee", True), ("super", True), ("other", False), ("desk", False), ("admin", False), ("masseur", False),
])
def test_clinical_access_follows_the_care_team_and_supervision(practice, staff, client, who, allowed):
    with practice.work(staff[who]) as work:
        if allowed:
            assessments.results_of(work, client.id)
        else:
            with pytest.raises(AccessDenied):
                assessments.results_of(work, client.id)
    outcomes = [e.outcome for e in events(practice, action="clinical.read" if not allowed else "assessment.list")]
    assert outcomes == (["success"] if allowed else ["denied"])


def test_unknown_actions_and_roles_are_denied(practice, staff, client):
    with practice.work(staff["super"]) as work:
        assert not decide(work.db, staff["super"], AccessRequest("note.delete", client.id), work.now).allowed
        stranger = Actor(user_id=None, username="x", roles=frozenset({"janitor"}))
        for action in POLICY:
            assert not decide(work.db, stranger, AccessRequest(action, client.id), work.now).allowed


def test_every_change_and_clinical_read_is_audited_without_clinical_text(practice, staff, client):
    with practice.work(staff["trainee"]) as work:
        result = assessments.record_assessment(work, client.id, "clinic/mini",
                                               {"i1": "3", "i2": "3", "risk": "2"})
        assert (result.total, result.band, [f["code"] for f in result.flags]) == (8, "high", ["risk"])
        assessments.results_of(work, client.id)
    rows = events(practice, client_id=client.id)
    actions = [e.action for e in rows]
    assert actions[-2:] == ["assessment.record", "assessment.list"]
    last = rows[-2]
    assert (last.actor_name, last.actor_role, last.origin, last.outcome) == (
        "trainee", "practitioner", "127.0.0.1", "success")
    assert last.at.tzinfo is not None
    assert all("3" not in (e.reason or "").replace("clinic/mini@1", "") for e in rows)


def test_plugin_rules_can_only_narrow_and_fail_closed(make_practice, staff, client, practice, load_plugin):
    deny = types.ModuleType("deny")
    deny.polymodal_permission_rules = hookimpl(
        lambda actor, request: PermissionRule(allow=False, reason="no") if request.action == "clinical.read" else None)
    broken = types.ModuleType("broken")

    def polymodal_permission_rules(actor, request):
        raise RuntimeError("bug in plugin")

    broken.polymodal_permission_rules = hookimpl(polymodal_permission_rules)
    allow_all = types.ModuleType("allow")
    allow_all.polymodal_permission_rules = hookimpl(lambda actor, request: PermissionRule(allow=True, reason="y"))
    clinic = load_plugin("clinic")
    for extra, expected in ((deny, False), (broken, False), (allow_all, True)):
        p = make_practice(("clinic", clinic), (extra.__name__, extra))
        with p.work(staff["trainee"]) as work:
            if expected:
                assessments.results_of(work, client.id)
            else:
                with pytest.raises(AccessDenied):
                    assessments.results_of(work, client.id)
    p = make_practice(("clinic", clinic), ("allow", allow_all))
    with p.work(staff["desk"]) as work, pytest.raises(AccessDenied):  # allow cannot widen
        assessments.results_of(work, client.id)
    with practice.work(Actor.system("t"), write=False) as work:
        errors = list(work.db.scalars(select(PluginErrorRecord)))
    assert [(e.plugin, e.hook) for e in errors] == [("broken", "polymodal_permission_rules")]
    assert "bug in plugin" in errors[0].error


def tamper(practice, sql):
    dialect = practice.engine.dialect.name
    with practice.engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER trg_audit_append_only_update"))
            conn.execute(text("DROP TRIGGER trg_audit_append_only_delete"))
        for statement in sql:
            conn.execute(text(statement))
        if dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def verify(practice):
    with practice.work(Actor.system("t"), write=False) as work:
        return audit.verify(work.db, batch=3)


@pytest.mark.parametrize("kind, sql", [
    ("altered", ["UPDATE audit_events SET actor_name = 'someone' WHERE seq = 3"]),
    ("deleted", ["DELETE FROM audit_events WHERE seq = 3"]),
    ("inserted", ["INSERT INTO audit_events (seq, at, actor_name, actor_role, action, record_type, record_id, "
                  "outcome, reason, origin, prev_hash, hash) SELECT 10000, at, actor_name, actor_role, action, "
                  "record_type, record_id, outcome, reason, origin, prev_hash, hash FROM audit_events WHERE seq = 2",
                  "UPDATE audit_events SET seq = seq + 20000 WHERE seq >= 3",
                  "UPDATE audit_events SET seq = 3 WHERE seq = 10000"]),
    ("reordered", ["UPDATE audit_events SET seq = -1 WHERE seq = 2",
                   "UPDATE audit_events SET seq = 2 WHERE seq = 3",
                   "UPDATE audit_events SET seq = 3 WHERE seq = -1"]),
])
def test_audit_verify_detects_tampering(practice, staff, client, kind, sql):
    assert verify(practice).ok
    tamper(practice, sql)
    result = verify(practice)
    assert not result.ok
    assert result.problems[0].seq in (2, 3, 4, 20003, 20004)


def test_the_database_refuses_to_change_audit_events(practice, staff, client):
    for statement in ("UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"), practice.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_check_sees_the_care_team_change_its_own_work_has_not_flushed(practice, staff, client):
    # Checks run a kept statement on the connection, outside the ORM's autoflush: connection_of flushes first.
    from polymodal.core.models import CareTeamMember

    request = AccessRequest("clinical.read", client.id)
    with practice.work(Actor.system("test")) as work:
        assert not decide(work.db, staff["other"], request, work.now).allowed
        work.db.add(CareTeamMember(client_id=client.id, user_id=staff["other"].user_id, added_at=work.now))
        assert decide(work.db, staff["other"], request, work.now).allowed
