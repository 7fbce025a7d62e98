"""One helper renders a page, or only one of its blocks for htmx, and another a kept fragment."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar.enums import MediaType
from litestar.plugins.htmx import HTMXRequest

from polymodal.web.fragments import Drawn
from polymodal.web.nav import nav_for


def page_context(request: HTMXRequest) -> dict[str, Any]:
    """What base.html needs on every page: who is signed in, their menu and the CSRF token."""
    actor = getattr(request.state, "actor", None)
    return {
        "actor": actor,
        "nav": nav_for(request.app, actor, request.url.path) if actor and not actor.is_portal else [],
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }


def render(request: HTMXRequest, template: str, context: dict[str, Any] | None = None, *,
           block: str | None = None, status_code: int = 200, headers: dict[str, str] | None = None,
           **kwargs: Any) -> HTMXBlockTemplate:
    """The whole page for a plain request; only ``block`` for an htmx request.

    A history-restore request (the user pressed Back and htmx's cache missed)
    must get the whole page, so it is treated like a plain request.
    """
    htmx = request.htmx
    partial = block if htmx and not htmx.history_restore_request else None
    return HTMXBlockTemplate(
        template_name=template,
        block_name=partial,
        context={**page_context(request), **(context or {})},
        status_code=status_code,
        # The same URL answers with a page or a fragment: caches must keep them apart.
        headers={"Vary": "HX-Request", **(headers or {})},
        # Named, or the response guesses it from the template's file name on every page.
        media_type=kwargs.pop("media_type", MediaType.HTML),
        **kwargs,
    )


def kept(request: HTMXRequest, template: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> Drawn:
    """``template`` drawn from ``context()``, or as drawn before for an equal ``key`` (``web/fragments.py``):
    the key must hold every value the markup shows."""
    return request.app.state.fragments.draw(request.app.template_engine.engine, template, key, context)
