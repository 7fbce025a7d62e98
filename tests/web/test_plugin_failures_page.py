"""A center with one plugin that fails to import still serves, and its admin sees why it is disabled."""

from __future__ import annotations

from litestar.testing import TestClient

from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.conftest import sign_in


def test_the_center_runs_and_the_admin_sees_the_disabled_plugin(broken_installed, web_engine, web_clock, tmp_path):
    practice = Practice(get_plugin_manager(), Settings(data_dir=tmp_path), engine=web_engine, clock=web_clock)
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as client:
        assert client.get("/healthz").status_code == 200
        sign_in(client, "admin")
        page = client.get("/admin/plugins").text
        assert "Disabled at start-up" in page and "needs libsomatic 2.0" in page and "talk" in page
