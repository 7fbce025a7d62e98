"""The one field library serves every user: same macros, one naming scheme, one parser (web/fields.py)."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape
from multidict import MultiDict

from polymodal.core.contributions import BodyRegion, FieldType, FormField, Option
from polymodal.web.app import HERE
from polymodal.web.fields import answers_from_form, parse_field

CHOICES = (Option(value="ok", label="OK"), Option(value="no", label="Not OK"))
MAP = FormField(key="map", label="Regions", type=FieldType.body_map,
                regions=(BodyRegion(code="back", label="Back"), BodyRegion(code="hip", label="Hip", sensitive=True)),
                item_fields=(FormField(key="consent", label="Consent", type=FieldType.single_choice, options=CHOICES),
                             FormField(key="note", label="Note")))
ROWS = FormField(key="rows", label="Round", type=FieldType.repeating, max_items=2,
                 item_fields=(FormField(key="minutes", label="Minutes", type=FieldType.number),))
MULTI = FormField(key="multi", label="Multi", type=FieldType.multi_choice, options=CHOICES)
YES = FormField(key="yes", label="Yes or no", type=FieldType.yes_no, required=True)


def _macros():
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("_macros/fields.html").module


def test_one_parser_for_every_prefix_and_both_kinds_of_form_data():
    # The portal posts bare keys and Litestar hands it a multidict.
    portal = MultiDict([("multi", "ok"), ("multi", "no"), ("multi", "extra"), ("yes", "no"),
                        ("map.hip.consent", "no"), ("map.back.consent", ""), ("rows.0.minutes", "3")])
    assert answers_from_form((MULTI, YES, MAP, ROWS), portal, prefix="") == {
        "multi": ["ok", "no"], "yes": "no", "map": {"hip": {"consent": "no", "note": ""}},
        "rows": [{"minutes": "3"}]}
    # Intake and consent use "a.", the note editor "c.<section>": plain dicts with lists for repeated names.
    notes = {"c.s.multi": ["ok"], "c.s.yes": ["yes", "no"], "c.s.map.back": "on", "c.s.rows.0.minutes": "",
             "c.s.rows.1.minutes": "4", "c.s.rows.2.minutes": "5", "c.s.rows.7.minutes": "6"}
    answers = answers_from_form((MULTI, YES, MAP, ROWS), notes, prefix="c.s")
    assert answers["multi"] == ["ok"] and answers["yes"] == "yes"  # the first of a name sent twice
    assert answers["map"] == {"back": {"consent": "", "note": ""}}  # a region marked as recorded is kept
    # One row more than allowed is read (the core then says "too many"); empty rows are no answer.
    assert answers["rows"] == [{"minutes": "4"}, {"minutes": "5"}]
    assert parse_field(MULTI, "a.multi", {"a.multi": "ok"}) == ["ok"]
    assert parse_field(YES, "a.yes", {}) == "" and parse_field(MAP, "a.map", {}) == {}


def test_the_macro_names_inputs_the_way_the_parser_reads_them_for_every_user():
    field = _macros().field
    for name in ("a.map", "map", "c.s.map"):
        html = str(field(MAP, name, {"hip": {"consent": "no", "note": "left"}}, "", {}))
        assert f'name="{name}.hip.consent"' in html and f'name="{name}.back.note"' in html
        assert 'aria-label="Hip: Consent"' in html and 'class="sensitive"' in html and "sensitive</span>" in html
        assert '<option value="no" selected>' in html and 'value="left"' in html
        assert f'name="{name}.hip"' not in html  # the "record this region" box is the note editor's alone
    marked = str(field(MAP, "c.s.map", {"hip": {}}, "", {"mark_regions": True}))
    assert 'name="c.s.map.hip" value="on" checked' in marked and 'name="c.s.map.back" value="on">' in marked


def test_repeating_rows_and_the_add_row_button_per_user():
    field = _macros().field
    rows = [{"minutes": "3"}]
    # Portal: no button, always one blank row while under the maximum.
    portal = str(field(ROWS, "rows", rows, "", {}))
    assert 'name="rows.1.minutes"' in portal and "add_row" not in portal
    # Intake: a plain submit button named add_row.
    intake = str(field(ROWS, "a.rows", [], "", {"add_row": True}))
    assert 'name="add_row" value="a.rows"' in intake and "hx-post" not in intake
    # The note editor: a blank row only on request, the button posts to the draft (htmx or not).
    opts = {"add_row_url": "/notes/x/draft", "add_row_target": "#note-editor", "extra_rows": set()}
    note = str(field(ROWS, "c.s.rows", rows, "", opts))
    assert 'name="c.s.rows.1.minutes"' not in note and 'formaction="/notes/x/draft"' in note
    assert 'hx-post="/notes/x/draft" hx-target="#note-editor"' in note
    full = str(field(ROWS, "c.s.rows", rows, "", {**opts, "extra_rows": {"c.s.rows"}}))
    assert 'name="c.s.rows.1.minutes"' in full and 'name="add_row"' not in full  # two rows: the maximum


def test_errors_are_tied_to_their_field_and_values_kept():
    field = _macros().field
    html = str(field(YES, "yes", "no", "Answer yes or no.", {}))
    assert 'id="f-yes"' in html and 'aria-describedby="f-yes-error"' in html
    assert '<p class="error" id="f-yes-error">Answer yes or no.</p>' in html
    assert 'value="no" checked' in html and 'value="yes" checked' not in html
    text = str(field(FormField(key="t", label="Text", help="Short"), "c.s.t", "typed", "Too long.", {}))
    assert '<label for="f-c-s-t">' in text and 'value="typed"' in text and 'aria-invalid="true"' in text
    assert 'aria-describedby="f-c-s-t-error f-c-s-t-hint"' in text
