"""The Litestar app factory."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from sqlalchemy import select

from polymodal.core.models import Center
from polymodal.core.practice import Practice

HERE = Path(__file__).parent


@get("/", sync_to_thread=True)
def home(state: State) -> Template:
    practice: Practice = state.practice
    with practice._read() as db:
        center = db.scalars(select(Center).limit(1)).first()
    return Template("home.html", context={"center": center, "plugins": practice.plugin_info()})


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(practice: Practice | None = None) -> Litestar:
    practice = practice or Practice.from_environment()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    return Litestar(
        route_handlers=[home, healthz, create_static_files_router(path="/static", directories=[HERE / "static"])],
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        state=State({"practice": practice}),
        on_shutdown=[lambda: practice.engine.dispose()],
    )
