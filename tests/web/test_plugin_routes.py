"""Plugin pages are mounted under /m/<plugin>/ and guarded like core pages."""

from __future__ import annotations

from litestar.testing import TestClient

from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings


def test_hook_polymodal_register_routes_mounts_and_guards_plugin_pages(web_practice, load_plugin, client_id,
                                                                         sign_in):
    pm = get_plugin_manager(plugins=[("routed", load_plugin("routed"))])
    practice = Practice(pm, web_practice.settings, engine=web_practice.engine, clock=web_practice.clock)
    app = create_app(practice, WebSettings(insecure_cookies=True))
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    with TestClient(app=app) as client:
        # Not signed in: even the page that claims to be public sends the browser to sign-in.
        assert client.get("/m/routed/open-door", follow_redirects=False).status_code == 303
        sign_in(client, "rivera")
        assert client.get("/m/routed/open-door").text == "a plugin page anyone could read"
        assert client.get(f"/m/routed/clients/{jordan}/summary").status_code == 200
        undeclared = client.get("/m/routed/undeclared")
        assert undeclared.status_code == 403 and "without a policy" not in undeclared.text
        # The handler checks nothing itself; the guard checks client.read against the client in the path.
        assert client.get(f"/m/routed/clients/{tom}/summary").status_code in (403, 404)


def test_the_installed_example_plugin_adds_its_page(client, signed_in):
    assert client.get("/m/ecotherapy/checklist", follow_redirects=False).status_code == 303
    signed_in("frontdesk")
    page = client.get("/m/ecotherapy/checklist")
    assert page.status_code == 200 and "Weather and trail conditions" in page.text


def test_a_route_naming_an_unknown_action_is_not_mounted_and_the_admin_is_told(web_practice, sign_in):
    import types

    import pytest
    from litestar import get

    from polymodal.core.api import hookimpl
    from polymodal.core.errors import StartupError
    from polymodal.core.settings import Settings

    @get("/typo", opt={"action": "schedule.raed"}, sync_to_thread=False)
    def typo() -> str:
        return "never shown"

    plugin = types.ModuleType("typoed")
    plugin.polymodal_register_routes = hookimpl(lambda: [typo])
    pm = get_plugin_manager(plugins=[("typoed", plugin)])
    practice = Practice(pm, web_practice.settings, engine=web_practice.engine, clock=web_practice.clock)
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as client:
        sign_in(client, "admin")
        assert client.get("/m/typoed/typo").status_code == 404
        assert "names the unknown action &#39;schedule.raed&#39;" in client.get("/admin/plugins").text
    strict = Practice(pm, Settings(data_dir=web_practice.settings.data_dir, strict_plugins=True),
                      engine=web_practice.engine, clock=web_practice.clock)
    with pytest.raises(StartupError, match="route GET /m/typoed/typo names the unknown action 'schedule.raed'"):
        create_app(strict, WebSettings(insecure_cookies=True))
