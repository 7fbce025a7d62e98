"""The Litestar app factory, assembled from small ``_configure_*`` pieces."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import markupsafe
from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from jinja2.compiler import CodeGenerator
from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy.engine import Row

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
from polymodal.web.fragments import Drawn, Fragments
from polymodal.web.guards import GUARDS, PLUGIN_PREFIX
from polymodal.web.nav import NavItem
from polymodal.web.rendering import page_context
from polymodal.web.request_body import MAX_BODY
from polymodal.web.security import make_header_hook
from polymodal.web.threads import page_threads, use_page_threads

HERE = Path(__file__).parent


@get("/healthz", sync_to_thread=False, opt={"public": True})
def healthz() -> dict[str, str]:
    return {"status": "ok"}


class _ShownOutput(CodeGenerator):
    """Compiles every ``{{ value }}`` of an autoescaped template to one call, ``environment.shown(value)``.

    Jinja's own output is ``escape(environment.finalize(value))``: two calls, and a ``Markup`` built for every
    value (markupsafe's constructor runs in Python: 14 % of the week calendar's CPU). A page is joined into one
    string at the end, so an escaped ``str`` serves as well; Jinja still wraps a captured block's or a macro's
    output in ``Markup``.
    """

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.shown(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class PageEnvironment(Environment):
    """Jinja, reading ``row.name`` from a dict or a result row without a failed attribute lookup first.

    Jinja tries ``getattr`` before ``[]``, so every ``s.start`` on a dict raised
    and caught an AttributeError: a fifth of the CPU of a week's calendar. A
    dict's own methods (``values.get``) still win over its keys, as in Jinja.
    A result row (``Row``) answers a column's name by its position, five times
    faster than its own attribute lookup (the client search's 50 rows: 600 reads).
    """

    code_generator_class = _ShownOutput

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif kind is Row:
            index = obj._parent._key_to_index.get(attribute)
            if index is not None:
                return obj[index]
        return super().getattr(obj, attribute)

    @staticmethod
    def shown(value: Any) -> str:
        """Every ``{{ value }}``: escaped unless it is markup, and without bidi controls whatever was stored
        (core/text.py)."""
        kind = type(value)
        if kind is str:
            return _escape(without_bidi_controls(value))
        if kind is int:  # positions and counts: nothing to escape (the week calendar shows hundreds)
            return str(value)
        if kind is Drawn:  # a fragment drawn before (web/fragments.py): its values were shown then
            return value
        if hasattr(value, "__html__"):
            return without_bidi_controls(value.__html__())
        return _escape(without_bidi_controls(str(value)))


DICT_ATTRIBUTES = frozenset(dir(dict))
# markupsafe's own escaping (the same entities) without the Markup around it.
_escape = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


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
                          trim_blocks=True, lstrip_blocks=True, auto_reload=False)
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
    return State({"practice": practice, "web_settings": settings, "plugin_nav": _plugin_nav(practice),
                  "fragments": Fragments()})


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
    threads = page_threads(practice.engine.dialect.name)
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
        on_startup=[lambda: use_page_threads(threads), lambda: _start_jobs(practice)],
        on_shutdown=[lambda: _stop_jobs(practice), lambda: practice.engine.dispose()],
    )
    # Outside the router: see web/edge.py for why these cases cannot be route handlers' business.
    app.asgi_handler = Edge(app.asgi_handler)
    return app
