"""Consent, staff side: list with state, record in person (text, body map, signer, typed name, confirm), revoke."""

from __future__ import annotations

import re
import uuid

import pytest

from polymodal.core.access import Actor
from polymodal.core.services import clients

TOUCH = "bodywork/touch"


def _touch_post(token: str, **extra) -> dict[str, str]:
    return {"_csrf": token, "document_key": TOUCH, "version": "1", "signer": "self", "signer_name": "Tom Becker",
            "confirm": "yes", "a.techniques": "Swedish, myofascial release", "a.draping": "Sheet",
            "a.regions.low_back.consent": "consented", "a.regions.gluteal.consent": "declined",
            "a.regions.inner_thigh.consent": "ask-each-time", **extra}


@pytest.fixture
def young_minor(web_practice):
    """A client aged 8 with one guardian who may consent and one who may not."""
    with web_practice.work(Actor.system("test")) as work:
        child = clients.register_client(work, {"legal_first_name": "Mia", "legal_last_name": "Young",
                                                "date_of_birth": "2018-03-03"})
        ok = clients.add_guardian(work, child.id, {"name": "Ana Young", "relationship": "mother"})
        no = clients.add_guardian(work, child.id, {"name": "Rob Young", "relationship": "stepfather",
                                                   "can_consent": False})
        return str(child.id), str(ok.id), str(no.id)


def test_consents_tab_lists_state_and_version(client, signed_in, client_id):
    signed_in("frontdesk")
    cid = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{cid}/consents")
    assert page.status_code == 200
    assert "Informed consent" in page.text or "informed" in page.text.lower()
    assert "state-active" in page.text and "Record a consent" in page.text


def test_missing_required_consent_is_pointed_out(client, signed_in, client_id):
    signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    page = client.get(f"/clients/{cid}/consents")
    assert "Required for this client" in page.text and "Consent to touch" in page.text


def test_form_shows_the_versions_text_and_a_body_map(client, signed_in, client_id, web_practice):
    signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    page = client.get(f"/clients/{cid}/consents/new", params={"document": TOUCH})
    assert page.status_code == 200 and "<html" in page.text
    document = web_practice.registry.consent_documents.get(TOUCH)
    assert document.text[:80] in page.text
    assert 'name="a.regions.inner_thigh.consent"' in page.text and "sensitive" in page.text
    assert 'name="confirm"' in page.text and 'name="signer_name"' in page.text


def test_form_fragment(client, signed_in, client_id, htmx):
    signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    page = client.get(f"/clients/{cid}/consents/new", params={"document": TOUCH}, headers=htmx)
    assert page.status_code == 200 and page.text.lstrip().startswith('<div id="consent-form">')


def test_unconfirmed_is_422_with_everything_kept(client, signed_in, client_id, htmx):
    token = signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    data = _touch_post(token)
    del data["confirm"]
    del data["a.draping"]
    response = client.post(f"/clients/{cid}/consents/new", data=data, headers={**htmx, "X-CSRF-Token": token})
    assert response.status_code == 422
    assert 'id="f-confirm-error"' in response.text and 'id="f-draping-error"' in response.text
    assert 'value="Tom Becker"' in response.text and "myofascial release" in response.text
    assert re.search(r'name="a.regions.gluteal.consent".*?<option value="declined" selected>', response.text, re.S)
    page = client.get(f"/clients/{cid}/consents")
    assert "No consents recorded yet" in page.text  # nothing recorded


def test_record_in_person_with_regions(client, signed_in, client_id):
    token = signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    response = client.post(f"/clients/{cid}/consents/new", data=_touch_post(token), follow_redirects=False)
    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert detail.status_code == 200
    assert "state-active" in detail.text and "Tom Becker" in detail.text and "in person" in detail.text
    # The front desk records it but sees its status only; the client's practitioner reads the regions.
    assert "Gluteal" not in detail.text and 'id="consent-contents-withheld"' in detail.text
    tab = client.get(f"/clients/{cid}/consents")
    assert "Required for this client" not in tab.text
    signed_in("maya")
    detail = client.get(response.headers["location"])
    assert "Gluteal" in detail.text and "Declined" in detail.text
    tab = client.get(f"/clients/{cid}/consents")
    assert "Required for this client" not in tab.text


def test_minor_needs_a_guardian_with_authority(client, signed_in, young_minor, htmx):
    token = signed_in("frontdesk")
    cid, ok, no = young_minor
    base = {"document_key": "talk/informed-consent", "version": "1", "signer_name": "Someone", "confirm": "yes"}
    headers = {**htmx, "X-CSRF-Token": token}
    alone = client.post(f"/clients/{cid}/consents/new", data={**base, "signer": "self"}, headers=headers)
    assert alone.status_code == 422 and 'id="f-signer-error"' in alone.text and "guardian" in alone.text
    step = client.post(f"/clients/{cid}/consents/new", data={**base, "signer": f"guardian:{no}"}, headers=headers)
    assert step.status_code == 422 and "no authority" in step.text
    mother = client.post(f"/clients/{cid}/consents/new", data={**base, "signer": f"guardian:{ok}",
                                                                "signer_name": "Ana Young"}, headers=headers)
    assert mother.status_code == 200 and "/consents/" in mother.headers["hx-redirect"]


def test_another_clients_guardian_is_refused(client, signed_in, young_minor, client_id, htmx):
    token = signed_in("frontdesk")
    _cid, ok, _no = young_minor
    other = client_id("Ellis", "Jordan")
    response = client.post(f"/clients/{other}/consents/new", headers={**htmx, "X-CSRF-Token": token}, data={
        "document_key": "talk/informed-consent", "signer": f"guardian:{ok}", "signer_name": "Ana", "confirm": "yes"})
    assert response.status_code == 422 and "guardians" in response.text


def test_revoke_needs_a_reason_then_revokes(client, signed_in, client_id, htmx):
    token = signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    location = client.post(f"/clients/{cid}/consents/new", data=_touch_post(token),
                           follow_redirects=False).headers["location"]
    headers = {**htmx, "X-CSRF-Token": token}
    empty = client.post(f"{location}/revoke", data={"reason": "  "}, headers=headers)
    assert empty.status_code == 422 and 'id="f-reason-error"' in empty.text
    done = client.post(f"{location}/revoke", data={"reason": "Client asked to stop hands-on work"}, headers=headers)
    assert done.status_code == 200
    page = client.get(location)
    assert "state-revoked" in page.text and "Client asked to stop" in page.text and "Revoke this consent" not in page.text
    again = client.post(f"{location}/revoke", data={"reason": "twice"}, headers=headers)
    assert again.status_code == 422


def test_access_other_team_404_and_admin_refused(client, signed_in, client_id):
    token = signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    location = client.post(f"/clients/{cid}/consents/new", data=_touch_post(token),
                           follow_redirects=False).headers["location"]
    client.cookies.clear()
    signed_in("leo")
    assert client.get(location).status_code == 404
    assert client.get(f"/clients/{cid}/consents/new").status_code == 404
    client.cookies.clear()
    signed_in("maya")
    assert client.get(location).status_code == 200
    client.cookies.clear()
    signed_in("admin")
    assert client.get(location).status_code == 404  # clinical-adjacent: only through break the glass
    assert client.get(f"/clients/{cid}/consents/new").status_code == 403
    other = client_id("Sato", "Hana")
    assert client.get(f"/clients/{other}/consents/{uuid.uuid4()}").status_code == 404


def test_consents_tab_query_count_is_constant(client, signed_in, client_id, queries):
    token = signed_in("frontdesk")
    cid = client_id("Becker", "Tom")
    client.post(f"/clients/{cid}/consents/new", data=_touch_post(token))
    client.get(f"/clients/{cid}/consents")
    queries.reset()
    client.get(f"/clients/{cid}/consents")
    one = queries.count
    for _ in range(5):
        client.post(f"/clients/{cid}/consents/new", data=_touch_post(token))
    client.get(f"/clients/{cid}/consents")
    queries.reset()
    client.get(f"/clients/{cid}/consents")
    assert queries.count == one, queries.statements
