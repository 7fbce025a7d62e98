"""The portal never shows or accepts a staff-only form section (the arts intake's clinician section here);
the arts packet asks for the informed consent; psychedelic integration asks its screening and shows its legal
text; answers stay escaped."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import FormResponse, PortalPacket
from polymodal.core.services import portal
from tests.web.portal.conftest import csrf, minimal_answers, open_link

MODALITY = "talk/psychedelic-integration"

SCRIPT = "<script>alert('x')</script>"


def _arts_step(web_practice, issue):
    token, packet_id = issue("Kapoor", "Ravi", ["arts/art-therapy"])
    with web_practice.work(Actor.system("t"), write=False) as work:
        items = work.db.get(PortalPacket, uuid.UUID(packet_id)).items
    return token, packet_id, items


def test_the_arts_packet_asks_the_intake_and_both_consents(web_practice, issue):
    _, _, items = _arts_step(web_practice, issue)
    assert [(i["kind"], i["key"]) for i in items] == [
        ("form", "arts/intake"), ("consent", "arts/informed-consent"), ("consent", "arts/artwork-and-recordings")]
    assert items[0]["version"] == 2


def test_the_intake_page_has_no_staff_only_section(client, web_practice, issue):
    token, _, _ = _arts_step(web_practice, issue)
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    assert page.status_code == 200 and "What brings you to arts therapy now?" in page.text
    assert "What helps you feel safe" in page.text and "Latex" in page.text
    intake = web_practice.registry.forms.get("arts/intake")
    for section in (s for s in intake.sections if s.staff_only):
        assert section.title not in page.text
        for field in section.fields:
            assert f'name="{field.key}"' not in page.text and field.label not in page.text


def test_posted_staff_only_answers_are_ignored_and_never_shown_or_filed(client, web_practice, issue):
    token, packet_id, items = _arts_step(web_practice, issue)
    registry = web_practice.registry
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    client_fields = registry.forms.get("arts/intake").for_client().fields
    data = {**minimal_answers(client_fields), "presenting_concerns": f"Grief {SCRIPT}",
            "sharps_risk": "yes", "risk_review": "referred", "clinician_observations": "Posted by the client",
            "_csrf": csrf(page.text), "go": "next"}
    saved = client.post("/portal/step?n=1", data=data, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/portal/step?n=2"  # nothing staff-only asked
    for n, item in enumerate(items[1:], start=2):
        page = client.get(f"/portal/step?n={n}")
        document = registry.consent_documents.get(item["key"])
        client.post(f"/portal/step?n={n}", data={**minimal_answers(document.fields), "signer_name": "Ravi Kapoor",
                                                 "agree": "yes", "_csrf": csrf(page.text), "go": "next"})
    review = client.get("/portal/review")
    assert review.text.count("complete</span>") == 3
    assert "Posted by the client" not in review.text and "Sharps" not in review.text
    assert "Grief &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in review.text and SCRIPT not in review.text
    done = client.post("/portal/submit", data={"_csrf": csrf(review.text)})
    assert "Thank you" in done.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        packet = work.db.get(PortalPacket, uuid.UUID(packet_id))
        assert not {"sharps_risk", "risk_review", "clinician_observations"} & set(packet.drafts["form:arts/intake"])
        response = work.db.scalars(select(FormResponse).where(FormResponse.client_id == packet.client_id,
                                                              FormResponse.form_key == "arts/intake")).one()
    assert not {"sharps_risk", "risk_review", "clinician_observations"} & set(response.answers)
    assert response.answers["presenting_concerns"] == f"Grief {SCRIPT}"  # kept as typed, escaped when shown
    assert "arts/sharps" not in {f["code"] for f in response.findings}


def test_staff_see_and_fill_the_staff_only_section(client, signed_in, web_practice, client_id):
    signed_in("ari")
    ravi = client_id("Kapoor", "Ravi")
    page = client.get(f"/clients/{ravi}/intake/new", params={"form": "arts/intake"})
    assert page.status_code == 200
    assert "Clinician&#39;s observations and risk review" in page.text or "Clinician's observations" in page.text
    assert "(staff only: never shown to the client)" in page.text and 'name="a.sharps_risk"' in page.text


def test_staff_complete_a_portal_response_from_its_answers(client, signed_in, web_practice, client_id):
    ravi = uuid.UUID(client_id("Kapoor", "Ravi"))
    client_answers = {"presenting_concerns": f"Grief {SCRIPT}", "mobility_balance": False,
                      "suicidal_thoughts_now": False, "suicidal_thoughts_past": False, "suicide_attempt": False,
                      "self_harm": False, "violence_risk": False, "material_allergies": ["latex"]}
    with web_practice.work(Actor.system("t")) as work:
        from polymodal.core.services import forms

        filed = forms.submit_form(work, ravi, "arts/intake", {**client_answers, "sharps_risk": False}, via="portal")
    token = signed_in("ari")
    shown = client.get(f"/clients/{ravi}/intake/{filed.id}").text
    assert "Complete the staff-only section" in shown
    page = client.get(f"/clients/{ravi}/intake/new", params={"form": "arts/intake", "from": str(filed.id)}).text
    assert "Grief &lt;script&gt;" in page and SCRIPT not in page  # the client's answer, escaped
    assert 'name="a.material_allergies" value="latex" checked' in page
    other = client.get(f"/clients/{ravi}/intake/new", params={"form": "arts/intake", "from": str(uuid.uuid4())})
    assert other.status_code == 404  # another response id is not found, never a hint
    data = {"_csrf": token, "form_key": "arts/intake", "a.presenting_concerns": f"Grief {SCRIPT}",
            "a.mobility_balance": "no", "a.suicidal_thoughts_now": "no", "a.suicidal_thoughts_past": "no",
            "a.suicide_attempt": "no", "a.self_harm": "no", "a.violence_risk": "no", "a.sharps_risk": "yes",
            "a.clinician_observations": "Calm, chose clay"}
    saved = client.post(f"/clients/{ravi}/intake/new", data=data, follow_redirects=False)
    assert saved.status_code in (200, 303)
    with web_practice.work(Actor.system("t"), write=False) as work:
        newest = work.db.scalars(select(FormResponse).where(FormResponse.client_id == ravi,
                                                            FormResponse.submitted_via == "staff")).one()
    assert newest.answers["sharps_risk"] is True and newest.answers["clinician_observations"] == "Calm, chose clay"
    assert "arts/sharps" in {f["code"] for f in newest.findings}


def test_the_portal_shows_the_screening_and_the_legal_text(client, web_practice, issue):
    token, packet_id = issue("Moreau", "Elena", [MODALITY])
    with web_practice.work(Actor.system("t"), write=False) as work:
        items = work.db.get(PortalPacket, uuid.UUID(packet_id)).items
    keys = [portal.item_id(i) for i in items]
    assert "form:talk/integration-screening" in keys
    open_link(client, token)
    n = keys.index("consent:talk/psychedelic-integration") + 1
    page = client.get(f"/portal/step?n={n}").text
    for statement in ("We do not provide, sell or give you any psychedelic", "we do not help you obtain one",
                      "do not supervise or guide its use", "illegal under federal law and in most states",
                      "Oregon and Colorado", "not advice to take a substance and not an endorsement",
                      "The limits are those in the informed consent"):
        assert statement in page.replace("&#39;", "'"), statement
    n = keys.index("form:talk/integration-screening") + 1
    page = client.get(f"/portal/step?n={n}").text
    assert "Lithium" in page and "a parent, brother or sister, or child" in page and "Are you pregnant" in page
