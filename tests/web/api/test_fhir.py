"""FHIR R5 export: every resource the export makes validates against the standard (fhir.resources)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter

import pytest
from fhir.resources import get_fhir_model_class
from sqlalchemy import select

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.interop import fhir_export
from polymodal.core.models import Guardian, Session, SessionClient
from polymodal.core.safety import plans
from polymodal.core.services import assessments, cases, consent, privacy, scheduling
from polymodal.core.testing import sample_answers
from tests.web.api.helpers import bearer, signed_note, token_for, user_actor


def _answers(instrument, pick: int) -> dict:
    return {i.key: instrument.options_for(i)[pick].value for i in instrument.items}


@pytest.fixture
def rich_record(web_practice, client_id, web_clock):
    """Tom's record with one of everything: scores, a touch consent by region, a held session, a goal,
    a signed note and a process note (which must never be exported)."""
    tom = uuid.UUID(client_id("Becker", "Tom"))
    maya = user_actor(web_practice, "maya")
    with web_practice.work(maya) as work:
        for key in ("talk/phq-9", "talk/gad-7", "talk/who-5"):
            instrument = work.registry.assessments.get(key)
            assessments.record_assessment(work, tom, key, _answers(instrument, 1))
        # Item 9 scored 1 is a risk finding: check-in waits for a clinician's acknowledgement.
        eligibility.acknowledge_risk(work, tom, "talk/phq-9:phq9-item9",
                                     "Assessed today: no plan or intent; safety plan reviewed.")
        document = work.registry.consent_documents.get("bodywork/touch")
        answers = sample_answers(document.fields)
        body_map = next(f for f in document.fields if f.type == "body_map")
        regions = dict(zip([r.code for r in body_map.regions[:3]], ("consented", "declined", "ask-each-time"),
                           strict=True))
        answers[body_map.key] = {code: {**sample_answers(body_map.item_fields), "consent": state}
                                 for code, state in regions.items()}
        touch = consent.record_consent(work, tom, "bodywork/touch", signer_name="Tom Becker", answers=answers)
        session_id = work.db.scalars(select(SessionClient.session_id).where(SessionClient.client_id == tom)
                                     .join(Session, Session.id == SessionClient.session_id)
                                     .order_by(Session.starts_at)).first()
        case_id = work.db.get(Session, session_id).case_id
        cases.add_goal(work, case_id, "Turn the head without pain", target_on=dt.date(2027, 1, 31))
    web_clock.now = web_practice.now()
    with web_practice.work(Actor.system("test")) as work:
        session = work.db.get(Session, session_id)
        session.starts_at, session.ends_at = web_clock.now, web_clock.now + dt.timedelta(minutes=50)
        for link in session.practitioners:
            link.starts_at = session.starts_at
    with web_practice.work(maya) as work:
        scheduling.set_status(work, session_id, "checked_in")
    shared = signed_note(web_practice, tom, "maya")
    return {"client_id": tom, "shared_note": shared.id, "touch": touch.id, "regions": regions}


def _validate(resource: dict) -> None:
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)


def test_one_client_s_bundle_validates_and_holds_every_clinical_type(web_practice, rich_record):
    with web_practice.work(user_actor(web_practice, "maya"), write=False) as work:
        bundle = fhir_export.client_bundle(work, rich_record["client_id"])
    _validate(bundle)  # the Bundle's model validates every entry's resource too
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    for kind in ("Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "Appointment",
                 "Encounter", "EpisodeOfCare", "CarePlan", "Consent", "QuestionnaireResponse", "Observation",
                 "DocumentReference"):
        assert kinds[kind] >= 1, kind
    scores = {c["code"]: r["valueInteger"] for e in bundle["entry"] if (r := e["resource"])["resourceType"] == "Observation"
              for c in r["code"]["coding"] if c["system"] == "http://loinc.org"}
    assert set(scores) == {"44261-6", "70274-6"}
    touch = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == str(rich_record["touch"]))
    assert touch["decision"] == "permit"
    assert {p["code"][0]["coding"][0]["code"]: p["code"][0]["text"] for p in touch["provision"]} == {
        code: state for code, state in rich_record["regions"].items() if state != "consented"}


def test_a_guardian_is_a_related_person_and_signs_the_minor_s_consent(web_practice):
    with web_practice.work(Actor.system("test"), write=False) as work:
        guardian = work.db.scalars(select(Guardian)).first()
    with web_practice.work(Actor.system("test"), write=False) as work:
        bundle = fhir_export.client_bundle(work, guardian.client_id)
    _validate(bundle)
    related = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RelatedPerson"]
    assert related and related[0]["patient"]["reference"] == f"Patient/{guardian.client_id}"
    grantors = {g["reference"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent"
                for g in e["resource"]["grantor"]}
    assert f"RelatedPerson/{guardian.id}" in grantors


def test_process_notes_and_drafts_are_never_exported(web_practice, client_id):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    process = signed_note(web_practice, jordan, "rivera", process_note=True)
    shared = signed_note(web_practice, jordan, "rivera")
    with web_practice.work(Actor.system("test"), write=False) as work:
        everything = list(fhir_export.center_resources(work))
    text = json.dumps(everything)
    assert str(process.id) not in text and str(shared.id) in text
    assert all(json.dumps(process.content)[:40] not in json.dumps(r) for r in everything
               if r["resourceType"] == "DocumentReference")


def test_the_center_export_validates_resource_by_resource(web_practice, rich_record, client_id):
    signed_note(web_practice, client_id("Ellis", "Jordan"), "rivera")
    with web_practice.work(Actor.system("test"), write=False) as work:
        everything = list(fhir_export.center_resources(work))
    for resource in everything:
        _validate(resource)
    kinds = {r["resourceType"] for r in everything}
    assert kinds == set(fhir_export.RESOURCE_TYPES)
    ids = Counter((r["resourceType"], r["id"]) for r in everything)
    assert max(ids.values()) == 1  # a shared session or couple case is exported once, not once per client


def test_the_fhir_route_follows_the_export_rule(client, web_practice, client_id):
    tom = client_id("Becker", "Tom")
    mine = client.get(f"/api/v1/clients/{tom}/fhir", headers=bearer(token_for(web_practice, "maya")))
    assert mine.status_code == 200 and mine.json()["resourceType"] == "Bundle"
    theirs = client.get(f"/api/v1/clients/{tom}/fhir", headers=bearer(token_for(web_practice, "rivera")))
    assert theirs.status_code == 404
    desk = client.get(f"/api/v1/clients/{tom}/fhir", headers=bearer(token_for(web_practice, "frontdesk")))
    assert desk.status_code == 403


def test_every_safety_plan_version_is_a_care_plan_the_newest_active(web_practice, rich_record):
    tom = rich_record["client_id"]
    steps = {key: f"Step {key}" for key in plans.STEP_KEYS} | {"reviewed_on": "2026-10-21"}
    with web_practice.work(user_actor(web_practice, "maya")) as work:
        plans.write(work, tom, steps)
        plans.write(work, tom, {**steps, "warning_signs": "Giving things away", "change_note": "New sign"},
                    based_on=1)
    with web_practice.work(user_actor(web_practice, "maya"), write=False) as work:
        bundle = fhir_export.client_bundle(work, tom)
        exported = privacy.export_record(work, tom)
    _validate(bundle)
    safety = sorted((e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"
                     and e["resource"].get("category", [{}])[0].get("text", "").startswith("Safety plan")),
                    key=lambda r: r["title"])
    assert [(r["title"], r["status"]) for r in safety] == [("Safety plan, version 1", "revoked"),
                                                           ("Safety plan, version 2", "active")]
    assert safety[1]["replaces"] == [{"identifier": safety[0]["identifier"][0]}]
    assert "1. Warning signs: Giving things away" in [n["text"] for n in safety[1]["note"]]
    assert [(p["version"], p["warning_signs"]) for p in exported["safety_plans"]] == [
        (1, "Step warning_signs"), (2, "Giving things away")]
