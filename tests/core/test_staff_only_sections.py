"""Staff-only form sections never reach the portal, whichever plugin declares them; a consent version that
changes what the client agrees to is signed again."""

import datetime as dt

import pytest
from sqlalchemy import select

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.errors import ValidationFailed
from polymodal.core.models import FormResponse, PortalPacket
from polymodal.core.services import clients, consent, forms, portal
from tests.conftest import load_fixture_plugin

STAFF_ANSWERS = {"blades_supervised": "yes", "observations": "<script>alert(1)</script>"}


@pytest.fixture
def practice_plugins():
    return (("clinic", load_fixture_plugin("clinic")), ("studio", load_fixture_plugin("studio")))


@pytest.fixture
def ada(practice, staff):
    with practice.work(staff["desk"]) as work:
        return clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                              "date_of_birth": "1990-01-01"})


def portal_actor(practice, staff, client):
    with practice.work(staff["desk"]) as work:
        packet = portal.prepare_packet(work, client.id, ["studio/art"])
        _, token = portal.issue_link(work, packet.id)
    actor, packet_id = portal.resume(practice, portal.exchange_link(practice, token)[0])
    return actor, packet_id


def test_the_client_view_of_a_form_leaves_staff_only_sections_out(practice):
    form = practice.registry.forms.get("studio/intake")
    assert form.staff_keys == {"blades_supervised", "observations"}
    client_view = form.for_client()
    assert [s.key for s in client_view.sections] == ["about"] and (client_view.key, client_view.version) == (
        form.key, form.version)
    assert practice.registry.forms.get("clinic/intake").for_client() is practice.registry.forms.get("clinic/intake")


def test_a_portal_step_ignores_posted_staff_only_answers_and_does_not_ask_for_them(practice, staff, ada):
    actor, packet_id = portal_actor(practice, staff, ada)
    with practice.work(actor) as work:
        errors = portal.save_step(work, packet_id, "form:studio/intake", {"concern": "grief", **STAFF_ANSWERS})
        assert errors == {}  # the required staff-only question is not the client's
        assert work.db.get(PortalPacket, packet_id).drafts["form:studio/intake"] == {"concern": "grief"}
        portal.save_step(work, packet_id, "consent:studio/consent", {"signer_name": "Ada Lovelace", "agree": "yes"})
        portal.submit_packet(work, packet_id)
    with practice.work(actor, write=False) as work:
        response = work.db.scalars(select(FormResponse)).one()
    assert response.answers == {"concern": "grief"} and response.outcome == "eligible" and response.findings == []


def test_a_portal_actor_filing_a_form_directly_cannot_store_staff_only_answers(practice, staff, ada):
    actor, _ = portal_actor(practice, staff, ada)
    with practice.work(actor) as work:
        stored = forms.submit_form(work, ada.id, "studio/intake", {"concern": "grief", **STAFF_ANSWERS}, via="portal")
        assert set(stored.answers) == {"concern"} and stored.outcome == "eligible"


def test_staff_answer_the_staff_only_section(practice, ada):
    with practice.work(Actor.system("intake at the desk")) as work:
        with pytest.raises(ValidationFailed) as refused:
            forms.submit_form(work, ada.id, "studio/intake", {"concern": "grief"})
        assert refused.value.errors == {"blades_supervised": "This field is required."}
        stored = forms.submit_form(work, ada.id, "studio/intake", {"concern": "grief", **STAFF_ANSWERS})
        assert stored.answers["observations"] == "<script>alert(1)</script>" and stored.outcome == "modify"


def test_a_form_of_staff_only_sections_is_not_put_in_a_packet(practice, staff, ada, monkeypatch):
    form = practice.registry.forms.get("studio/intake")
    only_staff = form.model_copy(update={"sections": tuple(s for s in form.sections if s.staff_only)})
    catalog = type(practice.registry.forms)
    real_get = catalog.get
    monkeypatch.setattr(catalog, "get", lambda self, key, version=None: only_staff if key == "studio/intake"
                        else real_get(self, key, version))
    with practice.work(staff["desk"]) as work:
        items = portal.packet_items(work, ["studio/art"])
    assert [i["kind"] for i in items] == ["consent"]


def test_a_signature_on_a_version_the_new_one_replaces_is_asked_again(practice, ada):
    ask = eligibility.Ask("studio/art", (ada.id,), (), dt.datetime(2026, 3, 9, 18, tzinfo=dt.UTC))
    with practice.work(Actor.system("test")) as work:
        consent.record_consent(work, ada.id, "studio/consent", signer_name="Ada Lovelace", version=1)
        outdated = [f for f in eligibility.decide(work, ask).findings if f.code == "core/consent-outdated"]
        assert len(outdated) == 1 and outdated[0].verdict is eligibility.Verdict.consent
        assert "signed on version 1; version 2 changed what it says" in outdated[0].reason
        assert outdated[0].blocks(eligibility.Gate.check_in) and not outdated[0].blocks(eligibility.Gate.book)
        consent.record_consent(work, ada.id, "studio/consent", signer_name="Ada Lovelace")
        assert not [f for f in eligibility.decide(work, ask).findings if f.verdict is eligibility.Verdict.consent]


def test_a_min_signed_version_above_the_documents_own_is_refused():
    from polymodal.core.api import ConsentDocument

    with pytest.raises(ValueError, match="min_signed_version 3 is above the document's version 2"):
        ConsentDocument(key="studio/x", version=2, title="X", text="x", scope="x", min_signed_version=3)
