"""Safety plans (versions kept, access, audit, linked to a risk acknowledgement) and the portal's crisis text."""

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, Conflict, ValidationFailed
from polymodal.core.models import AuditEvent, RiskAcknowledgement
from polymodal.core.safety import crisis, plans
from polymodal.core.safety.models import SafetyPlan
from polymodal.core.services import assessments, cases, clients, forms
from tests.core.test_eligibility import practice_plugins  # noqa: F401  (the clinic and breath fixture plugins)

PLAN = {"warning_signs": "Not sleeping; pulling away from friends.", "coping_strategies": "Walk the dog.\nMusic.",
        "social_distractions": "Cafe on Main St; sister's house.", "people_to_ask": "Sam (sister) 555-0101",
        "professionals": "Dr. Rivera 555-0199; call or text 988; 911.",
        "safe_environment": "Medication kept by Sam; no firearms at home.",
        "reasons_for_living": "My daughter.", "reviewed_on": "2026-03-02"}


@pytest.fixture
def ada(practice, staff):
    """A client on the team of 'super' only."""
    with practice.work(staff["desk"]) as work:
        return register(work, "Ada", staff["super"].user_id)


def register(work, first, practitioner_id):
    client = clients.register_client(work, {"legal_first_name": first, "legal_last_name": "Tester",
                                            "date_of_birth": "1990-01-01"})
    cases.open_case(work, title=first, kind="individual", client_ids=[client.id], practitioner_ids=[practitioner_id])
    return client.id


def write(practice, actor, client_id, based_on=0, **changes):
    with practice.work(actor) as work:
        return plans.write(work, client_id, {**PLAN, **changes}, based_on=based_on).version


def audited(practice, prefix):
    with practice.work(Actor.system("t"), write=False) as work:
        return [e.action for e in work.db.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                                  .order_by(AuditEvent.seq))]


def test_a_revision_is_a_new_version_and_the_old_text_stays(practice, staff, ada):
    assert write(practice, staff["super"], ada) == 1
    assert write(practice, staff["super"], ada, based_on=1, warning_signs="Giving things away.",
                 change_note="New warning sign after the session of 2 March.") == 2
    with practice.work(staff["super"], write=False) as work:
        rows = plans.history(work, ada)
        assert [(r.SafetyPlan.version, r.SafetyPlan.warning_signs, r.author) for r in rows] == [
            (2, "Giving things away.", "Super"), (1, "Not sleeping; pulling away from friends.", "Super")]
        assert rows[1].SafetyPlan.coping_strategies == "Walk the dog.\nMusic."  # line breaks kept
        assert plans.current(work, ada).version == 2
    assert audited(practice, "safety_plan.") == ["safety_plan.write", "safety_plan.write", "safety_plan.read",
                                                 "safety_plan.read"]


def test_the_database_refuses_to_edit_or_delete_a_version(practice, staff, ada, engine):
    write(practice, staff["super"], ada)
    with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="a safety plan version cannot change"):
            conn.execute(update(SafetyPlan).values(warning_signs="rewritten"))
        conn.rollback()
        with pytest.raises(DBAPIError, match="a safety plan version cannot change"):
            conn.execute(text("DELETE FROM safety_plans"))
        conn.rollback()


def test_a_revision_of_a_stale_version_is_refused(practice, staff, ada):
    write(practice, staff["super"], ada)
    write(practice, staff["super"], ada, based_on=1, change_note="reviewed")
    with pytest.raises(Conflict, match="revised meanwhile .*version 2"):
        write(practice, staff["super"], ada, based_on=1, change_note="my older view")


def test_missing_and_overlong_steps_are_named(practice, staff, ada):
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed) as caught:
        plans.write(work, ada, {**PLAN, "warning_signs": "  ", "safe_environment": "x" * 4001,
                                "reviewed_on": "02/03/2026"})
    errors = caught.value.errors
    assert set(errors) == {"warning_signs", "safe_environment", "reviewed_on"}
    assert "4000 characters (it has 4001)" in errors["safe_environment"]
    write(practice, staff["super"], ada)
    with practice.work(staff["super"]) as work, pytest.raises(ValidationFailed) as caught:
        plans.write(work, ada, PLAN, based_on=1)
    assert set(caught.value.errors) == {"change_note"}  # a revision says what changed


def test_front_desk_and_other_practitioners_neither_read_nor_write(practice, staff, ada):
    write(practice, staff["super"], ada)
    for who in ("desk", "other", "admin"):
        with practice.work(staff[who]) as work, pytest.raises(AccessDenied):
            plans.history(work, ada)
        with practice.work(staff[who]) as work, pytest.raises(AccessDenied):
            plans.write(work, ada, PLAN, based_on=1)
    with practice.work(staff["trainee"], write=False) as work, pytest.raises(AccessDenied):
        plans.current(work, ada)  # not on the team: the supervisor's scope does not pass down


def test_a_risk_acknowledgement_names_the_safety_plan_it_relies_on(practice, staff, ada):
    with practice.work(staff["super"]) as work:
        forms.submit_form(work, ada, "clinic/intake", {"concern": "low mood", "harm_now": True})
    write(practice, staff["super"], ada)
    with practice.work(staff["super"]) as work:
        plan = plans.current(work, ada)
        code = eligibility.open_risks(work, ada)[0].code
        eligibility.acknowledge_risk(work, ada, code, "Seen today; safety plan written with her.",
                                     safety_plan_id=plan.id)
    with practice.work(staff["super"], write=False) as work:
        (risk,) = eligibility.risks_of(work, ada)
        assert risk.settled.endswith("Safety plan: version 1.")
        assert work.db.scalar(select(RiskAcknowledgement.safety_plan_id)) == plan.id


def test_a_risk_acknowledgement_cannot_name_another_clients_plan(practice, staff, ada):
    with practice.work(staff["desk"]) as work:
        bob = register(work, "Bob", staff["super"].user_id)
    with practice.work(staff["super"]) as work:
        forms.submit_form(work, ada, "clinic/intake", {"concern": "low mood", "harm_now": True})
    write(practice, staff["super"], bob)
    with practice.work(staff["super"]) as work:
        bobs = plans.current(work, bob).id
        code = eligibility.open_risks(work, ada)[0].code
        with pytest.raises(ValidationFailed) as caught:
            eligibility.acknowledge_risk(work, ada, code, "Seen today; safety plan written.", safety_plan_id=bobs)
    assert set(caught.value.errors) == {"safety_plan_id"}


# --- crisis text -----------------------------------------------------------------------------------------------


def test_crisis_text_defaults_follow_the_jurisdiction(practice, staff):
    with practice.work(staff["admin"]) as work:
        assert "988" in crisis.text_for(work) and "911" in crisis.text_for(work)  # the center is in US-CA
        assert "988" not in crisis.text_for(work, "DE") and "112" in crisis.text_for(work, "DE")


def test_the_admin_sets_texts_per_jurisdiction_with_named_errors(practice, staff):
    rows = [{"jurisdiction": "US", "text": "Call or text 988."}, {"jurisdiction": "*", "text": "Call 112."},
            {"jurisdiction": "us-ca", "text": "California: call or text 988; <b>911</b>."},
            {"jurisdiction": "", "text": ""}]
    with practice.work(staff["admin"]) as work:
        crisis.save_texts(work, rows)
    with practice.work(staff["admin"], write=False) as work:
        assert crisis.text_for(work) == "California: call or text 988; <b>911</b>."  # stored as typed
        assert crisis.text_for(work, "US-NY") == "Call or text 988." and crisis.text_for(work, "FR") == "Call 112."
    bad = [{"jurisdiction": "US", "text": ""}, {"jurisdiction": "*", "text": "x" * 1001},
           {"jurisdiction": "California", "text": "t"}, {"jurisdiction": "", "text": "orphan text"}]
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed) as caught:
        crisis.save_texts(work, bad)
    assert set(caught.value.errors) == {"text_0", "text_1", "jurisdiction_2", "jurisdiction_3"}
    many = [*({"jurisdiction": f"US-{state}", "text": "t"} for state in ("AK", "AZ", "CO", "CT", "DE", "FL")),
            *rows, *({"jurisdiction": f"DE-{n}", "text": "t"} for n in ("BE", "BY", "HH", "HB", "NW", "SN")),
            *({"jurisdiction": f"AU-{n}", "text": "t"} for n in ("NSW", "VIC", "QLD", "WA", "SA")), {"jurisdiction": "", "text": ""}]
    with practice.work(staff["admin"]) as work:  # 20 jurisdictions and the page's blank row: accepted
        assert len(crisis.save_texts(work, many)) == 20
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed):
        crisis.save_texts(work, [*many, {"jurisdiction": "NZ", "text": "t"}])
    with practice.work(staff["super"]) as work, pytest.raises(AccessDenied):
        crisis.save_texts(work, rows)
    assert audited(practice, "center.crisis_text") == ["center.crisis_text"] * 2


def test_what_counts_as_reporting_suicidal_thoughts(practice, staff, ada):
    with practice.work(staff["super"]) as work:
        calm = forms.submit_form(work, ada, "clinic/intake", {"concern": "sleep", "harm_now": False})
        harm = forms.submit_form(work, ada, "clinic/intake", {"concern": "sleep", "harm_now": True})
        low = assessments.record_assessment(work, ada, "clinic/mini", {"i1": "1", "i2": "1", "risk": "0"})
        flagged = assessments.record_assessment(work, ada, "clinic/mini", {"i1": "0", "i2": "0", "risk": "1"})
        ideation = forms.submit_form(work, ada, "breath/talk-intake", {"suicidal_now": True})
        assert not crisis.reports_suicidal_thoughts(work, [str(calm.id), str(low.id), "not-an-id"])
        assert crisis.reports_suicidal_thoughts(work, [str(calm.id), str(harm.id)])  # a risk naming no fact
        assert crisis.reports_suicidal_thoughts(work, [str(flagged.id)])  # an instrument's risk flag
        assert crisis.reports_suicidal_thoughts(work, [str(ideation.id)])  # current suicidal ideation
