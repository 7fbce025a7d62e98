"""The client portal over HTTP: a link becomes a /portal session, steps save as entered, submission files."""

from __future__ import annotations

import re

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import (
    AuditEvent,
    ConsentRecord,
    PortalPacket,
    User,
)
from polymodal.core.services import assessments, forms
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.portal.conftest import csrf, minimal_answers, open_link


def _registry(web_practice):
    return web_practice.registry


def _step_data(web_practice, n_page_html: str, kind: str, key: str, **extra) -> dict:
    registry = _registry(web_practice)
    if kind == "form":
        data = minimal_answers(registry.forms.get(key).fields)
    elif kind == "consent":
        data = {**minimal_answers(registry.consent_documents.get(key).fields), "signer_name": "Jordan Ellis",
                "agree": "yes"}
    else:
        data = {item.key: "0" for item in registry.assessments.get(key).items if item.scored}
    return {**data, **extra, "_csrf": csrf(n_page_html), "go": "next"}


def test_an_adult_completes_a_packet_and_the_records_reach_the_practitioner(client, web_practice, issue, web_clock):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"], assessments=("talk/phq-9",))
    first, overview = open_link(client, token)
    assert overview.status_code == 200 and "Hello Jordan" in overview.text and "Step" not in overview.url.path
    assert token not in overview.text and token not in first.text

    # Step 1 with required answers missing: 422, every entered value kept, nothing lost.
    page = client.get("/portal/step?n=1")
    assert "Step 1 of 3" in page.text
    response = client.post("/portal/step?n=1", data={"_csrf": csrf(page.text), "go": "next", "onset": "last spring",
                                                     "suicidal_thoughts_now": "yes"})
    assert response.status_code == 422
    assert 'value="last spring"' in response.text
    assert re.search(r'name="suicidal_thoughts_now" value="yes" checked', response.text)
    assert 'id="f-presenting_concerns-error"' in response.text

    # The portal session ends: a clear page, the draft is kept, the same link resumes it.
    web_clock.advance(minutes=31)
    ended = client.get("/portal/step?n=1")
    assert ended.status_code == 410 and "answers are kept" in ended.text
    open_link(client, token)
    resumed = client.get("/portal/step?n=1")
    assert 'value="last spring"' in resumed.text

    data = _step_data(web_practice, resumed.text, "form", "talk/intake", suicidal_thoughts_now="yes",
                      presenting_concerns="Low mood since spring")
    response = client.post("/portal/step?n=1", data=data, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/portal/step?n=2")
    page = client.get("/portal/step?n=2")
    assert "Step 2 of 3" in page.text and "I have read and agree" in page.text
    response = client.post("/portal/step?n=2", data=_step_data(web_practice, page.text, "consent",
                                                               "talk/informed-consent"), follow_redirects=False)
    assert response.headers["location"] == "/portal/step?n=3"
    page = client.get("/portal/step?n=3")
    response = client.post("/portal/step?n=3", data=_step_data(web_practice, page.text, "assessment", "talk/phq-9",
                                                               q9="2"), follow_redirects=False)
    assert response.headers["location"] == "/portal/review"
    review = client.get("/portal/review")
    assert review.text.count("complete</span>") == 3
    assert "Low mood since spring" in review.text and "Signed by</dt><dd>Jordan Ellis" in review.text
    assert "Total" not in review.text and "Flag" not in review.text  # scores and flags are the practitioner's
    done = client.post("/portal/submit", data={"_csrf": csrf(review.text)})
    assert done.status_code == 200 and "Thank you" in done.text
    assert 'pm_portal=""' in done.headers.get("set-cookie", "") or "Max-Age=0" in done.headers.get("set-cookie", "")

    # What the practitioner's dashboard reads: the same stored records, with outcome and flags, at once.
    with web_practice.work(Actor.system("t"), write=False) as work:
        rivera = Actor.of(work.db.scalars(select(User).where(User.username == "rivera")).one())
        packet = work.db.get(PortalPacket, __import__("uuid").UUID(packet_id))
        client_id = packet.client_id
        assert packet.status == "submitted"
    with web_practice.work(rivera) as work:
        response = next(r for r in forms.responses_of(work, client_id) if r.submitted_via == "portal")
        assert response.outcome == "risk" and response.findings
        result = next(r for r in assessments.results_of(work, client_id, "talk/phq-9") if r.recorded_by is None)
        assert [f["code"] for f in result.flags] == ["phq9-item9"]
    with web_practice.work(Actor.system("t"), write=False) as work:
        signature = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == client_id,
                                                                ConsentRecord.method == "portal")).one()
        document = work.registry.consent_documents.get("talk/informed-consent", signature.document_version)
        assert signature.text_hash == document.text_hash and signature.signer_capacity == "self"

    # The link is spent: it now answers "already submitted".
    again = client.get(f"/p/{token}", follow_redirects=False)
    assert again.status_code == 410 and "already submitted" in again.text


def test_cookie_flags_and_no_token_after_the_first_redirect(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    first, overview = open_link(client, token)
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Path=/portal" in cookie and "Secure" not in cookie  # insecure-cookie setting on in tests
    assert token not in cookie and token not in first.headers["location"]
    for url in ("/portal", "/portal/step?n=1", "/portal/step?n=2", "/portal/review"):
        page = client.get(url)
        assert token not in page.text and token not in str(page.url)
        assert page.headers["cache-control"] == "no-store"


def test_secure_deployments_mark_the_portal_cookie_secure(web_practice, issue):
    from litestar.testing import TestClient

    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    with TestClient(app=create_app(web_practice, WebSettings(insecure_cookies=False, public_url="https://testserver.local")),
                    base_url="https://testserver.local") as secure_client:
        first = secure_client.get(f"/p/{token}", follow_redirects=False)
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("__Secure-pm_portal=") and "Secure" in cookie and "HttpOnly" in cookie


def test_a_link_opened_from_another_site_continues_from_a_page_of_ours(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    response = client.get(f"/p/{token}", headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
    assert response.status_code == 200 and 'content="0; url=/portal"' in response.text
    assert token not in response.text and "pm_portal=" in response.headers["set-cookie"]


def test_portal_forms_need_the_portal_sessions_csrf_token(client, issue, signed_in):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    staff_csrf = signed_in("frontdesk")
    open_link(client, token)
    for data in ({"go": "next"}, {"go": "next", "_csrf": staff_csrf}, {"go": "next", "_csrf": "x" * 64}):
        assert client.post("/portal/step?n=1", data=data).status_code == 403
    assert client.post("/portal/submit", data={"_csrf": staff_csrf}).status_code == 403


def test_a_portal_session_opens_no_staff_page_and_a_staff_session_no_portal_page(client, issue, signed_in):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    for url in ("/", "/clients", "/clients/00000000-0000-4000-8000-000000000000"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    client.cookies.clear()
    signed_in("rivera")
    response = client.get("/portal", follow_redirects=False)
    assert response.status_code == 403 and "open that link again" in response.text.lower()
    assert "Sign out" not in response.text  # the portal's own layout, no staff menu


def test_a_saved_draft_keeps_answers_for_finishing_later(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    later = client.post("/portal/step?n=1", data={"_csrf": csrf(page.text), "go": "later", "goals": "sleep"})
    assert later.status_code == 200 and "saved" in later.text
    open_link(client, token)
    assert ">sleep</textarea>" in client.get("/portal/step?n=1").text


def test_back_saves_and_goes_to_the_previous_step(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    page = client.get("/portal/step?n=2")
    back = client.post("/portal/step?n=2", data={"_csrf": csrf(page.text), "go": "back", "signer_name": "J"},
                       follow_redirects=False)
    assert back.headers["location"] == "/portal/step?n=1"
    assert 'value="J"' in client.get("/portal/step?n=2").text


def test_an_unknown_step_is_a_portal_404(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    response = client.get("/portal/step?n=9")
    assert response.status_code == 404 and "Sign out" not in response.text and "Client forms" in response.text


def test_viewing_and_saving_are_audited_as_the_portal_identity(client, web_practice, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    client.post("/portal/step?n=1", data={"_csrf": csrf(page.text), "go": "next"})
    with web_practice.work(Actor.system("t"), write=False) as work:
        actions = set(work.db.scalars(select(AuditEvent.action).where(AuditEvent.actor_role == "portal_client")))
    assert {"portal.link_use", "portal.view", "portal.save_step"} <= actions


def test_every_installed_modalitys_forms_and_consents_render_and_file(client, web_practice, issue):
    """Steps are drawn from the plugins' definitions alone: every one renders, accepts answers and files."""
    registry = web_practice.registry
    modalities = [m.key for m in registry.modalities]
    consents = [d.key for d in registry.consent_documents]
    instruments = [a.key for a in registry.assessments if a.items]
    with web_practice.work(Actor.system("t")) as work:
        from polymodal.core.models import Client
        from polymodal.core.services import portal

        jordan = work.db.scalars(select(Client).where(Client.legal_first_name == "Jordan")).one()
        packet = portal.prepare_packet(work, jordan.id, modalities, instruments, consents)
        _, token = portal.issue_link(work, packet.id)
        items = list(packet.items)
    assert {i["kind"] for i in items} == {"form", "consent", "assessment"}
    open_link(client, token)
    for n, item in enumerate(items, start=1):
        page = client.get(f"/portal/step?n={n}")
        assert page.status_code == 200 and f"Step {n} of {len(items)}" in page.text, item
        if item["kind"] == "assessment":
            instrument = registry.assessments.get(item["key"])
            data = {i.key: instrument.options_for(i)[0].value for i in instrument.items if instrument.options_for(i)}
        elif item["kind"] == "form":
            form = registry.forms.get(item["key"])
            # Every plugin's staff-only sections stay out of the portal; posted anyway, they are ignored.
            assert not [k for k in form.staff_keys if f'name="{k}"' in page.text], item
            data = minimal_answers(form.fields)
        else:
            data = {**minimal_answers(registry.consent_documents.get(item["key"]).fields),
                    "signer_name": "Jordan Ellis", "agree": "yes"}
        response = client.post(f"/portal/step?n={n}", data={**data, "_csrf": csrf(page.text)},
                               follow_redirects=False)
        assert response.status_code == 303, (item, response.text[-1500:])
    review = client.get("/portal/review")
    assert review.text.count("complete</span>") == len(items)
    assert "Thank you" in client.post("/portal/submit", data={"_csrf": csrf(review.text)}).text


def test_sending_an_incomplete_packet_names_the_steps_and_files_nothing(client, web_practice, issue):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    review = client.get("/portal/review")
    assert "2 steps still need answers" in review.text
    refused = client.post("/portal/submit", data={"_csrf": csrf(review.text)})
    assert refused.status_code == 422 and "Nothing was sent yet" in refused.text
    assert "Talk therapy intake: This field is required." in refused.text
    assert "Informed consent to services: Type your full name to sign." in refused.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert work.db.get(PortalPacket, __import__("uuid").UUID(packet_id)).status == "open"
