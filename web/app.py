"""The Litestar app factory, assembled from small ``_configure_*`` pieces."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from polymodal.core.messaging.queue import jobs_of
from polymodal.core.plugin_reads import CenterReads
from polymodal.core.practice import Practice
from polymodal.core.services.scheduling import CANCEL_REASONS
from polymodal.core.text import without_bidi_controls
from polymodal.web.api.router import api_router, openapi_config
from polymodal.web.config import WebSettings
from polymodal.web.controllers import CONTROLLERS
from polymodal.web.deps import DEPENDENCIES, provide_actor
from polymodal.web.edge import Edge
from polymodal.web.errors import EXCEPTION_HANDLERS
from polymodal.web.guards import GUARDS, PLUGIN_PREFIX
from polymodal.web.nav import NavItem
from polymodal.web.rendering import page_context
from polymodal.web.request_body import MAX_BODY
from polymodal.web.security import make_header_hook

HERE = Path(__file__).parent


@get("/healthz", sync_to_thread=False, opt={"public": True})
def healthz() -> dict[str, str]:
    return {"status": "ok"}


class PageEnvironment(Environment):
    """Jinja, reading ``row.name`` from a dict without a failed attribute lookup first.

    Jinja tries ``getattr`` before ``[]``, so every ``s.start`` on a dict raised
    and caught an AttributeError: a fifth of the CPU of a week's calendar. A
    dict's own methods (``values.get``) still win over its keys, as in Jinja.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


DICT_ATTRIBUTES = frozenset(dir(dict))


def shown_text(value: Any) -> Any:
    """Every ``{{ value }}``: bidi controls never reach the page, whatever was stored (core/text.py)."""
    if isinstance(value, str):
        cleaned = without_bidi_controls(value)
        if cleaned is not value:
            return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def _configure_templates(practice: Practice) -> TemplateConfig:
    # auto_reload off: templates are compiled once, not checked on disk at every render.
    # A plugin's templates are found as "m/<plugin>/<file>", like its pages under /m/<plugin>/: a separate
    # namespace, so no plugin can replace a core template (the core's loader is asked first anyway).
    loader: BaseLoader = FileSystemLoader(HERE / "templates")
    folders = _plugin_template_folders(practice)
    if folders:
        loader = ChoiceLoader([loader, PrefixLoader({"m": PrefixLoader(
            {plugin: FileSystemLoader(folder) for plugin, folder in folders.items()})})])
    env = PageEnvironment(loader=loader, autoescape=select_autoescape(default=True),
                          trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                          finalize=shown_text)
    env.globals["cancel_reasons"] = CANCEL_REASONS
    # base.html asks for it when a page's context lacks the menu: a plugin's page returns a plain Template.
    env.globals["page_context"] = page_context
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


def _plugin_template_folders(practice: Practice) -> dict[str, Path]:
    """Each plugin with pages whose package has a ``templates/`` folder beside its ``__init__.py``."""
    folders = {}
    for plugin in practice.plugin_routes():
        module_file = getattr(practice.pm.get_plugin(plugin), "__file__", None)
        if module_file and (Path(module_file).parent / "templates").is_dir():
            folders[plugin] = Path(module_file).parent / "templates"
    return folders


def _configure_routes(practice: Practice) -> list[Any]:
    static = create_static_files_router(path="/static", directories=[HERE / "static"], opt={"public": True},
                                        include_in_schema=False)
    return [healthz, static, *CONTROLLERS, api_router(), *_plugin_routers(practice)]


def provide_reads(state: State, request: HTMXRequest) -> CenterReads:
    """``reads`` for a plugin's handler: the core's read services, bound to the signed-in user."""
    return CenterReads(state.practice, provide_actor(request, state.practice))


def _plugin_routers(practice: Practice) -> list[Router]:
    """Each plugin's pages under /m/<plugin>/: mounted, not trusted (the app-wide guards apply)."""
    return [Router(path=f"{PLUGIN_PREFIX}/{plugin}", route_handlers=handlers,
                   dependencies={"reads": Provide(provide_reads, sync_to_thread=False)})
            for plugin, handlers in practice.plugin_routes().items()]


def _plugin_nav(practice: Practice) -> tuple[NavItem, ...]:
    return tuple(NavItem(item.label, f"{PLUGIN_PREFIX}/{plugin}{item.path if item.path != '/' else ''}",
                         item.action) for plugin, item in practice.plugin_menu_items())


def _configure_state(practice: Practice, settings: WebSettings) -> State:
    return State({"practice": practice, "web_settings": settings, "plugin_nav": _plugin_nav(practice)})


def _start_jobs(practice: Practice) -> None:
    """``polymodal serve`` runs the job workers in its own process (no other service on SQLite)."""
    if practice.settings.jobs.in_process:
        jobs_of(practice).start()


def _stop_jobs(practice: Practice) -> None:
    if practice.settings.jobs.in_process:
        jobs_of(practice).stop()


def _version() -> str:
    try:
        return importlib.metadata.version("polymodal")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def create_app(practice: Practice | None = None, settings: WebSettings | None = None) -> Litestar:
    practice = practice or Practice.from_environment()
    settings = settings or WebSettings()
    settings.check()
    app = Litestar(
        route_handlers=_configure_routes(practice),
        # HTMXPlugin first: it overwrites signature_types (STYLE pitfalls).
        plugins=[HTMXPlugin()],
        template_config=_configure_templates(practice),
        state=_configure_state(practice, settings),
        dependencies=DEPENDENCIES,
        guards=GUARDS,
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[make_header_hook(settings)],
        request_max_body_size=MAX_BODY,
        # Only the API is described (its router opts in); pages and plugin pages are not an interface.
        openapi_config=openapi_config(_version()),
        include_in_schema=False,
        debug=False,
        on_startup=[lambda: _start_jobs(practice)],
        on_shutdown=[lambda: _stop_jobs(practice), lambda: practice.engine.dispose()],
    )
    # Outside the router: see web/edge.py for why these cases cannot be route handlers' business.
    app.asgi_handler = Edge(app.asgi_handler)
    return app
