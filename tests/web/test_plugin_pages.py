"""Plugin pages belong to the app (issue 17, item 6): they render inside its layout from the plugin's own
template folder, add menu entries through a hook, read data through the core's services under the same
access rules, and are listed with their actions for the admin."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core.api import load_module_from_path
from polymodal.core.errors import StartupError
from polymodal.core.models import AuditEvent, Client
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.conftest import FIXTURE_PLUGINS

MENU = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


@pytest.fixture
def paged():
    return load_module_from_path(FIXTURE_PLUGINS / "paged" / "__init__.py", "polymodal_fixture_paged")


@pytest.fixture
def paged_app(web_practice, paged):
    practice = Practice(get_plugin_manager(plugins=[("paged", paged)]), web_practice.settings,
                        engine=web_practice.engine, clock=web_practice.clock)
    return practice, create_app(practice, WebSettings(insecure_cookies=True))


def test_a_plugin_page_renders_in_the_layout_with_the_menu_and_escapes_what_it_shows(paged_app, sign_in,
                                                                                     queries):
    _, app = paged_app
    with TestClient(app=app) as client:
        sign_in(client, "frontdesk")
        queries.reset()
        page = client.get("/m/paged/today", params={"note": "<script>alert(1)</script>"})
        assert page.status_code == 200
        assert "<title>Today's sessions · polymodal</title>" in page.text
        menu = MENU.search(page.text).group(1)
        # The core's entries and the plugin's, the current page marked, as on any core page.
        assert 'href="/clients"' in menu and '<a href="/m/paged/today" aria-current="page">Paged today</a>' in menu
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', page.text)
        assert "Fran Desk" in page.text  # the signed-in user, from the layout
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
        assert re.search(r'<ul id="paged-sessions">\s*<li>', page.text)  # the demo's sessions of today
        # Sign-in check, the center, the schedule's three reads, the audit event: 10 measured.
        assert queries.count <= 10, queries.statements


def test_hook_polymodal_register_menu_items_entries_follow_the_roles_and_bad_ones_are_left_out(paged_app, sign_in):
    practice, app = paged_app
    with TestClient(app=app) as client:
        sign_in(client, "frontdesk")
        menu = MENU.search(client.get("/").text).group(1)
        assert "Paged today" in menu and "Admins only" not in menu
        assert "Nowhere" not in menu and "Typo" not in menu
    with TestClient(app=app) as client:
        sign_in(client, "admin")
        assert "Admins only" in MENU.search(client.get("/").text).group(1)
        admin_page = client.get("/admin/plugins").text
        assert "leads to &#39;/missing&#39;, which no GET route of the plugin answers" in admin_page
        assert "names the unknown action &#39;schedule.raed&#39;" in admin_page
        # Its pages with their actions, and its menu entries, on the admin's plugin page.
        assert re.search(r"GET /m/paged/today</code>\s*</td>\s*<td>schedule\.read", admin_page)
        assert re.search(r"GET /m/paged/client</code>\s*</td>\s*<td>schedule\.read", admin_page)
        assert "Paged today" in admin_page
    strict = Practice(practice.pm, Settings(data_dir=practice.settings.data_dir, strict_plugins=True),
                      engine=practice.engine, clock=practice.clock)
    with pytest.raises(StartupError, match="menu entry 'Nowhere' leads to '/missing'"):
        create_app(strict, WebSettings(insecure_cookies=True))


def test_reads_apply_the_core_access_rules_and_audit(paged_app, sign_in, client_id):
    practice, app = paged_app
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    with TestClient(app=app) as client:
        sign_in(client, "rivera")
        page = client.get("/m/paged/client", params={"id": jordan})
        assert page.status_code == 200 and "<h1>Jordan Ellis</h1>" in page.text and "Dr. Dana Rivera" in page.text
        # The guard cannot see a query parameter; the client service refuses, as on the core's pages.
        refused = client.get("/m/paged/client", params={"id": tom})
        assert refused.status_code in (403, 404) and "Tom" not in refused.text
        assert client.get("/m/paged/client", params={"id": "not-a-uuid"}).status_code == 400
    with practice.engine.connect() as conn:
        views = conn.execute(select(AuditEvent.action, AuditEvent.client_id)
                             .where(AuditEvent.action == "client.view")).all()
    assert any(str(v.client_id) == jordan for v in views)


def test_the_installed_example_page_is_in_the_layout_and_listed_with_its_action(client, signed_in, capsys):
    from polymodal.core import cli

    signed_in("frontdesk")
    page = client.get("/m/ecotherapy/checklist")
    assert page.status_code == 200 and "<h1>Outdoor session checklist</h1>" in page.text
    assert '<a href="/m/ecotherapy/checklist" aria-current="page">Outdoor checklist</a>' in page.text
    assert cli.main(["plugins", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"route GET /m/ecotherapy/checklist\s+schedule\.read", out)
    assert "menu  'Outdoor checklist' -> /m/ecotherapy/checklist  (schedule.read)" in out


def test_the_admin_sees_where_plugins_overlap(web_practice, load_plugin, sign_in):
    pm = get_plugin_manager(plugins=[("copycat", load_plugin("copycat"))])
    practice = Practice(pm, web_practice.settings, engine=web_practice.engine, clock=web_practice.clock)
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as client:
        sign_in(client, "admin")
        page = client.get("/admin/plugins").text
    assert "Where plugins overlap" in page
    assert "discipline &#39;dance-movement-therapy&#39; is named by plugins arts, copycat" in page


def test_a_center_hides_one_of_two_plugins_modalities_explicitly_and_the_admin_sees_it(web_practice, load_plugin,
                                                                                        sign_in):
    import dataclasses

    from polymodal.core.access import Actor
    from polymodal.core.errors import ValidationFailed
    from polymodal.core.services import scheduling

    pm = get_plugin_manager(plugins=[("copycat", load_plugin("copycat"))])
    settings = dataclasses.replace(web_practice.settings, hidden_modalities=("copycat/dmt", "gone/x"))
    practice = Practice(pm, settings, engine=web_practice.engine, clock=web_practice.clock)
    assert "copycat/dmt" not in [m.key for m in practice.registry.modalities]
    assert practice.registry.modalities.get("copycat/dmt").name == "Dance/movement therapy"  # records still show
    with practice.work(Actor.system("test")) as work, pytest.raises(ValidationFailed) as refused:
        jordan = work.db.scalars(select(Client.id).where(Client.legal_last_name == "Ellis")).one()
        scheduling.schedule_session(work, {"modality_key": "copycat/dmt", "starts_at": "2026-10-22T10:00:00Z",
                                           "client_ids": [jordan], "practitioner_ids": []})
    assert refused.value.errors == {"modality_key": "Choose a modality offered here."}
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as client:
        sign_in(client, "admin")
        page = client.get("/admin/plugins").text
    assert "Modalities this center hides" in page
    assert "Dance/movement therapy (copycat/dmt, from plugin copycat): hidden, not offered" in page
    assert "gone/x: to be hidden, but no installed plugin provides it" in page
    assert "Where plugins overlap" not in page  # hiding one of the two settles it
