"""The plugin manager and registry: conflicts, bad definitions, misnamed hooks, isolation at run time."""

import types

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.api import Family, ModalitySpec, hookimpl
from polymodal.core.errors import PluginConflictError, PluginDefinitionError, StartupError
from polymodal.core.models import PluginErrorRecord
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry


def plugin(name, **hooks):
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, hookimpl(fn))
    return module


def modality(key, **extra):
    return lambda: [ModalitySpec(key=key, name=key, family=Family.talk, discipline="x", **extra)]


def collect(*plugins):
    return Registry.collect(get_plugin_manager(load_entrypoints=False, plugins=[(p.__name__, p) for p in plugins]))


def test_the_same_key_from_two_plugins_is_an_error_naming_both():
    first = plugin("alpha", polymodal_register_modalities=modality("alpha/x"))
    second = plugin("beta", polymodal_register_modalities=lambda: [
        ModalitySpec(key="alpha/x", name="x", family="talk", discipline="x")])
    with pytest.raises(PluginDefinitionError, match="plugin 'beta'.*must be keyed 'beta/"):
        collect(first, second)
    twice = plugin("alpha", polymodal_register_modalities=lambda: modality("alpha/x")() * 2)
    with pytest.raises(PluginConflictError, match="by plugin 'alpha' and by plugin 'alpha'"):
        collect(twice)


def test_a_bad_definition_names_plugin_contribution_and_field():
    bad = plugin("gamma", polymodal_register_modalities=lambda: [
        {"key": "gamma/x", "name": "X", "family": "astrology", "discipline": "x"}])
    with pytest.raises(PluginDefinitionError) as err:
        collect(bad)
    assert "plugin 'gamma'" in str(err.value) and "'gamma/x'" in str(err.value) and "field 'family'" in str(err.value)


def test_a_reference_to_nothing_is_an_error():
    bad = plugin("delta", polymodal_register_modalities=modality("delta/x", consents_required=("delta/none",)))
    with pytest.raises(PluginDefinitionError, match="field 'consents_required' names 'delta/none'"):
        collect(bad)


def test_a_registration_hook_that_raises_stops_start_up_with_the_plugin_named():
    def boom():
        raise RuntimeError("oops")

    with pytest.raises(PluginDefinitionError, match="plugin 'eps'.*oops"):
        collect(plugin("eps", polymodal_register_modalities=boom))


def test_a_hook_implementation_matching_no_hookspec_fails_at_start_up_in_strict_mode():
    typo = plugin("zeta", polymodal_register_modalitys=modality("zeta/x"))
    with pytest.raises(StartupError, match="zeta"):
        get_plugin_manager(load_entrypoints=False, plugins=[("zeta", typo)], strict=True)


def test_blocked_plugins_do_not_load(monkeypatch):
    monkeypatch.setenv("POLYMODAL_DISABLE_PLUGINS", "arts")
    names = {name for name, p in get_plugin_manager().list_name_plugin() if p is not None}
    assert "arts" not in names and "talk" in names
    monkeypatch.delenv("POLYMODAL_DISABLE_PLUGINS")
    monkeypatch.setenv("POLYMODAL_LOAD_PLUGINS", "talk")
    names = {name for name, p in get_plugin_manager().list_name_plugin() if p is not None}
    assert names == {"talk"}


def test_the_registry_is_frozen():
    registry = collect(plugin("eta", polymodal_register_modalities=modality("eta/x")))
    spec = registry.modalities.get("eta/x")
    with pytest.raises(ValidationError, match="frozen"):
        spec.name = "changed"
    with pytest.raises(TypeError):
        registry.modalities._entries["eta/y"] = {}


def test_a_plugin_that_raises_at_run_time_is_isolated_and_recorded(make_practice, load_plugin):
    def broken(form, answers):
        raise ValueError("screening bug")

    calls = []
    p = make_practice(("clinic", load_plugin("clinic")),
                      ("broken", plugin("broken", polymodal_screen_response=broken)),
                      ("fine", plugin("fine", polymodal_screen_response=lambda form, answers: calls.append(1))))
    results = p.call_each("polymodal_screen_response", form=None, answers={})
    assert results == [] and calls == [1]  # the later plugin still ran
    with p.work(Actor.system("t"), write=False) as work:
        errors = work.db.scalars(select(PluginErrorRecord)).all()
    assert [(e.plugin, e.hook, "screening bug" in e.error) for e in errors] == [
        ("broken", "polymodal_screen_response", True)]
    strict = make_practice(("broken", plugin("broken", polymodal_screen_response=broken)), strict=True)
    with pytest.raises(ValueError):
        strict.call_each("polymodal_screen_response", form=None, answers={})


def test_first_party_plugins_load_through_their_entry_points():
    pm = get_plugin_manager()
    families = {m.family for m in Registry.collect(pm).modalities}
    assert {"talk", "arts", "bodywork", "breathwork"} <= {name for name, _ in pm.list_name_plugin()}
    assert {"talk", "somatic", "breath", "creative"} <= {f.value for f in families}


def test_a_slow_or_wrong_typed_screening_plugin_is_recorded_and_the_submission_goes_on(
        make_practice, load_plugin):
    import time as _time

    from polymodal.core.services import center, clients, forms

    def slow(form, answers):
        _time.sleep(0.3)
        return []

    html = plugin("html", polymodal_screen_response=lambda form, answers: "<b>not a list</b>")
    p = make_practice(("clinic", load_plugin("clinic")), ("slow", plugin("slow", polymodal_screen_response=slow)),
                      ("html", html))
    with p.work(Actor.system("t")) as work:
        center.setup_center(work, {"name": "C", "timezone": "UTC", "jurisdiction": "US"})
        client = clients.register_client(work, {"legal_first_name": "A", "legal_last_name": "B",
                                                "date_of_birth": "1990-01-01"})
        response = forms.submit_form(work, client.id, "clinic/intake", {"concern": "sleep"})
        # The submission goes on; the wrong-typed answer makes it "needs review" (fail closed), naming the plugin.
        assert response.outcome == "review"
        assert [f["code"] for f in response.findings] == ["core/plugin-review/html"]
    with p.work(Actor.system("t"), write=False) as work:
        errors = {(e.plugin, e.error.split(":")[0]) for e in work.db.scalars(select(PluginErrorRecord))}
    assert errors == {("slow", "TimeoutError"), ("html", "TypeError")}
