"""Polymodal records as FHIR R5 resources (plain dicts): one function per resource type.

The mapping, field by field, is in docs/fhir.md. Codes come from HL7's own
code systems where one fits (v2-0131 contact role, v3 ActCode encounter
class, observation-category) and from LOINC for instrument totals; anything
of our own is a ``urn:polymodal:`` system. Functions here only map: callers
decide what may be exported (process notes and drafts never reach them).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

LOINC = "http://loinc.org"
INSTRUMENT_LOINC = {
    # LOINC 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]" and
    # 70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]" (loinc.org, checked
    # 2026-12). Other instruments' totals are sent with their own key as text only.
    "talk/phq-9": ("44261-6", "PHQ-9 total score"),
    "talk/gad-7": ("70274-6", "GAD-7 total score"),
}
OWN = "urn:polymodal"
APPOINTMENT_STATUS = {"scheduled": "booked", "checked_in": "checked-in", "completed": "fulfilled",
                      "cancelled": "cancelled", "no_show": "noshow"}
ENCOUNTER_STATUS = {"checked_in": "in-progress", "completed": "completed"}
GOAL_STATUS = {"active": "active", "met": "completed", "revised": "cancelled", "dropped": "cancelled"}
REGION_SYSTEM = f"{OWN}:body-region"


def derived_id(*parts: Any) -> str:
    """A stable id for a resource we make per (record, client): the same export twice gives the same ids."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{OWN}:" + ":".join(str(p) for p in parts)))


def ref(kind: str, id_: Any, display: str = "") -> dict[str, str]:
    found = {"reference": f"{kind}/{id_}"}
    if display:
        found["display"] = display
    return found


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _drop_empty(resource: dict[str, Any]) -> dict[str, Any]:
    """FHIR forbids empty strings, lists and objects: leave such elements out."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def _telecom(email: str = "", phone: str = "") -> list[dict[str, str]]:
    return ([{"system": "email", "value": email}] if email else []) + (
        [{"system": "phone", "value": phone}] if phone else [])


def organization(center: Any) -> dict[str, Any]:
    return _drop_empty({"resourceType": "Organization", "id": str(center.id), "active": True, "name": center.name})


def location(place: Any, center_id: Any, *, room_of: Any = None) -> dict[str, Any]:
    """A location (a building, ``form`` bu) or a room in one (``form`` ro, ``partOf`` its location)."""
    form = "ro" if room_of else "bu"
    return _drop_empty({
        "resourceType": "Location", "id": str(place.id), "status": "active", "name": place.name,
        "mode": "instance",
        "form": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                             "code": form}]},
        "address": {"text": place.address} if getattr(place, "address", "") else None,
        "managingOrganization": ref("Organization", center_id),
        "partOf": ref("Location", room_of) if room_of else None,
    })


def patient(client: Any, center_id: Any) -> dict[str, Any]:
    names = [{"use": "official", "family": client.legal_last_name, "given": [client.legal_first_name]}]
    if client.preferred_name and client.preferred_name != client.legal_first_name:
        names.append({"use": "usual", "family": client.legal_last_name, "given": [client.preferred_name]})
    contact = []
    if client.emergency_contact_name:
        contact.append(_drop_empty({
            "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C",
                                          "display": "Emergency Contact"}],
                              "text": client.emergency_contact_relationship or "Emergency contact"}],
            "name": {"text": client.emergency_contact_name},
            "telecom": _telecom(phone=client.emergency_contact_phone)}))
    pronouns = [{"url": "http://hl7.org/fhir/StructureDefinition/individual-pronouns",
                 "extension": [{"url": "value", "valueCodeableConcept": {"text": client.pronouns}}]}]
    return _drop_empty({
        "resourceType": "Patient", "id": str(client.id), "active": client.active,
        "extension": pronouns if client.pronouns else None, "name": names, "birthDate": _day(client.date_of_birth),
        "telecom": _telecom(client.email, client.phone),
        "address": [{"text": client.address}] if client.address else None,
        "contact": contact, "managingOrganization": ref("Organization", center_id)})


def related_person(guardian: Any) -> dict[str, Any]:
    """A guardian: the person who consents for a minor (whether they may is the ``can_consent`` flag)."""
    return _drop_empty({
        "resourceType": "RelatedPerson", "id": str(guardian.id), "active": True,
        "patient": ref("Patient", guardian.client_id),
        "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                      "code": "GUARD", "display": "guardian"}], "text": guardian.relationship_}],
        "name": [{"text": guardian.name}], "telecom": _telecom(guardian.email, guardian.phone),
        "extension": [{"url": f"{OWN}:guardian-can-consent", "valueBoolean": guardian.can_consent}]})


def practitioner(user: Any, credentials: list[Any]) -> dict[str, Any]:
    """A practitioner; credentials are its qualifications (R5 keeps them here, not on PractitionerRole)."""
    return _drop_empty({
        "resourceType": "Practitioner", "id": str(user.id), "active": user.active,
        "name": [{"text": user.display_name}], "telecom": _telecom(user.email),
        "qualification": [_drop_empty({
            "identifier": [{"system": f"{OWN}:credential:{c.jurisdiction}", "value": c.number}],
            "code": {"text": c.type}, "period": {"end": _day(c.expires_on)} if c.expires_on else None,
            "issuer": {"display": c.jurisdiction}}) for c in credentials]})


def practitioner_role(user: Any, center_id: Any, modality_names: dict[str, str]) -> dict[str, Any]:
    """What a practitioner does here: roles as codes, disciplines and modalities as specialties."""
    specialties = [{"text": d} for d in user.disciplines] + [
        {"coding": [{"system": f"{OWN}:modality", "code": m}], "text": modality_names.get(m, m)}
        for m in user.modalities]
    return _drop_empty({
        "resourceType": "PractitionerRole", "id": derived_id("role", user.id), "active": user.active,
        "practitioner": ref("Practitioner", user.id, user.display_name),
        "organization": ref("Organization", center_id),
        "code": [{"coding": [{"system": f"{OWN}:role", "code": r}], "text": r.replace("_", " ")} for r in user.roles],
        "specialty": specialties})


def episode_of_care(case: Any, client_id: Any, center_id: Any, practitioner_ids: list[Any]) -> dict[str, Any]:
    """A case, once per client in it (EpisodeOfCare has one patient)."""
    return _drop_empty({
        "resourceType": "EpisodeOfCare", "id": derived_id("episode", case.id, client_id),
        "identifier": [{"system": f"{OWN}:case", "value": str(case.id)}],
        "status": "finished" if case.closed_on else "active",
        "type": [{"coding": [{"system": f"{OWN}:case-kind", "code": case.kind}], "text": case.title}],
        "patient": ref("Patient", client_id), "managingOrganization": ref("Organization", center_id),
        "period": _drop_empty({"start": _day(case.opened_on), "end": _day(case.closed_on)}),
        "careManager": ref("Practitioner", practitioner_ids[0]) if practitioner_ids else None})


def care_plan(case: Any, client_id: Any, goals: list[Any]) -> dict[str, Any]:
    """The case's goals, as Goal resources contained in one CarePlan per client."""
    contained = [_drop_empty({
        "resourceType": "Goal", "id": f"goal-{g.id}", "lifecycleStatus": GOAL_STATUS.get(g.status, "active"),
        "achievementStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/goal-achievement", "code": "achieved"}]}
        if g.status == "met" else None,
        "description": {"text": g.text}, "subject": ref("Patient", client_id),
        "target": [{"dueDate": _day(g.target_on)}] if g.target_on else None}) for g in goals]
    return _drop_empty({
        "resourceType": "CarePlan", "id": derived_id("careplan", case.id, client_id),
        "status": "completed" if case.closed_on else "active", "intent": "plan", "title": case.title,
        "subject": ref("Patient", client_id), "contained": contained,
        "goal": [{"reference": f"#{g['id']}"} for g in contained],
        "supportingInfo": [ref("EpisodeOfCare", derived_id("episode", case.id, client_id))]})


def _participants(session: Any, shown: set[Any] | None) -> list[dict[str, Any]]:
    """Who attends; with ``shown``, other clients of a shared session are left out (one client's export)."""
    found = [{"actor": ref("Patient", c.client_id), "status": "accepted"} for c in session.clients
             if shown is None or c.client_id in shown]
    found += [{"actor": ref("Practitioner", p.user_id), "status": "accepted"} for p in session.practitioners]
    if session.room_id:
        found.append({"actor": ref("Location", session.room_id), "status": "accepted"})
    return found


def _service(session: Any, modality_names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"concept": {"coding": [{"system": f"{OWN}:modality", "code": session.modality_key}],
                         "text": modality_names.get(session.modality_key, session.modality_key)}}]


def _clients(session: Any, shown: set[Any] | None) -> list[Any]:
    return [c.client_id for c in session.clients if shown is None or c.client_id in shown]


def appointment(session: Any, modality_names: dict[str, str], shown: set[Any] | None = None) -> dict[str, Any]:
    clients = _clients(session, shown)
    single = clients[0] if len(clients) == 1 else None
    return _drop_empty({
        "resourceType": "Appointment", "id": str(session.id),
        "status": APPOINTMENT_STATUS.get(session.status, "booked"),
        "serviceType": _service(session, modality_names), "start": _instant(session.starts_at),
        "end": _instant(session.ends_at),
        "minutesDuration": int((session.ends_at - session.starts_at).total_seconds() // 60),
        "cancellationReason": {"text": session.status_reason} if session.status == "cancelled"
        and session.status_reason else None,
        "subject": ref("Patient", single) if single else None, "participant": _participants(session, shown)})


def encounter(session: Any, modality_names: dict[str, str], shown: set[Any] | None = None) -> dict[str, Any] | None:
    """Only a session that took place (checked in or completed) is an encounter."""
    status = ENCOUNTER_STATUS.get(session.status)
    if status is None:
        return None
    video = session.delivery in ("video", "phone")
    clients = _clients(session, shown)
    single = clients[0] if len(clients) == 1 else None
    return _drop_empty({
        "resourceType": "Encounter", "id": derived_id("encounter", session.id), "status": status,
        "class": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                               "code": "VR" if video else "AMB",
                               "display": "virtual" if video else "ambulatory"}]}],
        "serviceType": _service(session, modality_names), "subject": ref("Patient", single) if single else None,
        "participant": [{"actor": p["actor"]} for p in _participants(session, shown)
                        if not p["actor"]["reference"].startswith("Location/")],
        "appointment": [ref("Appointment", session.id)],
        "episodeOfCare": [ref("EpisodeOfCare", derived_id("episode", session.case_id, c)) for c in clients],
        "actualPeriod": {"start": _instant(session.starts_at), "end": _instant(session.ends_at)},
        "location": [{"location": ref("Location", session.room_id)}] if session.room_id else None})


def consent(record: Any, now: dt.datetime) -> dict[str, Any]:
    """A signature: permit by default, each declined or ask-each-time body region an exception to it."""
    state = record.state(now)
    regions = (record.scope or {}).get("regions") or {}
    grantor = ref("RelatedPerson", record.guardian_id) if record.guardian_id else ref("Patient", record.client_id)
    return _drop_empty({
        "resourceType": "Consent", "id": str(record.id),
        "identifier": [{"system": f"{OWN}:consent-text-sha256", "value": record.text_hash}],
        "status": "active" if state == "active" else "inactive",
        "category": [{"coding": [{"system": f"{OWN}:consent-document", "code": record.document_key,
                                  "version": str(record.document_version)}], "text": record.document_key}],
        "subject": ref("Patient", record.client_id), "date": record.signed_at.date().isoformat(),
        "period": _drop_empty({"start": _instant(record.signed_at),
                               "end": _instant(record.revoked_at or record.expires_at)}),
        "grantor": [grantor], "decision": "permit",
        "provision": [{"code": [{"coding": [{"system": REGION_SYSTEM, "code": code}], "text": state_}]}
                      for code, state_ in sorted(regions.items()) if state_ != "consented"]})


def _answers(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if isinstance(value, str):
        return {"valueString": value} if value else None
    return None


def _items(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Answers as items; a group (a body region, a repeated row) becomes nested items under its key."""
    items = []
    for key, value in answers.items():
        if isinstance(value, dict):
            nested = _items(value)
            if nested:
                items.append({"linkId": str(key), "item": nested})
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items += [{"linkId": str(key), "item": nested} for v in value if (nested := _items(v))]
        else:
            answer = [a for v in (value if isinstance(value, list) else [value]) if (a := _answers(v))]
            if answer:
                items.append({"linkId": str(key), "answer": answer})
    return items


def questionnaire_response(record: Any, *, kind: str) -> dict[str, Any]:
    """An intake form's answers (``kind`` form) or an instrument's (``kind`` assessment)."""
    key, version, at = ((record.form_key, record.form_version, record.submitted_at) if kind == "form"
                        else (record.instrument_key, record.instrument_version, record.administered_at))
    return _drop_empty({
        "resourceType": "QuestionnaireResponse", "id": str(record.id),
        "questionnaire": f"{OWN}:{kind}:{key}|{version}", "status": "completed",
        "subject": ref("Patient", record.client_id), "authored": _instant(at), "item": _items(record.answers)})


def observation(result: Any) -> dict[str, Any]:
    """An instrument's total score, LOINC-coded where LOINC has the total (PHQ-9, GAD-7)."""
    coding = [{"system": f"{OWN}:instrument", "code": result.instrument_key,
               "version": str(result.instrument_version)}]
    if result.instrument_key in INSTRUMENT_LOINC:
        code, display = INSTRUMENT_LOINC[result.instrument_key]
        coding.insert(0, {"system": LOINC, "code": code, "display": display})
    total = result.total
    value = {"valueInteger": int(total)} if float(total).is_integer() else {"valueQuantity": {"value": total}}
    return _drop_empty({
        "resourceType": "Observation", "id": derived_id("score", result.id), "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "survey", "display": "Survey"}]}],
        "code": {"coding": coding, "text": f"{result.instrument_key} total"},
        "subject": ref("Patient", result.client_id), "effectiveDateTime": _instant(result.administered_at),
        **value, "interpretation": [{"text": result.band}] if result.band else None,
        "derivedFrom": [ref("QuestionnaireResponse", result.id)]})


def document_reference(note: Any, client_id: Any, addenda: list[Any], seal_problem: str = "") -> dict[str, Any]:
    """A signed note (never a process note: callers leave those out), content and addenda as JSON.

    ``seal_problem``: why the note or an addendum fails its keyed seal; it goes in ``description``, so
    the receiver is told the text may not be the signed one."""
    body = {"template": note.template_key, "template_version": note.template_version, "content": note.content,
            "addenda": [{"text": a.text, "created_at": _instant(a.created_at), "author": str(a.author_id)}
                        for a in addenda]}
    data = base64.b64encode(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).decode()
    return _drop_empty({
        "resourceType": "DocumentReference", "id": derived_id("note", note.id, client_id),
        "identifier": [{"system": f"{OWN}:note", "value": str(note.id)},
                       {"system": f"{OWN}:note-content-sha256", "value": note.content_hash}],
        "status": "current", "docStatus": "final",
        "description": f"WARNING: does not match its seal: {seal_problem}" if seal_problem else None,
        "type": {"coding": [{"system": f"{OWN}:note-template", "code": note.template_key,
                             "version": str(note.template_version)}], "text": note.template_key},
        "subject": ref("Patient", client_id), "date": _instant(note.signed_at),
        "author": [ref("Practitioner", note.author_id)],
        "context": [ref("EpisodeOfCare", derived_id("episode", note.case_id, client_id))]
        + ([ref("Appointment", note.session_id)] if note.session_id else []),
        "content": [{"attachment": {"contentType": "application/json", "data": data,
                                    "title": f"{note.template_key} v{note.template_version}"}}]})


SAFETY_PLAN_SYSTEM = f"{OWN}:safety-plan"


def safety_plan(plan: Any, steps: list[tuple[str, str]], newest: bool) -> dict[str, Any]:
    """One version of a safety plan as a CarePlan: each step an annotation, in the intervention's order.

    The newest version is ``active``, earlier ones ``revoked`` and named by the version that ``replaces``
    them (a logical reference by identifier: each version is its own CarePlan, never changed).
    """
    def version_id(n: int) -> dict[str, str]:
        return {"system": SAFETY_PLAN_SYSTEM, "value": f"{plan.client_id}/{n}"}

    return _drop_empty({
        "resourceType": "CarePlan", "id": str(plan.id), "identifier": [version_id(plan.version)],
        "status": "active" if newest else "revoked", "intent": "plan",
        "category": [{"coding": [{"system": f"{OWN}:care-plan-category", "code": "safety-plan"}],
                      "text": "Safety plan (Stanley & Brown safety-planning intervention)"}],
        "title": f"Safety plan, version {plan.version}", "subject": ref("Patient", plan.client_id),
        "period": {"start": _day(plan.reviewed_on)}, "created": plan.written_at.isoformat(),
        "custodian": ref("Practitioner", plan.written_by),
        "replaces": [{"identifier": version_id(plan.version - 1)}] if plan.version > 1 else None,
        "description": plan.change_note or None,
        "note": [{"authorReference": ref("Practitioner", plan.written_by), "time": plan.written_at.isoformat(),
                  "text": f"{label}: {text}"} for label, text in steps if text]})
