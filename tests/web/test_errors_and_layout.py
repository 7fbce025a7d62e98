"""Error pages stay generic; the layout is role-aware and accessible."""

from __future__ import annotations

import re
import uuid

from litestar import get
from litestar.testing import TestClient

from polymodal.core.access import Actor
from polymodal.core.models import Client
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

HTMX = {"HX-Request": "true"}


def test_404_page_is_generic(client, signed_in):
    signed_in("frontdesk")
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "<h1>Not found</h1>" in response.text
    assert "Traceback" not in response.text


def test_500_page_hides_the_error(web_practice):
    @get("/boom", opt={"public": True}, sync_to_thread=False)
    def boom() -> str:
        raise RuntimeError("secret detail /etc/passwd SELECT * FROM clients")

    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    app.register(boom)
    with TestClient(app=app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_403_for_an_action_the_role_lacks(client, signed_in):
    signed_in("admin")
    response = client.get("/clients/new")
    assert response.status_code == 403 and "<h1>Not allowed</h1>" in response.text


def test_navigation_follows_the_role(client, signed_in):
    signed_in("frontdesk")
    menu = re.search(r'<nav aria-label="Main">(.*?)</nav>', client.get("/clients").text, re.S).group(1)
    assert 'href="/clients" aria-current="page"' in menu and 'href="/"' in menu
    # Entries of areas not mounted yet never link to a 404.
    assert 'href="/schedule"' in menu and "/admin" not in menu


def test_supervisor_dashboard_has_the_cosign_queue_and_front_desk_does_not(client, signed_in):
    signed_in("rivera")
    assert "Co-signatures waiting" in client.get("/").text
    signed_in("frontdesk")
    page = client.get("/").text
    assert "co-signature" not in page and "Register a client" in page


def test_dashboard_fragment(client, signed_in):
    signed_in("frontdesk")
    fragment = client.get("/", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="today-sessions"') and "<html" not in fragment.text


def test_every_form_control_has_a_label(client, signed_in, client_id):
    signed_in("frontdesk")
    cid = client_id("Ellis", "Jordan")
    for url in ("/clients", "/clients/new", f"/clients/{cid}/edit"):
        html = client.get(url).text
        ids = re.findall(r'<input[^>]*\bid="([^"]+)"', html)
        visible = [m for m in re.findall(r"<input[^>]*>", html) if 'type="hidden"' not in m]
        assert len(ids) == len(visible), url
        for control_id in ids:
            assert f'<label for="{control_id}">' in html, (url, control_id)


def test_htmx_config_meta_swaps_422_and_restores_history_with_full_pages(client):
    html = client.get("/sign-in").text
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert '"historyRestoreAsHxRequest":false' in config and '{"code":"422","swap":true}' in config
    assert '{"code":"409","swap":true}' in config
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config
    assert '"historyCacheSize":0' in config  # no page snapshots (client data) in localStorage


def test_dashboard_names_only_clients_the_actor_may_see(client, signed_in):
    signed_in("frontdesk")
    desk = re.findall(r'<a href="/clients/[0-9a-f-]{36}">([^<]+)</a>', client.get("/").text)
    assert {"Jordan Ellis", "Tom Becker"} <= set(desk)  # the demo books sessions for today
    signed_in("maya")
    maya = re.findall(r'<a href="/clients/[0-9a-f-]{36}">([^<]+)</a>', client.get("/").text)
    assert maya == ["Tom Becker"]


def test_dashboard_calls_a_client_by_the_name_they_use(client, signed_in, web_practice, client_id):
    # The day's list and the consents panel read names by column position: a swapped column shows the legal name.
    with web_practice.work(Actor.system("test")) as work:
        work.db.get(Client, uuid.UUID(client_id("Becker", "Tom"))).preferred_name = "Tommy"
    signed_in("frontdesk")
    page = client.get("/").text
    listed = re.findall(r'<a href="/clients/[0-9a-f-]{36}">([^<]+)</a>', page)
    assert "Tommy Becker" in listed and "Tom Becker" not in listed
    assert "Tommy Becker: Consent to touch" in page and "Tom Becker:" not in page


def test_edit_button_only_for_those_who_may_edit(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    signed_in("admin")
    assert f'href="/clients/{cid}/edit"' not in client.get(f"/clients/{cid}").text
    signed_in("frontdesk")
    assert f'href="/clients/{cid}/edit"' in client.get(f"/clients/{cid}").text


def test_admin_dashboard_shows_emergency_access_to_review_and_plugin_errors(client, signed_in, client_id,
                                                                           web_practice):
    import uuid

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from polymodal.core.access import Actor
    from polymodal.core.demo import DEMO_PASSWORD
    from polymodal.core.models import User
    from polymodal.core.services import privacy

    signed_in("admin")
    page = client.get("/").text
    assert "No break-the-glass access waiting for review." in page and "Plugin errors" in page
    with Session(web_practice.engine) as db:
        admin = Actor.of(db.scalars(select(User).where(User.username == "admin")).one())
    with web_practice.work(admin) as work:
        privacy.break_glass(work, uuid.UUID(client_id("Ellis", "Jordan")),
                            "Client in crisis, on-call clinician unreachable", DEMO_PASSWORD)
    web_practice.record_plugin_error("talk", "polymodal_preflight_checks", RuntimeError("boom"))
    page = client.get("/").text
    assert "Client in crisis, on-call clinician unreachable" in page
    assert "talk in polymodal_preflight_checks" in page and "boom" not in page
    signed_in("frontdesk")
    page = client.get("/").text
    assert "Emergency access" not in page and "Plugin errors" not in page
