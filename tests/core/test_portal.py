"""Portal core: links bound to one client and packet, refused cases, per-step drafts, guardians."""

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, NotFound, ValidationFailed
from polymodal.core.models import ConsentRecord, FormResponse, PortalLink, PortalPacket
from polymodal.core.services import cases, clients, forms, portal, scheduling
from polymodal.core.services.portal import LinkRefused


@pytest.fixture
def adult(practice, staff, rooms):
    with practice.work(staff["desk"]) as work:
        client = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                "date_of_birth": "1990-01-01"})
        case = cases.open_case(work, title="Ada", kind="individual", client_ids=[client.id],
                               practitioner_ids=[staff["super"].user_id])
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": "clinic/therapy",
                                           "starts_at": dt.datetime(2026, 3, 9, 10), "room_id": rooms[0]})
    return client


def packet_and_link(practice, staff, client, **link):
    with practice.work(staff["desk"]) as work:
        packet = portal.prepare_packet(work, client.id)
        row, token = portal.issue_link(work, packet.id, **link)
    return packet, row, token


def test_a_packet_holds_what_the_upcoming_sessions_need(practice, staff, adult):
    packet, _, _ = packet_and_link(practice, staff, adult)
    assert [portal.item_id(i) for i in packet.items] == ["form:clinic/intake", "consent:clinic/informed"]


def test_the_token_is_long_random_and_stored_only_as_a_hash(practice, staff, adult):
    _, row, token = packet_and_link(practice, staff, adult)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    with practice.work(Actor.system("t"), write=False) as work:
        stored = work.db.get(PortalLink, row.id)
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(stored.__dict__)


def test_an_adult_completes_a_packet_step_by_step(practice, staff, adult, clock):
    packet, _, token = packet_and_link(practice, staff, adult)
    session_token, _ = portal.exchange_link(practice, token, "203.0.113.9")
    actor, packet_id = portal.resume(practice, session_token)
    assert (actor.client_id, packet_id) == (adult.id, packet.id)
    with practice.work(actor) as work:  # a step with an error keeps every answer
        errors = portal.save_step(work, packet_id, "form:clinic/intake", {"concern": "", "pregnant": "yes"})
    assert set(errors) == {"concern"}
    clock.advance(minutes=45)  # the portal session ends; the draft stays
    with pytest.raises(LinkRefused, match="saved answers are kept"):
        portal.resume(practice, session_token)
    session_token, _ = portal.exchange_link(practice, token)
    actor, packet_id = portal.resume(practice, session_token)
    with practice.work(actor) as work:
        assert work.db.get(PortalPacket, packet.id).drafts["form:clinic/intake"]["pregnant"] == "yes"
        portal.save_step(work, packet_id, "form:clinic/intake", {"concern": "sleep", "pregnant": "yes"})
        portal.save_step(work, packet_id, "consent:clinic/informed", {"signer_name": "Ada Lovelace", "agree": "yes"})
        filed = portal.submit_packet(work, packet_id)
    assert len(filed) == 2
    with practice.work(Actor.system("t"), write=False) as work:
        response = work.db.scalars(select(FormResponse)).one()
        assert (response.submitted_via, response.outcome) == ("portal", "clearance")
        signature = work.db.scalars(select(ConsentRecord)).one()
        assert (signature.method, signature.signer_capacity, signature.document_version) == ("portal", "self", 2)
    with pytest.raises(LinkRefused, match="already submitted"):
        portal.exchange_link(practice, token)


@pytest.mark.parametrize("case, message", [
    ("expired", "expired"), ("revoked", "withdrawn"), ("unknown", "not valid")])
def test_refused_links(practice, staff, adult, clock, case, message):
    _, row, token = packet_and_link(practice, staff, adult)
    if case == "expired":
        clock.advance(days=8)
    elif case == "revoked":
        with practice.work(staff["desk"]) as work:
            portal.revoke_link(work, row.id)
    elif case == "unknown":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(LinkRefused, match=message):
        portal.exchange_link(practice, token)


def test_a_portal_identity_reaches_no_other_client(practice, staff, adult):
    with practice.work(staff["desk"]) as work:
        other = clients.register_client(work, {"legal_first_name": "Bo", "legal_last_name": "Other",
                                               "date_of_birth": "1980-01-01"})
        other_packet = portal.prepare_packet(work, other.id, ["clinic/therapy"])
    _, _, token = packet_and_link(practice, staff, adult)
    actor, _ = portal.resume(practice, portal.exchange_link(practice, token)[0])
    with practice.work(actor) as work, pytest.raises(NotFound):
        portal.save_step(work, other_packet.id, "form:clinic/intake", {"concern": "x"})
    with practice.work(actor) as work, pytest.raises(AccessDenied):
        forms.submit_form(work, other.id, "clinic/intake", {"concern": "tampered client id"})


def test_a_guardian_signs_for_a_child_with_the_childs_assent(practice, staff, rooms):
    with practice.work(staff["desk"]) as work:
        child = clients.register_client(work, {"legal_first_name": "Kim", "legal_last_name": "Young",
                                               "date_of_birth": "2016-01-01"})  # 10: below the center's minor-consent age of 12
        guardian = clients.add_guardian(work, child.id, {"name": "Pat Young", "relationship": "father"})
        packet = portal.prepare_packet(work, child.id, ["clinic/therapy"])
        _, child_token = portal.issue_link(work, packet.id)
        _, guardian_token = portal.issue_link(work, packet.id, guardian_id=guardian.id)
    child_actor, packet_id = portal.resume(practice, portal.exchange_link(practice, child_token)[0])
    with practice.work(child_actor) as work:
        portal.save_step(work, packet_id, "form:clinic/intake", {"concern": "school"})
        portal.save_step(work, packet_id, "consent:clinic/informed", {"signer_name": "Kim", "agree": "yes"})
        with pytest.raises(ValidationFailed, match="guardian must sign"):
            portal.submit_packet(work, packet_id)
    actor, packet_id = portal.resume(practice, portal.exchange_link(practice, guardian_token)[0])
    assert actor.guardian_id == guardian.id
    with practice.work(actor) as work:
        portal.save_step(work, packet_id, "consent:clinic/informed",
                         {"signer_name": "Pat Young", "agree": "yes", "assent_name": "Kim"})
        portal.submit_packet(work, packet_id)
    with practice.work(Actor.system("t"), write=False) as work:
        signature = work.db.scalars(select(ConsentRecord)).one()
        assert (signature.signer_capacity, signature.guardian_id) == ("guardian", guardian.id)
        assert signature.scope["assent"]["name"] == "Kim"


def test_staff_add_instruments_whose_flags_are_filed_with_the_packet(practice, staff, adult):
    from polymodal.core.models import AssessmentResult

    with practice.work(staff["desk"]) as work:
        packet = portal.prepare_packet(work, adult.id, ["clinic/therapy"], assessment_keys=["clinic/mini"])
        _, token = portal.issue_link(work, packet.id)
        with pytest.raises(ValidationFailed):
            portal.prepare_packet(work, adult.id, ["clinic/therapy"], assessment_keys=["clinic/nope"])
    assert portal.item_id(packet.items[-1]) == "assessment:clinic/mini"
    actor, packet_id = portal.resume(practice, portal.exchange_link(practice, token)[0])
    with practice.work(actor) as work:
        assert portal.packet_view(work, packet_id)["client_name"] == "Ada"
        portal.save_step(work, packet_id, "form:clinic/intake", {"concern": "low mood"})
        portal.save_step(work, packet_id, "consent:clinic/informed", {"signer_name": "Ada Lovelace", "agree": "on"})
        assert portal.save_step(work, packet_id, "assessment:clinic/mini", {"i1": "0"}) != {}
        answers = {"i1": "0", "i2": "0", "risk": "1"}
        assert portal.save_step(work, packet_id, "assessment:clinic/mini", answers) == {}
        portal.submit_packet(work, packet_id)
    with practice.work(staff["super"], write=False) as work:
        result = work.db.scalars(select(AssessmentResult)).one()
        assert [f["code"] for f in result.flags] == ["risk"]


def test_refused_visits_from_one_address_are_throttled(practice, staff, adult):
    _, _, token = packet_and_link(practice, staff, adult)
    for _ in range(portal.MAX_REFUSALS_PER_ADDRESS):
        with pytest.raises(LinkRefused) as refused:
            portal.exchange_link(practice, "x" * 43, "198.51.100.7")
        assert refused.value.status == 404
    with pytest.raises(LinkRefused) as refused:  # even the right token, from that address, for a while
        portal.exchange_link(practice, token, "198.51.100.7")
    assert refused.value.status == 429
    assert portal.exchange_link(practice, token, "198.51.100.8")[0]


def test_link_overview_shows_each_state(practice, staff, adult, clock):
    packet, first, _ = packet_and_link(practice, staff, adult)
    with practice.work(staff["desk"]) as work:
        portal.revoke_link(work, first.id)
        second, _ = portal.reissue_link(work, first.id)
        assert second.packet_id == packet.id
        short, _ = portal.issue_link(work, packet.id, days=1)
    clock.advance(days=2)
    with practice.work(staff["desk"], write=False) as work:
        states = {row["id"]: row["state"] for row in portal.link_overview(work, adult.id)}
    assert states == {first.id: "revoked", second.id: "active", short.id: "expired"}


def test_a_portal_session_lasts_while_it_is_used(practice, staff, adult, clock):
    _, _, token = packet_and_link(practice, staff, adult)
    session_token, _ = portal.exchange_link(practice, token)
    for _ in range(4):  # two hours of steady work, a request every 20 minutes
        clock.advance(minutes=20)
        portal.resume(practice, session_token)
    clock.advance(minutes=31)  # then away for more than half an hour
    with pytest.raises(LinkRefused, match="saved answers are kept"):
        portal.resume(practice, session_token)
