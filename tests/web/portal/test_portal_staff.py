"""The client page's Portal tab: prepare, share once, e-mail, list with state, revoke, reissue; access and queries."""

from __future__ import annotations

import re
import uuid

from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import PortalLink
from polymodal.core.services import portal
from polymodal.web.app import create_app
from polymodal.web.config import DEVELOPMENT_URL, WebSettings
from tests.web.conftest import HTMX, sign_in
from tests.web.portal.smtp_sink import SmtpSink

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


def test_the_link_is_e_mailed_when_an_smtp_server_is_configured(web_practice, client_id):
    jordan = client_id("Ellis", "Jordan")
    with SmtpSink() as sink:
        settings = WebSettings(insecure_cookies=True, smtp_host="127.0.0.1", smtp_port=sink.port,
                               smtp_sender="desk@riverside.example", public_url="https://care.example.org")
        with TestClient(app=create_app(web_practice, settings)) as staff:
            csrf = sign_in(staff, "frontdesk")
            response = staff.post(f"/clients/{jordan}/portal", data={"_csrf": csrf, "email": "yes"})
    url, token = LINK.search(response.text).groups()
    assert url == f"https://care.example.org/p/{token}"
    assert "Sent by e-mail to jordan@example.org" in response.text
    [(sender, recipients, message)] = sink.messages
    assert (sender, recipients) == ("desk@riverside.example", ["jordan@example.org"])
    body = message.get_content()
    assert url in body and "Riverside Integrative Health" in message["Subject"]
    assert "intake" not in body.lower() and "therapy" not in message["Subject"].lower()  # nothing clinical


def test_a_failed_e_mail_still_shows_the_link(web_practice, client_id):
    jordan = client_id("Ellis", "Jordan")
    with SmtpSink() as sink:
        port = sink.port
    settings = WebSettings(insecure_cookies=True, smtp_host="127.0.0.1", smtp_port=port)  # nothing listens now
    with TestClient(app=create_app(web_practice, settings)) as staff:
        csrf = sign_in(staff, "frontdesk")
        response = staff.post(f"/clients/{jordan}/portal", data={"_csrf": csrf, "email": "yes"})
    assert LINK.search(response.text) and "could not be sent" in response.text
