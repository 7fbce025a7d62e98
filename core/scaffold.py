"""``polymodal plugins new NAME``: a modality plugin package that installs, passes ``polymodal plugins check``
and its own tests as made, with one of each contribution to grow from."""

from __future__ import annotations

import re
from pathlib import Path

from polymodal.core.errors import ValidationFailed

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


def _files(name: str, title: str) -> dict[str, str]:
    package = f"polymodal_{name}"
    return {
        "pyproject.toml": f'''[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "polymodal-{name.replace("_", "-")}"
version = "0.1.0"
description = "{title} for polymodal"
requires-python = ">=3.11"
dependencies = ["polymodal", "litestar>=2.24,<3"]

[project.optional-dependencies]
test = ["pytest>=8"]

# The entry point's name is the plugin's name: every key it contributes starts with "{name}/".
[project.entry-points.polymodal]
{name} = "{package}"

[tool.setuptools]
packages = ["{package}"]

# The page templates ship in the wheel, beside the code that renders them.
[tool.setuptools.package-data]
{package} = ["templates/*.html"]

# polymodal's web testing kit: the polymodal_center fixture (a demo center with the app, sign-in per role,
# pre-flight, portal and the sweeps).
[tool.pytest.ini_options]
addopts = "-p polymodal.web.testing"
''',
        f"{package}/__init__.py": f'''"""{title}: a modality plugin for polymodal. Each hook returns definitions from content.py."""

from polymodal.core.api import MenuItem, hookimpl
from {package} import content


@hookimpl
def polymodal_register_modalities():
    return [content.MODALITY_SPEC]


@hookimpl
def polymodal_register_forms():
    return [content.INTAKE_FORM]


@hookimpl
def polymodal_register_session_structures():
    return [content.STRUCTURE]


@hookimpl
def polymodal_register_note_templates():
    return [content.NOTE]


@hookimpl
def polymodal_register_consent_documents():
    return [content.CONSENT]


@hookimpl
def polymodal_register_screening_rules():
    return content.SCREENING_RULES


@hookimpl
def polymodal_register_routes():
    from {package}.pages import today

    return [today]


@hookimpl
def polymodal_register_menu_items():
    # The route's own action, so whoever sees the entry may open the page.
    return [MenuItem(label="{title} today", path="/today", action="schedule.read")]
''',
        f"{package}/pages.py": f'''"""The plugin's page under /m/{name}/: today's {title.lower()} sessions, inside the app's layout.

The access policy in ``opt`` is checked by the app's guards, as on every core page; ``reads`` calls the core's
services as the signed-in user, so names show only to those who may read the client.
"""

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from polymodal.core.api import CenterReads
from {package}.content import MODALITY


@get("/today", opt={{"action": "schedule.read"}}, sync_to_thread=True)
def today(reads: NamedDependency[CenterReads]) -> Template:
    return Template("m/{name}/today.html", context={{"sessions": reads.sessions(modality=MODALITY)}})
''',
        f"{package}/templates/today.html": f'''{{% extends "base.html" %}}
{{% block title %}}{title} today{{% endblock %}}
{{% block content %}}
<h1>{title} today</h1>
{{% if sessions %}}
<ul>
{{% for s in sessions %}}<li>{{{{ s.starts_local.strftime("%H:%M") }}}}: {{{{ s.clients|join(", ") or "a client" }}}} with {{{{ s.practitioners|join(", ") }}}}</li>
{{% endfor %}}
</ul>
{{% else %}}<p class="muted">No sessions today.</p>{{% endif %}}
{{% endblock %}}
''',
        f"{package}/content.py": f'''"""{title}: what the modality asks, how a session runs, what the note records, what the client signs.

Placeholders to replace with your modality's content. Practitioners check these first: give every
clinical item (a screening question, a contraindication, an instrument) its source in a comment.
"""

from polymodal.core.api import (
    ConsentDocument,
    Family,
    FieldType,
    FormField,
    FormSection,
    FormSpec,
    ModalitySpec,
    NoteSection,
    NoteTemplate,
    Outcome,
    Phase,
    ScreeningRule,
    SectionTag,
    SessionFormat,
    SessionStructure,
)

MODALITY = "{name}/{name.replace("_", "-")}"
INTAKE = "{name}/intake"
CONSENT = "{name}/informed-consent"

MODALITY_SPEC = ModalitySpec(
    key=MODALITY, name="{title}", family=Family.somatic, discipline="{name.replace("_", "-")}",
    formats=(SessionFormat.individual,), description="Describe the modality for the people who book it.",
    consents_required=(CONSENT,), intake_forms=(INTAKE,),
)

INTAKE_FORM = FormSpec(
    key=INTAKE, title="{title} intake", modalities=(MODALITY,),
    sections=(FormSection(key="health", title="Your health", fields=(
        FormField(key="goals", label="What would you like from these sessions?", type=FieldType.long_text,
                  required=True),
        # Source: name the guideline this contraindication comes from.
        FormField(key="recent_surgery", label="Have you had surgery in the last six weeks?", type=FieldType.yes_no,
                  required=True),
    )),),
)

SCREENING_RULES = [
    ScreeningRule(key="{name}/recent-surgery", form=INTAKE, field="recent_surgery", equals=True,
                  outcome=Outcome.clearance, modalities=(MODALITY,),
                  reason="Recent surgery: ask for the surgeon's clearance before the first session."),
]

STRUCTURE = SessionStructure(
    key="{name}/session", name="{title} session", modalities=(MODALITY,), formats=(SessionFormat.individual,),
    phases=(
        Phase(key="check-in", name="Check-in", minutes=10),
        Phase(key="work", name="Main work", minutes=40),
        Phase(key="close", name="Close", minutes=10),
    ),
)

NOTE = NoteTemplate(
    key="{name}/session-note", name="{title} session note", modalities=(MODALITY,),
    sections=(
        NoteSection(key="subjective", title="Client's report", tag=SectionTag.subjective),
        NoteSection(key="intervention", title="What was done", tag=SectionTag.intervention),
        NoteSection(key="plan", title="Plan", tag=SectionTag.plan),
    ),
)

CONSENT = ConsentDocument(
    key=CONSENT, title="Consent to {title.lower()}", modalities=(MODALITY,),
    scope="{title} sessions at this center.",
    text="Replace this with your consent text: what the sessions involve, their risks, and that the client "
         "may stop at any time.",
)
''',
        f"tests/test_{name}.py": f'''"""The plugin's definitions validate, as start-up would check them, and its screening rule fires."""

import {package} as plugin
from polymodal.core.api import assert_samples_validate, assert_valid_plugin, make_registry


def registry():
    return make_registry(("{name}", plugin))


def test_the_plugin_is_valid():
    assert_valid_plugin(plugin)
    # The intake and the note accept answers built from their fields (the consent has no fields to fill).
    assert assert_samples_validate(registry(), plugin="{name}") == 2


def test_recent_surgery_needs_clearance():
    rule = registry().screening_rules.get("{name}/recent-surgery")
    assert rule.matches({{"recent_surgery": True}}) and not rule.matches({{"recent_surgery": False}})
''',
        f"tests/test_{name}_web.py": f'''"""The plugin in a running demo center: its page, the portal and pre-flight, and the security sweeps.

``polymodal_center`` comes from polymodal's web testing kit (``-p polymodal.web.testing`` in pyproject.toml).
"""

import {package} as plugin
from {package}.content import MODALITY


def test_the_page_is_in_the_menu_and_the_layout(polymodal_center):
    center = polymodal_center(("{name}", plugin))
    page = center.browser("front_desk").get("/m/{name}/today")
    assert page.status_code == 200 and "<h1>{title} today</h1>" in page.text
    assert 'href="/m/{name}/today" aria-current="page"' in page.text


def test_the_portal_files_the_intake_and_consent_and_preflight_sees_them(polymodal_center):
    center = polymodal_center(("{name}", plugin))
    before = {{f.code for f in center.preflight(MODALITY)}}
    assert "core/consent-missing" in before
    visit = center.portal(MODALITY)
    assert [s["kind"] for s in visit.steps] == ["form", "consent"]
    # The sample answers say yes to recent surgery: the screening rule asks for a clearance.
    assert visit.fill() == [303, 303] and "Thank you" in visit.submit().text
    after = {{(f.verdict, f.code) for f in center.preflight(MODALITY)}}
    assert ("clearance", "{name}/recent-surgery") in after and ("consent", "core/consent-missing") not in after


def test_the_authorization_and_injection_sweeps_find_nothing(polymodal_center):
    assert polymodal_center(("{name}", plugin)).sweep("{name}") == []
''',
        "README.md": f'''# polymodal-{name.replace("_", "-")}

{title} for [polymodal](https://pypi.org/project/polymodal/), made by `polymodal plugins new {name}`.

    pip install -e '.[test]'          # in the virtual environment where polymodal is installed
    polymodal plugins check {name}     # the definitions, as start-up checks them
    pytest                            # the plugin's own tests, its page, portal and sweeps included
    polymodal plugins sweep {name}     # the authorization and injection sweeps alone
    POLYMODAL_STRICT_PLUGINS=1 polymodal serve   # a plugin that fails to load stops start-up here

Edit `{package}/content.py`, and cite the source of every clinical item beside it. The page is
`{package}/pages.py` with its template in `{package}/templates/`. The tutorial
(docs/plugin-tutorial.md in polymodal) and the reference (docs/reference/) explain every field.
''',
    }


def new_plugin(name: str, parent: Path, title: str = "") -> Path:
    """Write the package into ``parent/polymodal-NAME`` and return that folder; refuses to overwrite."""
    if not NAME.match(name):
        raise ValidationFailed({"name": "Use 2 to 31 lower-case letters, digits or _, starting with a letter."})
    folder = parent / f"polymodal-{name.replace('_', '-')}"
    if folder.exists():
        raise ValidationFailed({"name": f"{folder} exists already; choose another name or folder."})
    title = title or name.replace("_", " ").capitalize()
    for relative, text in _files(name, title).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder
