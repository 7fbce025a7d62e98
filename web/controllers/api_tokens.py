"""API tokens: one's own (profile) and integrations' (admin). A new token's secret is shown once, here."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.interop import tokens
from polymodal.core.practice import Practice, Work
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

FIELDS = ("name", "days", "role")


def _scopes(data: dict[str, Any]) -> list[str]:
    raw = data.get("scopes", [])
    return [str(v)[:20] for v in (raw if isinstance(raw, list) else [raw]) if v]


def _token_id(data: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(one(data, "token_id", 40))
    except ValueError:
        raise NotFound("no such token") from None


class _TokenPages(Controller):
    integrations = False
    template = ""
    action = ""

    def _page(self, request: HTMXRequest, practice: Practice, actor: Actor, *, values: dict[str, Any] | None = None,
              errors: dict[str, str] | None = None, secret: str = "", status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            rows = tokens.tokens_of(work, integrations=self.integrations)
        context = {"rows": rows, "values": values or {"days": str(tokens.DEFAULT_DAYS), "scopes": ["read"]},
                   "errors": errors or {}, "secret": secret, "now": practice.now(), "section": "integrations",
                   "roles": [r.value for r in tokens.INTEGRATION_ROLES], "base": self.path}
        return render(request, self.template, context, block="tokens", status_code=status_code)

    def _issue(self, work: Work, values: dict[str, Any]) -> str:
        raise NotImplementedError

    def _create(self, request: HTMXRequest, practice: Practice, actor: Actor, data: dict[str, Any]) -> Template:
        values = {**{name: one(data, name, 200) for name in FIELDS}, "scopes": _scopes(data)}
        try:
            with practice.work(actor) as work:
                secret = self._issue(work, values)
        except ValidationFailed as exc:
            return self._page(request, practice, actor, values=values, errors=exc.errors, status_code=422)
        # The one time the secret is shown: the page is not cached (Cache-Control: no-store on every page).
        return self._page(request, practice, actor, secret=secret)

    def _revoke(self, request: HTMXRequest, practice: Practice, actor: Actor, data: dict[str, Any]) -> Response:
        with practice.work(actor) as work:
            tokens.revoke(work, _token_id(data))
        return go(request, self.path)


class TokensController(_TokenPages):
    """A staff member's own tokens: they act as that person, with that person's access."""

    path = "/profile/tokens"
    template = "tokens/personal.html"

    @get("/", opt={"action": "api_token.own"}, sync_to_thread=True)
    def list_tokens(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor]) -> Template:
        return self._page(request, practice, actor)

    @post("/", opt={"action": "api_token.own"}, status_code=200, sync_to_thread=True)
    def create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: AnyForm) -> Template:
        return self._create(request, practice, actor, data)

    @post("/revoke", opt={"action": "api_token.own"}, status_code=200, sync_to_thread=True)
    def revoke(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: AnyForm) -> Response:
        return self._revoke(request, practice, actor, data)

    def _issue(self, work: Work, values: dict[str, Any]) -> str:
        return tokens.create_personal_token(work, values["name"], values["scopes"], values["days"])[1]


class IntegrationsController(_TokenPages):
    """Integrations: a service account with one staff role, acting only through its tokens."""

    path = "/admin/integrations"
    template = "tokens/integrations.html"
    integrations = True

    @get("/", opt={"action": "user.manage"}, sync_to_thread=True)
    def list_tokens(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor]) -> Template:
        return self._page(request, practice, actor)

    @post("/", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: AnyForm) -> Template:
        return self._create(request, practice, actor, data)

    @post("/revoke", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def revoke(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
               data: AnyForm) -> Response:
        return self._revoke(request, practice, actor, data)

    def _issue(self, work: Work, values: dict[str, Any]) -> str:
        return tokens.create_integration_token(work, values["name"], values["role"], values["scopes"],
                                               values["days"])[1]
