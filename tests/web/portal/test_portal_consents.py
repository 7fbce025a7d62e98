"""Consents in the portal: a guardian for a young child (with the child's assent), touch per body region,
telehealth with the client's location."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import ConsentRecord, Guardian, PortalPacket
from polymodal.core.services import portal
from tests.web.portal.conftest import csrf, minimal_answers, open_link


def _packet_for(web_practice, client_id: str, modalities, *, guardian: bool, consents=()) -> str:
    with web_practice.work(Actor.system("t")) as work:
        guardian_id = work.db.scalars(select(Guardian.id).where(Guardian.client_id == uuid.UUID(client_id))).first()
        packet = portal.prepare_packet(work, uuid.UUID(client_id), modalities, consent_keys=list(consents))
        _, token = portal.issue_link(work, packet.id, guardian_id=guardian_id if guardian else None)
    return token


def _complete(client, web_practice, steps: int, consent_extra: dict) -> None:
    for n in range(1, steps + 1):
        page = client.get(f"/portal/step?n={n}")
        with web_practice.work(Actor.system("t"), write=False) as work:
            packet = work.db.scalars(select(PortalPacket).order_by(PortalPacket.created_at.desc())).first()
            item = packet.items[n - 1]
        if item["kind"] == "form":
            data = minimal_answers(web_practice.registry.forms.get(item["key"]).fields)
        else:
            data = {**minimal_answers(web_practice.registry.consent_documents.get(item["key"]).fields),
                    **consent_extra}
        response = client.post(f"/portal/step?n={n}", data={**data, "_csrf": csrf(page.text), "go": "next"},
                               follow_redirects=False)
        assert response.status_code == 303, (n, item, response.text[-2000:])


def test_a_guardian_completes_a_packet_for_a_ten_year_old_with_her_assent(client, web_practice, child):
    token = _packet_for(web_practice, child, ["talk/psychotherapy"], guardian=True)
    _, overview = open_link(client, token)
    assert "Hello Grace Okafor" in overview.text and "on their behalf" in overview.text
    consent_page = client.get("/portal/step?n=2")
    assert "signing on behalf of <strong>Mila Okafor</strong>, as their <strong>mother</strong>" in consent_page.text
    assert "Mila's own agreement (assent)" in consent_page.text
    _complete(client, web_practice, 2, {"signer_name": "Grace Okafor", "agree": "yes", "assent_name": "Mila"})
    review = client.get("/portal/review")
    assert "Thank you" in client.post("/portal/submit", data={"_csrf": csrf(review.text)}).text
    with web_practice.work(Actor.system("t"), write=False) as work:
        record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == uuid.UUID(child))).one()
    assert (record.signer_capacity, record.signer_name, record.method) == ("guardian", "Grace Okafor", "portal")
    assert record.scope["assent"]["name"] == "Mila"


def test_a_young_child_cannot_sign_alone_and_nothing_is_filed(client, web_practice, child):
    token = _packet_for(web_practice, child, ["talk/psychotherapy"], guardian=False)
    open_link(client, token)
    assert "A parent or guardian must sign" in client.get("/portal/step?n=2").text
    _complete(client, web_practice, 2, {"signer_name": "Mila Okafor", "agree": "yes"})
    review = client.get("/portal/review")
    refused = client.post("/portal/submit", data={"_csrf": csrf(review.text)})
    assert refused.status_code == 422 and "guardian must sign" in refused.text and "Nothing was sent" in refused.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == uuid.UUID(child))).all() == []
        assert work.db.scalars(select(PortalPacket.status).order_by(PortalPacket.created_at.desc())).first() == "open"


def test_a_minor_old_enough_signs_for_themselves(client, web_practice, client_id):
    sofia = client_id("Alvarez", "Sofia")  # born 2014: over the demo center's minor-consent age of 12
    token = _packet_for(web_practice, sofia, ["talk/psychotherapy"], guardian=False)
    open_link(client, token)
    assert "must sign" not in client.get("/portal/step?n=2").text
    _complete(client, web_practice, 2, {"signer_name": "Sofia Alvarez", "agree": "yes"})
    client.post("/portal/submit", data={"_csrf": csrf(client.get("/portal/review").text)})
    with web_practice.work(Actor.system("t"), write=False) as work:
        record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == uuid.UUID(sofia),
                                                             ConsentRecord.method == "portal")).one()
    assert record.signer_capacity == "self"


def test_touch_consent_is_given_per_body_region(client, web_practice, client_id):
    tom = client_id("Becker", "Tom")
    token = _packet_for(web_practice, tom, ["bodywork/massage"], guardian=False)
    open_link(client, token)
    with web_practice.work(Actor.system("t"), write=False) as work:
        items = work.db.scalars(select(PortalPacket).order_by(PortalPacket.created_at.desc())).first().items
    touch = next(n for n, i in enumerate(items, start=1) if i["key"] == "bodywork/touch")
    page = client.get(f"/portal/step?n={touch}")
    assert 'aria-label="Gluteal: Consent"' in page.text and "sensitive" in page.text
    base = {"_csrf": csrf(page.text), "go": "next", "techniques": "Swedish", "draping": "Sheet",
            "signer_name": "Tom Becker", "agree": "yes"}
    bad = client.post(f"/portal/step?n={touch}", data={**base, "regions.low_back.consent": "maybe"})
    assert bad.status_code == 422 and 'value="Sheet"' in bad.text and ">Swedish</textarea>" in bad.text
    good = client.post(f"/portal/step?n={touch}", follow_redirects=False, data={
        **base, "regions.low_back.consent": "consented", "regions.gluteal.consent": "declined"})
    assert good.status_code == 303
    _complete_others(client, web_practice, items, skip=touch)
    client.post("/portal/submit", data={"_csrf": csrf(client.get("/portal/review").text)})
    with web_practice.work(Actor.system("t"), write=False) as work:
        record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.document_key == "bodywork/touch",
                                                             ConsentRecord.method == "portal")).one()
    assert record.scope["regions"] == {"gluteal": "declined", "low_back": "consented"}


def _complete_others(client, web_practice, items, skip: int) -> None:
    for n, item in enumerate(items, start=1):
        if n == skip:
            continue
        page = client.get(f"/portal/step?n={n}")
        catalog = web_practice.registry.forms if item["kind"] == "form" else web_practice.registry.consent_documents
        data = minimal_answers(catalog.get(item["key"]).fields)
        if item["kind"] == "consent":
            data.update(signer_name="Tom Becker", agree="yes")
        assert client.post(f"/portal/step?n={n}", data={**data, "_csrf": csrf(page.text)},
                           follow_redirects=False).status_code == 303


def test_telehealth_consent_records_the_clients_location(client, web_practice, client_id):
    jordan = client_id("Ellis", "Jordan")
    token = _packet_for(web_practice, jordan, ["talk/psychotherapy"], guardian=False, consents=["talk/telehealth"])
    open_link(client, token)
    page = client.get("/portal/step?n=3")
    assert "Telehealth consent" in page.text and "Where are you right now" in page.text
    missing = client.post("/portal/step?n=3", data={"_csrf": csrf(page.text), "signer_name": "Jordan Ellis",
                                                    "agree": "yes", "private_space": "yes"})
    assert missing.status_code == 422 and 'id="f-location-error"' in missing.text
    _complete(client, web_practice, 3, {"signer_name": "Jordan Ellis", "agree": "yes",
                                        "location": "Oakland, CA", "private_space": "yes"})
    client.post("/portal/submit", data={"_csrf": csrf(client.get("/portal/review").text)})
    with web_practice.work(Actor.system("t"), write=False) as work:
        record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.document_key == "talk/telehealth")).one()
    assert record.scope["answers"]["location"] == "Oakland, CA"


def test_the_childs_assent_is_asked_only_where_the_center_wants_it(client, web_practice, child):
    from polymodal.core.models import Center

    with web_practice.work(Actor.system("t")) as work:
        center = work.db.scalars(select(Center)).one()
        center.settings = {**center.settings, "minor_assent": False}
    token = _packet_for(web_practice, child, ["talk/psychotherapy"], guardian=True)
    open_link(client, token)
    page = client.get("/portal/step?n=2")
    assert "signing on behalf of" in page.text and "assent" not in page.text.lower()
