"""Consent by document kind and age, through the pages: the demo's Sofia (born 2014-06-01, 12 on the suite's
fixed clock, tests/clocks.py) in a California center may sign her psychotherapy consent alone but not the
breathwork consent; her assent is recorded and shown; a guardian answering her intake is asked about her."""

from __future__ import annotations

import re
import uuid

import pytest

from polymodal.core.access import Actor
from polymodal.core.models import Client
from polymodal.core.services import consent
from tests.web.conftest import HTMX


@pytest.fixture
def sofia(client_id):
    return client_id("Alvarez", "Sofia")


@pytest.fixture
def lucia(web_practice, sofia):
    with web_practice.work(Actor.system("test"), write=False) as work:
        return str(work.db.get(Client, uuid.UUID(sofia)).guardians[0].id)


def _consent_post(token, signer, **extra):
    return {"_csrf": token, "document_key": "breathwork/risk", "version": "1", "a.touch_support": "no",
            "signer": signer, "signer_name": "Lucia Alvarez", "confirm": "yes", **extra}


def test_the_staff_consent_page_says_a_guardian_signs_the_breathwork_consent_and_why(client, signed_in, sofia):
    signed_in("frontdesk")
    page = client.get(f"/clients/{sofia}/consents/new?document=breathwork/risk").text
    assert ("Sofi Alvarez is a minor: a guardian with authority signs the Breathwork: risks and consent (the "
            "minor-consent age of 12 covers psychotherapy and counselling only, not breathwork consents).") in page
    own = client.get(f"/clients/{sofia}/consents/new?document=talk/informed-consent").text
    assert "Sofi Alvarez is a minor who may sign this alone" in own


def test_sofia_signing_the_breathwork_consent_alone_is_refused_naming_why(client, signed_in, sofia):
    token = signed_in("frontdesk")
    response = client.post(f"/clients/{sofia}/consents/new", data=_consent_post(token, "self"), headers=HTMX)
    assert response.status_code == 422
    assert "a guardian with authority must sign the Breathwork: risks and consent" in response.text
    assert 'value="no" checked' in response.text  # nothing entered is lost


def test_a_guardians_signature_keeps_sofias_assent_shown_on_her_consents_and_at_pre_flight(
        client, signed_in, web_practice, sofia, lucia, session_of):
    token = signed_in("frontdesk")
    response = client.post(f"/clients/{sofia}/consents/new", headers=HTMX, data=_consent_post(
        token, f"guardian:{lucia}", assent="given", assent_name="Sofi"))
    assert response.status_code in (200, 303), response.text
    tab = client.get(f"/clients/{sofia}/consents").text
    assert "Minor's assent: agreed (Sofi), 21 Oct 2026" in tab
    signed_in("trainee")
    session = client.get(f"/sessions/{session_of('Alvarez', 'Sofia')}").text
    # Her psychotherapy consent was signed by her mother in the demo, with no assent asked.
    assert "No assent of Sofi Alvarez is recorded beside the guardian&#39;s Informed consent to services." in session
    assert "Ready: consent, credentials and screening are in order; what is listed below is settled or only " \
           "noted." in session  # a note about assent holds nothing up


def test_a_declined_assent_is_shown_as_modify_at_pre_flight(client, signed_in, web_practice, sofia, lucia,
                                                            session_of):
    with web_practice.work(Actor.system("test")) as work:
        consent.record_consent(work, uuid.UUID(sofia), "talk/informed-consent", signer_name="Lucia Alvarez",
                               capacity="guardian", guardian_id=uuid.UUID(lucia), assent="declined")
    signed_in("trainee")
    session = client.get(f"/sessions/{session_of('Alvarez', 'Sofia')}").text
    assert re.search(r"Modify · Sofi Alvarez:</strong> Sofi Alvarez did not agree \(assent declined on 21 Oct 2026\)",
                     session)


def test_the_staff_intake_is_worded_for_the_guardian_or_for_sofia(client, signed_in, sofia):
    signed_in("trainee")
    guardian = client.get(f"/clients/{sofia}/intake/new?form=talk/intake").text
    assert "Is Sofi Alvarez having thoughts of ending their life at present, as far as you know?" in guardian
    assert 'where a question says "you", it means Sofi Alvarez' in guardian
    own = client.get(f"/clients/{sofia}/intake/new?form=talk/intake&answered_by=client").text
    assert "Are you having thoughts of ending your life at present?" in own and "Is Sofi" not in own
