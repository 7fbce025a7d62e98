"""The shared field macros render any plugin's form, and a post of what they render validates."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

import polymodal.web
from polymodal.core.contributions import BodyRegion, FieldType, FormField, FormSection, FormSpec, Option
from polymodal.web.fields import answers_from_form

TEMPLATES = Path(polymodal.web.__file__).parent / "templates"
CHOICES = (Option(value="a", label="Apple"), Option(value="b", label="Banana & <cherry>"))
FORM = FormSpec(key="thirdparty/everything", title="Every field type", sections=(
    FormSection(key="one", title="One", fields=(
        FormField(key="t", label="Text", required=True, max_length=40),
        FormField(key="lt", label="Long text", type=FieldType.long_text),
        FormField(key="sc", label="Single", type=FieldType.single_choice, options=CHOICES),
        FormField(key="mc", label="Multi", type=FieldType.multi_choice, options=CHOICES),
        FormField(key="scale", label="Scale", type=FieldType.scale, min=0, max=10),
        FormField(key="wide", label="Wide scale", type=FieldType.scale, min=0, max=100),
        FormField(key="yn", label="Yes or no", type=FieldType.yes_no, required=True),
        FormField(key="d", label="Date", type=FieldType.date),
        FormField(key="n", label="Number", type=FieldType.number, min=0, max=5, help="Up to five"),
    )),
    FormSection(key="two", title="Two", fields=(
        FormField(key="bm", label="Body", type=FieldType.body_map,
                  regions=(BodyRegion(code="head", label="Head"), BodyRegion(code="hip", label="Hip", sensitive=True)),
                  item_fields=(FormField(key="state", label="State", type=FieldType.single_choice, options=CHOICES),
                               FormField(key="note", label="Note"))),
        FormField(key="rows", label="Round", type=FieldType.repeating, max_items=5,
                  item_fields=(FormField(key="minutes", label="Minutes", type=FieldType.number, min=0),
                               FormField(key="felt", label="Felt", type=FieldType.yes_no))),
    )),
))


def _render(values, errors) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    template = env.from_string('{% from "_macros/fields.html" import sections, error_summary %}'
                               "{{ error_summary(errors, form.fields) }}{{ sections(form, values, errors) }}")
    return template.render(form=FORM, values=values, errors=errors)


POST = {"a.t": "Hello", "a.lt": "Line one\nline two", "a.sc": "b", "a.mc": ["a", "b"], "a.scale": "7",
        "a.wide": "55", "a.yn": "no", "a.d": "2026-02-03", "a.n": "2.5", "a.bm.hip.state": "a",
        "a.bm.hip.note": "left side", "a.bm.head.state": "", "a.rows.0.minutes": "5", "a.rows.0.felt": "yes",
        "a.rows.1.minutes": "", "a.rows.3.minutes": "8", "a.unknown": "dropped"}


def test_a_post_of_every_field_type_reads_back_and_validates():
    answers = answers_from_form(FORM.fields, POST)
    values, errors = FORM.validate_answers(answers)
    assert errors == {}
    assert values["mc"] == ["a", "b"] and values["yn"] is False and values["n"] == 2.5
    assert values["bm"] == {"hip": {"state": "a", "note": "left side"}}  # the empty head row is no answer
    assert values["rows"] == [{"minutes": 5, "felt": True}, {"minutes": 8, "felt": None}]
    assert "unknown" not in values


def test_every_field_type_renders_with_its_values_kept():
    answers = answers_from_form(FORM.fields, POST)
    html = _render(answers, {})
    for key in ("t", "lt", "sc", "mc", "scale", "wide", "yn", "d", "n", "bm", "rows"):
        assert f'id="f-{key}"' in html, key
    assert 'name="a.t" type="text" value="Hello"' in html and 'maxlength="40"' in html
    assert ">Line one\nline two</textarea>" in html
    assert 'name="a.sc" value="b" checked' in html
    assert 'name="a.mc" value="a" checked' in html and 'name="a.mc" value="b" checked' in html
    assert 'name="a.scale" value="7" checked' in html  # a short scale is a row of radios
    assert 'name="a.wide" type="number" value="55"' in html  # a long one a number input
    assert 'name="a.yn" value="no" checked' in html
    assert 'type="date" value="2026-02-03"' in html
    assert 'aria-label="Hip: State"' in html and 'aria-describedby=" f-n-hint"' in html
    assert '<option value="a" selected>' in html and 'value="left side"' in html and "sensitive" in html
    assert 'name="a.rows.0.minutes"' in html and 'name="a.rows.1.minutes"' in html
    assert 'name="a.rows.2.minutes"' in html  # two stored rows and one empty one to add
    assert "Banana &amp; &lt;cherry&gt;" in html and "<cherry>" not in html


def test_errors_show_beside_their_fields_and_in_the_summary():
    html = _render({"t": ""}, {"t": "This field is required.", "bm": "Hip: state: Choose one."})
    assert 'id="f-t-error"' in html and 'aria-invalid="true"' in html
    assert 'id="f-bm-error"' in html and 'href="#f-bm"' in html and "Body — Hip: state" in html
