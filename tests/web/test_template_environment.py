"""The page environment reads dict keys as attributes the way Jinja does, only without the failed lookup."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, StrictUndefined, UndefinedError

from polymodal.web.app import PageEnvironment


def _render(source: str, **context) -> str:
    env = PageEnvironment(loader=DictLoader({"t": source}), autoescape=True, undefined=StrictUndefined)
    return env.get_template("t").render(**context)


def test_dict_keys_read_as_attributes_and_escaped():
    assert _render("{{ s.name }} {{ s.n + 1 }}", s={"name": "<b>Ada</b>", "n": 1}) == "&lt;b&gt;Ada&lt;/b&gt; 2"


def test_dict_methods_win_over_keys_of_the_same_name_as_in_jinja():
    assert _render("{{ d.get('x') }} {{ d['items'] }}", d={"get": "key", "x": 1, "items": 2}) == "1 2"
    assert _render("{{ d.items()|list|length }}", d={"items": 2}) == "1"


def test_a_missing_key_is_undefined_and_objects_keep_their_attributes():
    with pytest.raises(UndefinedError):
        _render("{{ d.missing }}", d={})
    assert _render("{{ e.real }}", e=3) == "3"


def test_a_result_row_reads_its_columns_by_name_and_keeps_its_own_attributes():
    from sqlalchemy import create_engine, text

    with create_engine("sqlite://").connect() as conn:
        row = conn.execute(text("SELECT 'Ada' AS name, '<i>' AS note, 2 AS count")).one()
    assert _render("{{ r.name }} {{ r.note }} {{ r.count + 1 }} {{ r._fields|length }}", r=row) == "Ada &lt;i&gt; 3 3"
    with pytest.raises(UndefinedError):
        _render("{{ r.missing }}", r=row)


def test_each_value_is_escaped_once_markup_is_kept_and_bidi_controls_never_shown():
    from markupsafe import Markup

    source = ("{{ s }}|{{ m }}|{{ s|safe }}|{% set x %}<b>{{ s }}</b>{% endset %}{{ x }}|"
              "{% macro em(t) %}<em>{{ t }}</em>{% endmacro %}{{ em(s) }}|{{ n }}|{{ i }}|{{ s ~ '&' }}")
    shown = _render(source, s="<a href='x'>\u202eevil", m=Markup("<i>\u2066ok</i>"), n=None, i=7)
    assert shown == ("&lt;a href=&#39;x&#39;&gt;evil|<i>ok</i>|<a href='x'>evil|"
                     "<b>&lt;a href=&#39;x&#39;&gt;evil</b>|<em>&lt;a href=&#39;x&#39;&gt;evil</em>|None|7|"
                     "&lt;a href=&#39;x&#39;&gt;evil&amp;")


def test_a_value_is_shown_by_one_call_not_escape_around_finalize():
    env = PageEnvironment(autoescape=True)
    code = env.compile("{{ a }} {{ b.c }}", raw=True)
    assert code.count("environment.shown(") == 2 and "escape(" not in code
