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
