"""The ceiling: bare Litestar + Jinja rendering a static 50-row table, no DB, no guards (uvicorn imports build_app)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from jinja2 import DictLoader, Environment
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

# The same shape as the reference's L1 page (/work/shared/PERFORMANCE.md) and session_style.py's variant (a).
TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clients</title></head>
<body><h1>Clients matching {{ q }}</h1><table><thead><tr><th>Name</th><th>Born</th><th>Email</th>
<th>Phone</th></tr></thead><tbody>
{% for c in clients %}
<tr><td><a href="/clients/{{ c.id }}">{{ c.preferred_name or c.legal_first_name }} {{ c.legal_last_name }}</a></td>
<td>{{ c.date_of_birth }}</td><td>{{ c.email }}</td><td>{{ c.phone }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


class Row(NamedTuple):
    id: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    date_of_birth: dt.date
    email: str
    phone: str


ROWS = [Row(f"00000000-0000-4000-8000-{i:012d}", f"First{i}", f"Smith{i}", "", dt.date(1980, 1, 1 + i % 28),
            f"first{i}.smith@example.org", f"+1 555 {i:07d}") for i in range(50)]


@get("/", sync_to_thread=False)
def page(q: str = "sm") -> Template:
    return Template(template_name="clients.html", context={"q": q, "clients": ROWS})


def build_app() -> Litestar:
    env = Environment(loader=DictLoader({"clients.html": TEMPLATE}), autoescape=True)
    return Litestar([page], template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
                    openapi_config=None)
