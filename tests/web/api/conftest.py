"""API fixtures: the app's routes, as (path in OpenAPI form, method)."""

from __future__ import annotations

import re

import pytest

from polymodal.web.app import create_app
from polymodal.web.config import WebSettings


@pytest.fixture
def app_routes(web_practice) -> set[tuple[str, str]]:
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    return {(re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method)
            for route in app.routes for handler in route.route_handlers
            for method in handler.http_methods if method not in ("OPTIONS", "HEAD")}
