"""The /api/v1 router, the only part of the app in the OpenAPI schema, and the /schema pages."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from polymodal.web.api.assessments import AssessmentsApi
from polymodal.web.api.cases import CasesApi
from polymodal.web.api.clients import ClientsApi
from polymodal.web.api.consents import ConsentsApi
from polymodal.web.api.fhir import FhirApi
from polymodal.web.api.notes import NotesApi
from polymodal.web.api.safety import SafetyPlansApi
from polymodal.web.api.sessions import SessionsApi
from polymodal.web.api.waitlist import WaitlistApi

API_PATH = "/api/v1"
SCHEMA_PATH = "/schema"


def api_router() -> Router:
    return Router(path=API_PATH, route_handlers=[ClientsApi, CasesApi, SessionsApi, ConsentsApi, AssessmentsApi,
                                                  NotesApi, SafetyPlansApi, WaitlistApi, FhirApi],
                  opt={"api": True}, include_in_schema=True, security=[{"bearer": []}])


class SwaggerPage(OpenAPIRenderPlugin):
    """Swagger UI from our own static files (npm, pinned), started by a script file: the CSP allows no
    inline script and no other origin, so Litestar's own page (a CDN and an inline script) cannot load."""

    def __init__(self) -> None:
        super().__init__(path=["/", "/swagger"])

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>polymodal API</title>'
                b'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
                b'<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>'
                b'<body><div id="swagger" data-url="' + SCHEMA_PATH.encode() + b'/openapi.json"></div>'
                b'<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
                b'<script src="/static/schema-page.js"></script></body></html>')


class JsonSchema(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/openapi.json", media_type="application/vnd.oai.openapi+json")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return self.render_json(request, openapi_schema)


def openapi_config(version: str) -> OpenAPIConfig:
    # The schema and its page are public: they describe routes, never data.
    return OpenAPIConfig(
        title="polymodal API", version=version, path=SCHEMA_PATH, render_plugins=[SwaggerPage(), JsonSchema()],
        openapi_router=Router(path=SCHEMA_PATH, route_handlers=[], opt={"public": True}, include_in_schema=False),
        components=Components(security_schemes={"bearer": SecurityScheme(
            type="http", scheme="bearer", description="An API token from your profile page (or an admin's, "
                                                     "for an integration).")}),
        use_handler_docstrings=True)
