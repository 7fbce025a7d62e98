"""Refused links (expired, revoked, unknown, already submitted, throttled) and tampered identities."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent, ConsentRecord, FormResponse, PortalLink, PortalPacket
from polymodal.core.services import portal
from tests.web.portal.conftest import csrf, open_link


def _spend(web_practice, packet_id: str) -> None:
    with web_practice.work(Actor.system("t")) as work:
        work.db.get(PortalPacket, uuid.UUID(packet_id)).status = "submitted"


@pytest.mark.parametrize("case, status, words", [
    ("expired", 410, "has expired"),
    ("revoked", 410, "withdrawn by the center"),
    ("unknown", 404, "not valid"),
    ("submitted", 410, "already submitted"),
])
def test_refused_links_get_a_clear_page_and_no_session(client, web_practice, web_clock, issue, case, status, words):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    if case == "expired":
        web_clock.advance(days=8)
    elif case == "revoked":
        with web_practice.work(Actor.system("t")) as work:
            link = work.db.scalars(select(PortalLink).where(PortalLink.packet_id == uuid.UUID(packet_id))).one()
            portal.revoke_link(work, link.id)
    elif case == "unknown":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    else:
        _spend(web_practice, packet_id)
    response = client.get(f"/p/{token}", follow_redirects=False)
    assert response.status_code == status
    assert words in response.text and "Client forms" in response.text and token not in response.text
    assert not re.search(r'pm_portal=[^;"]', response.headers.get("set-cookie", ""))  # no session handed out
    assert client.get("/portal", follow_redirects=False).status_code == 403
    with web_practice.work(Actor.system("t"), write=False) as work:
        denied = work.db.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "portal.link_use", AuditEvent.outcome == "denied"))
    assert denied == 1


def test_a_session_ends_when_its_link_is_revoked(client, web_practice, issue):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    with web_practice.work(Actor.system("t")) as work:
        link = work.db.scalars(select(PortalLink).where(PortalLink.packet_id == uuid.UUID(packet_id))).one()
        portal.revoke_link(work, link.id)
    response = client.get("/portal/step?n=1")
    assert response.status_code == 410 and "withdrawn" in response.text


def test_refused_links_are_throttled_per_address(client, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    for _ in range(portal.MAX_REFUSALS_PER_ADDRESS):
        assert client.get(f"/p/{'x' * 43}", follow_redirects=False).status_code == 404
    response = client.get(f"/p/{token}", follow_redirects=False)  # even a good link, from there, for a while
    assert response.status_code == 429 and "Wait 15 minutes" in response.text


def test_an_overlong_token_is_just_unknown(client):
    assert client.get(f"/p/{'a' * 5000}", follow_redirects=False).status_code == 404


def _other_client_ids(web_practice, client_id) -> dict[str, str]:
    """Another client's ids (Tom's packet and link) to smuggle into Jordan's portal requests."""
    with web_practice.work(Actor.system("t")) as work:
        tom = client_id("Becker", "Tom")
        packet = portal.prepare_packet(work, uuid.UUID(tom), ["bodywork/massage"])
        link, _ = portal.issue_link(work, packet.id)
    return {"client_id": tom, "packet_id": str(packet.id), "link_id": str(link.id)}


@pytest.mark.parametrize("where", ["form", "query"])
@pytest.mark.parametrize("name", ["client_id", "packet_id", "link_id"])
def test_a_tampered_identity_in_any_field_or_query_is_refused_and_nothing_is_filed(
        client, web_practice, issue, client_id, where, name):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    theirs = _other_client_ids(web_practice, client_id)
    open_link(client, token)
    page = client.get("/portal/step?n=2")
    good = {"_csrf": csrf(page.text), "go": "next", "signer_name": "Jordan Ellis", "agree": "yes"}
    smuggle = {name: theirs[name]}
    for method, url in (("POST", "/portal/step?n=2"), ("POST", "/portal/submit"), ("GET", "/portal"),
                        ("GET", "/portal/step?n=1"), ("GET", "/portal/review")):
        if method == "GET" and where == "form":
            continue
        response = client.request(method, url, data={**good, **smuggle} if where == "form" else good,
                                  params=smuggle if where == "query" else None) if method == "POST" else \
            client.get(url, params=smuggle)
        assert response.status_code == 400, (method, url, response.status_code)
        assert "refused" in response.text and "Nothing was saved" in response.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert work.db.get(PortalPacket, uuid.UUID(packet_id)).drafts == {}
        assert work.db.get(PortalPacket, uuid.UUID(theirs["packet_id"])).drafts == {}
        assert work.db.scalar(select(func.count()).select_from(FormResponse).where(
            FormResponse.submitted_via == "portal")) == 0
        assert work.db.scalar(select(func.count()).select_from(ConsentRecord).where(
            ConsentRecord.method == "portal")) == 0
        tamper = work.db.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.outcome == "denied", AuditEvent.reason == "identity parameter in a portal request"))
    assert tamper >= 1


def test_unknown_fields_never_reach_the_draft(client, web_practice, issue):
    token, packet_id = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    client.post("/portal/step?n=1", data={"_csrf": csrf(page.text), "goals": "rest", "role": "admin",
                                          "submitted_by": "x"})
    with web_practice.work(Actor.system("t"), write=False) as work:
        draft = work.db.get(PortalPacket, uuid.UUID(packet_id)).drafts["form:talk/intake"]
    assert draft["goals"] == "rest" and "role" not in draft and "submitted_by" not in draft
