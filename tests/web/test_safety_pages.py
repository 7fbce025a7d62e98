"""The safety plan on the client's Eligibility tab: write, revise (versions kept), errors that keep what was
typed, access, the link from a risk acknowledgement, and the page's query count."""

import uuid

import pytest

from polymodal.core.access import Actor
from polymodal.core.services import assessments
from tests.web.conftest import HTMX

PLAN = {"warning_signs": "Not sleeping; pulling away.", "coping_strategies": "Walk the dog.\nMusic loud.",
        "social_distractions": "Cafe on Main St.", "people_to_ask": "Sam (sister) 555-0101",
        "professionals": "Ms. Rivera 555-0199; call or text 988; 911.",
        "safe_environment": "Sam keeps the medication.", "reasons_for_living": "My daughter.",
        "reviewed_on": "2026-10-21"}


@pytest.fixture
def jordan(client_id):
    return uuid.UUID(client_id("Ellis", "Jordan"))


def tab(client, cid):
    return client.get(f"/clients/{cid}/eligibility").text


def post_plan(client, token, cid, based_on=0, headers=None, **changes):
    return client.post(f"/clients/{cid}/safety-plan", headers=headers or {}, follow_redirects=False,
                       data={"_csrf": token, "based_on": str(based_on), **PLAN, **changes})


def test_a_clinician_writes_then_revises_and_every_version_stays_readable(client, signed_in, jordan):
    token = signed_in("rivera")
    page = tab(client, jordan)
    assert "No safety plan on file" in page and "Write the safety plan with the client" in page
    assert "Call or text 988" in page.split('id="f-professionals"')[1].split("</textarea>")[0]  # the crisis line
    assert post_plan(client, token, jordan).status_code == 303
    page = tab(client, jordan)
    assert "<strong>Version 1</strong>, reviewed with the client on 21 Oct 2026" in page
    assert "Walk the dog.\nMusic loud." in page and "Save as version 2" in page
    revised = post_plan(client, token, jordan, based_on=1, warning_signs="Giving things away.",
                        change_note="New warning sign.")
    assert revised.status_code == 303
    page = tab(client, jordan)
    current = page.split('id="safety-plan-current"')[1].split("</dl>")[0]
    assert "Giving things away." in current and "Not sleeping" not in current
    history = page.split('id="safety-plan-history"')[1].split("</details>")[0]
    assert "Version 1: reviewed 21 Oct 2026" in history and "Not sleeping; pulling away." in history
    assert "What changed in version 2: New warning sign." in page


def test_errors_name_the_field_and_keep_everything_typed_escaped(client, signed_in, jordan):
    token = signed_in("rivera")
    bad = post_plan(client, token, jordan, headers=HTMX, warning_signs="",
                    coping_strategies="<script>alert(1)</script>", safe_environment="x" * 4001,
                    reviewed_on="21/10/2026")
    assert bad.status_code == 422
    assert '<a href="#f-warning_signs">Write this step (warning signs)' in bad.text
    assert "under 4000 characters (it has 4001)" in bad.text and "Enter the review date as YYYY-MM-DD" in bad.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bad.text and "<script>alert(1)" not in bad.text
    assert "Sam (sister) 555-0101" in bad.text and 'value="21/10/2026"' in bad.text
    assert 'id="f-warning_signs"' in bad.text and 'aria-invalid="true"' in bad.text
    assert "No safety plan on file" in bad.text  # nothing was saved


def test_a_revision_of_a_version_someone_else_revised_is_refused_with_the_text_kept(client, signed_in, jordan):
    token = signed_in("rivera")
    post_plan(client, token, jordan)
    post_plan(client, token, jordan, based_on=1, change_note="Reviewed at the session.")
    stale = post_plan(client, token, jordan, based_on=1, change_note="My older view", people_to_ask="Alex 555-0111")
    assert stale.status_code == 409 and "revised meanwhile (now version 2)" in stale.text
    assert "Alex 555-0111" in stale.text and 'name="based_on" value="2"' in stale.text


def test_front_desk_neither_sees_nor_writes_the_plan(client, signed_in, jordan):
    token = signed_in("rivera")
    post_plan(client, token, jordan)
    desk = signed_in("frontdesk")
    assert client.get(f"/clients/{jordan}/eligibility").status_code in (403, 404)
    assert "Not sleeping" not in client.get(f"/clients/{jordan}").text
    assert post_plan(client, desk, jordan, based_on=1, change_note="desk").status_code in (403, 404)


def test_a_risk_acknowledgement_relies_on_the_current_safety_plan(client, signed_in, web_practice, jordan):
    with web_practice.work(Actor.system("test")) as work:
        assessment = work.registry.assessments.get("talk/phq-9")
        answers = {item.key: (item.options or assessment.options)[0].value for item in assessment.items}
        assessments.record_assessment(work, jordan, "talk/phq-9", {**answers, "q9": "1"})
    token = signed_in("rivera")
    assert "No safety plan yet: write one below" in tab(client, jordan)
    post_plan(client, token, jordan)
    page = tab(client, jordan)
    code = page.split('name="code" value="')[1].split('"')[0]
    plan_id = page.split('name="safety_plan_id" value="')[1].split('"')[0]
    forged = client.post(f"/clients/{jordan}/risks", headers=HTMX, data={
        "_csrf": token, "code": code, "plan": "Assessed today; plan in place.", "safety_plan_id": str(uuid.uuid4())})
    assert forged.status_code == 422 and "Choose this client&#39;s safety plan" in forged.text
    done = client.post(f"/clients/{jordan}/risks", follow_redirects=False, data={
        "_csrf": token, "code": code, "plan": "Assessed today; plan in place.", "safety_plan_id": plan_id})
    assert done.status_code == 303
    assert "Plan: Assessed today; plan in place. Safety plan: version 1." in tab(client, jordan)


def test_the_tab_costs_the_same_queries_however_many_versions(client, signed_in, jordan, queries):
    token = signed_in("rivera")
    post_plan(client, token, jordan)
    one = queries.of_page(client, f"/clients/{jordan}/eligibility")
    for version in range(1, 6):
        post_plan(client, token, jordan, based_on=version, change_note=f"Review {version}")
    six = queries.of_page(client, f"/clients/{jordan}/eligibility")
    assert one == six, queries.statements
    assert six <= 20, queries.statements  # 18 on SQLite, with or without a plan: one read for all versions


def test_the_api_gives_every_version_to_the_care_team_only(client, signed_in, web_practice, jordan):
    from tests.web.api.helpers import bearer, token_for

    token = signed_in("rivera")
    post_plan(client, token, jordan)
    post_plan(client, token, jordan, based_on=1, warning_signs="Giving things away.", change_note="New sign.")
    got = client.get(f"/api/v1/clients/{jordan}/safety-plans", headers=bearer(token_for(web_practice, "rivera")))
    assert got.status_code == 200
    assert [(p["version"], p["steps"]["warning_signs"], p["written_by_name"]) for p in got.json()["data"]] == [
        (2, "Giving things away.", "Dr. Dana Rivera"), (1, "Not sleeping; pulling away.", "Dr. Dana Rivera")]
    desk = client.get(f"/api/v1/clients/{jordan}/safety-plans", headers=bearer(token_for(web_practice, "frontdesk")))
    assert desk.status_code in (403, 404)
