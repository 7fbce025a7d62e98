"""The client page's Portal tab: prepare, share once, e-mail, list with state, revoke, reissue; access and queries."""

from __future__ import annotations

import re
import uuid

from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.messaging.mailsink import MailSink
from polymodal.core.messaging.models import OutboxMessage
from polymodal.core.messaging.preferences import save_contact_preference
from polymodal.core.messaging.queue import jobs_of
from polymodal.core.models import PortalLink
from polymodal.core.practice import Practice
from polymodal.core.services import portal
from polymodal.core.settings import Settings, SmtpSettings
from polymodal.web.app import create_app
from polymodal.web.config import DEVELOPMENT_URL, WebSettings
from tests.web.conftest import HTMX, sign_in

LINK = re.compile(r'id="portal-url" class="copy" readonly value="(http[^"]+/p/([A-Za-z0-9_-]{43}))"')


def test_the_tab_is_a_page_and_a_fragment(client, signed_in, client_id):
    signed_in("frontdesk")
    jordan = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{jordan}/portal")
    assert page.status_code == 200 and "<html" in page.text and "Prepare forms and a link" in page.text
    assert 'aria-current="page">Portal' in page.text
    fragment = client.get(f"/clients/{jordan}/portal", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="client-tab">') and "<html" not in fragment.text


def test_front_desk_prepares_a_link_shown_once_and_listed(client, signed_in, client_id, web_practice):
    csrf = signed_in("frontdesk")
    jordan = client_id("Ellis", "Jordan")
    # The Host header is the sender's to choose: a link built on it would send the client elsewhere.
    response = client.post(f"/clients/{jordan}/portal", data={"_csrf": csrf, "instrument": "talk/phq-9",
                                                              "days": "5"}, headers={"Host": "evil.example"})
    assert response.status_code == 200
    url, token = LINK.search(response.text).groups()
    assert url == f"{DEVELOPMENT_URL}/p/{token}" and "shown only now" in response.text
    assert "Patient Health Questionnaire-9" in response.text and "active" in response.text
    # Shown once: the list never repeats it, and it is stored only as a hash.
    again = client.get(f"/clients/{jordan}/portal")
    assert token not in again.text and "active" in again.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert token not in str([r.__dict__ for r in work.db.scalars(select(PortalLink))])


def test_bad_input_re_renders_the_form_with_422_and_keeps_the_choices(client, signed_in, client_id):
    csrf = signed_in("frontdesk")
    jordan = client_id("Ellis", "Jordan")
    response = client.post(f"/clients/{jordan}/portal", headers=HTMX, data={
        "_csrf": csrf, "days": "90", "modality": "bodywork/massage", "instrument": "talk/gad-7"})
    assert response.status_code == 422 and "1 to 30 days" in response.text
    assert 'value="bodywork/massage" checked' in response.text and 'value="talk/gad-7" checked' in response.text
    assert 'value="90"' in response.text and "<html" not in response.text


def test_revoke_and_reissue_show_each_links_state(client, signed_in, client_id, web_practice):
    csrf = signed_in("frontdesk")
    sofia = client_id("Alvarez", "Sofia")
    with web_practice.work(Actor.system("t"), write=False) as work:
        from polymodal.core.models import Guardian

        lucia = work.db.scalars(select(Guardian.id).where(Guardian.client_id == uuid.UUID(sofia))).one()
    response = client.post(f"/clients/{sofia}/portal", data={"_csrf": csrf, "recipient": str(lucia),
                                                             "modality": "talk/psychotherapy"})
    assert "Link for Lucia Alvarez (mother)" in response.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        link_id = work.db.scalars(select(PortalLink.id).where(PortalLink.client_id == uuid.UUID(sofia))).one()
    revoked = client.post(f"/clients/{sofia}/portal/links/{link_id}/revoke", data={"_csrf": csrf}, headers=HTMX)
    assert revoked.status_code == 200 and "link-revoked" in revoked.text and "Revoke<" not in revoked.text
    reissued = client.post(f"/clients/{sofia}/portal/links/{link_id}/reissue", data={"_csrf": csrf})
    assert LINK.search(reissued.text) and "link-active" in reissued.text and "link-revoked" in reissued.text


def test_a_link_of_another_client_cannot_be_revoked_through_this_clients_page(client, signed_in, client_id,
                                                                               web_practice):
    csrf = signed_in("frontdesk")
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    with web_practice.work(Actor.system("t")) as work:
        packet = portal.prepare_packet(work, uuid.UUID(tom), ["bodywork/massage"])
        link, _ = portal.issue_link(work, packet.id)
    assert client.post(f"/clients/{jordan}/portal/links/{link.id}/revoke", data={"_csrf": csrf}).status_code == 404
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert work.db.get(PortalLink, link.id).revoked_at is None


def test_access_by_role(client, signed_in, client_id):
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    signed_in("admin")
    assert client.get(f"/clients/{jordan}/portal").status_code == 403
    assert "/portal\"" not in client.get(f"/clients/{jordan}").text  # no Portal tab for the admin
    client.cookies.clear()
    signed_in("maya")
    assert client.get(f"/clients/{tom}/portal").status_code == 200
    assert client.get(f"/clients/{jordan}/portal").status_code == 404  # not on her care team
    client.cookies.clear()
    signed_in("frontdesk")
    page = client.get(f"/clients/{jordan}/portal").text
    assert "Notes" not in page and "presenting" not in page  # the front desk sees no clinical content here


def test_the_link_list_costs_the_same_queries_for_one_link_or_many(client, signed_in, client_id, web_practice,
                                                                   queries):
    signed_in("frontdesk")
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))

    def add_links(count: int) -> None:
        with web_practice.work(Actor.system("t")) as work:
            packet = portal.prepare_packet(work, jordan, ["talk/psychotherapy"])
            for _ in range(count):
                portal.issue_link(work, packet.id)

    add_links(1)
    queries.reset()
    client.get(f"/clients/{jordan}/portal", headers=HTMX)
    few = queries.count
    add_links(15)
    queries.reset()
    page = client.get(f"/clients/{jordan}/portal", headers=HTMX)
    assert page.text.count("link-active") == 16
    assert queries.count == few, queries.statements


def _mailing_practice(web_practice: Practice, tmp_path, sink: MailSink) -> Practice:
    """The suite's center and clock, with an SMTP server to send to."""
    settings = Settings(data_dir=tmp_path, smtp=SmtpSettings(host="127.0.0.1", port=sink.port, tls="none",
                                                             sender="desk@riverside.example"))
    return Practice(web_practice.pm, settings, engine=web_practice.engine, clock=web_practice.clock)


def test_the_link_goes_out_through_the_outbox_once_and_its_text_is_then_blanked(web_practice, client_id,
                                                                                  tmp_path):
    jordan = client_id("Ellis", "Jordan")
    with MailSink() as sink:
        practice = _mailing_practice(web_practice, tmp_path, sink)
        web = WebSettings(insecure_cookies=True, public_url="https://care.example.org")
        try:
            with TestClient(app=create_app(practice, web)) as staff:
                csrf = sign_in(staff, "frontdesk")
                response = staff.post(f"/clients/{jordan}/portal", data={"_csrf": csrf, "email": "yes"})
            assert sink.messages == []  # nothing leaves inside the request: a worker sends it
            assert jobs_of(practice).run_pending() >= 1
        finally:
            jobs_of(practice).stop()
    url, token = LINK.search(response.text).groups()
    assert url == f"https://care.example.org/p/{token}"
    assert "on its way to jordan@example.org" in response.text
    [received] = sink.messages
    assert (received.sender, received.recipients) == ("desk@riverside.example", ["jordan@example.org"])
    body = received.message.get_body(("plain",)).get_content()
    assert url in body and "Riverside Integrative Health" in received.message["Subject"]
    assert "intake" not in body.lower() and "therapy" not in received.message["Subject"].lower()
    with web_practice.work(Actor.system("t"), write=False) as work:
        [row] = work.db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "portal_link")).all()
        assert row.state == "sent" and token not in row.text_body + row.html_body  # the link is not kept


def test_a_client_who_declined_contact_gets_no_e_mail_and_the_link_is_still_shown(client, signed_in,
                                                                                 client_id, web_practice):
    csrf = signed_in("frontdesk")
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    with web_practice.work(Actor.system("t")) as work:
        save_contact_preference(work, jordan, consent_to_contact=False, email_notices=True, email_reminders=True)
    response = client.post(f"/clients/{jordan}/portal", data={"_csrf": csrf, "email": "yes"})
    assert LINK.search(response.text) and "has not agreed to be contacted" in response.text
    with web_practice.work(Actor.system("t"), write=False) as work:
        assert work.db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "portal_link")).all() == []
        assert work.db.scalars(select(PortalLink).where(PortalLink.client_id == jordan)).all()
