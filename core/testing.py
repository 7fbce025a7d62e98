"""polymodal's pytest plugin and helpers for testing plugins (first- and third-party).

Registered through the ``pytest11`` entry point, so a plugin package's tests
can use these helpers and fixtures as soon as polymodal is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from polymodal.core.contributions import FieldType, FormField, NoteTemplate, validate_fields
from polymodal.core.plugins import ENTRY_POINT_GROUP, get_plugin_manager
from polymodal.core.registry import Registry

try:
    import pytest

    fixture = pytest.fixture
except ModuleNotFoundError:
    # `polymodal plugins sweep` reaches this module (through polymodal.web.testing) where only polymodal's wheel
    # is installed: pytest is a test extra, not a dependency, and the fixtures are then plain functions.
    def fixture(*args: Any, **kwargs: Any) -> Any:
        return args[0] if args and callable(args[0]) else (lambda function: function)


FIXED_NOW = dt.datetime(2026, 10, 21, 15, 0, tzinfo=dt.UTC)
"""A test's 'now': 08:00 on Wednesday 21 October 2026 in Los Angeles, the demo center's zone (before its first
session of the day). Tests never read the wall clock, so they pass at any hour and in any zone."""


class FixedClock:
    """A settable 'now' for ``Practice(clock=...)``: it moves only when a test moves it (timeouts, expiries)."""

    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move 'now' on by ``datetime.timedelta(**delta)``, e.g. ``advance(minutes=31)``."""
        self.now += dt.timedelta(**delta)


def make_plugin_manager(*plugins: tuple[str, object], load_entrypoints: bool = False) -> pluggy.PluginManager:
    """A plugin manager with only ``plugins`` (``(name, module)`` pairs) unless asked for more."""
    return get_plugin_manager(load_entrypoints=load_entrypoints, plugins=plugins)


def make_registry(*plugins: tuple[str, object]) -> Registry:
    """Collect and validate the contributions of ``plugins`` exactly as start-up does."""
    return Registry.collect(make_plugin_manager(*plugins))


@contextmanager
def registered(pm: pluggy.PluginManager, plugin: object, name: str) -> Iterator[object]:
    """Register ``plugin`` under ``name`` for the length of a ``with`` block, then unregister it."""
    pm.register(plugin, name=name)
    try:
        yield plugin
    finally:
        pm.unregister(name=name)


def assert_valid_plugin(module: Any) -> None:
    """Every ``polymodal_*`` attribute must be a marked hook implementation.

    pluggy silently ignores an unmarked function, so a forgotten ``@hookimpl``
    would otherwise make a plugin quietly do nothing.
    """
    unmarked = [
        name for name in dir(module)
        if name.startswith("polymodal_") and not hasattr(getattr(module, name), "polymodal_impl")
    ]
    assert not unmarked, f"functions missing @hookimpl: {', '.join(unmarked)}"


# --- loading plugins ---------------------------------------------------------------------


def load_module_from_path(path: str | Path, name: str | None = None) -> ModuleType:
    """Import a one-off plugin module from a file (e.g. ``tests/fixtures/plugins/x.py``).

    Test folders are not packages under ``--import-mode=importlib``, so a test
    cannot import a fixture plugin by module name; this loads it by path under
    a unique module name instead.
    """
    path = Path(path)
    module_name = name or f"polymodal_test_plugin_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load a plugin module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def installed_plugin(name: str) -> object:
    """The module an installed plugin's entry point (group ``polymodal``) names."""
    matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not matches:
        raise LookupError(f"no installed plugin '{name}' in entry-point group '{ENTRY_POINT_GROUP}'")
    return matches[0].load()


@fixture
def plugin_registry() -> Callable[..., Registry]:
    """Factory fixture: ``plugin_registry("talk", ("mine", module))`` builds a validated registry.

    A string names an installed plugin (its entry point is loaded); a
    ``(name, module)`` pair registers that module under that name. Only the
    plugins given take part, so a test sees exactly what they contribute.
    """

    def build(*plugins: str | tuple[str, object]) -> Registry:
        pairs = [(p, installed_plugin(p)) if isinstance(p, str) else p for p in plugins]
        return make_registry(*pairs)

    return build


# --- sample answers -----------------------------------------------------------------------


def sample_value(field: FormField) -> Any:
    """A valid answer for ``field``, built from its definition alone."""
    kind = field.type
    if kind in (FieldType.text, FieldType.long_text):
        return "Sample answer"[: field.max_length or None]
    if kind is FieldType.single_choice:
        return field.options[0].value
    if kind is FieldType.multi_choice:
        return [field.options[0].value]
    if kind in (FieldType.scale, FieldType.number):
        return int(field.min) if field.min is not None else (int(field.max) if field.max is not None else 1)
    if kind is FieldType.yes_no:
        return True
    if kind is FieldType.date:
        return "2026-01-15"
    if kind is FieldType.body_map:
        return {field.regions[0].code: sample_answers(field.item_fields)}
    return [sample_answers(field.item_fields)]


def sample_answers(fields: Iterable[FormField]) -> dict[str, Any]:
    """Valid answers to every field of ``fields`` (optional ones included)."""
    return {f.key: sample_value(f) for f in fields}


def sample_content(template: NoteTemplate) -> dict[str, Any]:
    """Valid content for every section of a note template."""
    return {s.key: sample_answers(s.fields) if s.fields else "Sample text" for s in template.sections}


def assert_samples_validate(registry: Registry, plugin: str | None = None) -> int:
    """Every form, note template and consent's fields accept sample answers built from their definition.

    Also checks the other direction: leaving out each required answer is
    reported against that field. Returns the number of definitions checked,
    so a test can assert it checked something.
    """
    checked = 0
    problems: list[str] = []
    for form in registry.forms:
        if plugin is None or registry.forms.owner(form.key) == plugin:
            problems += _check_fields(form.ref, form.fields, form.validate_answers)
            checked += 1
    for consent in registry.consent_documents:
        if consent.fields and (plugin is None or registry.consent_documents.owner(consent.key) == plugin):
            problems += _check_fields(consent.ref, consent.fields, lambda a, c=consent: validate_fields(c.fields, a))
            checked += 1
    for template in registry.note_templates:
        if plugin is None or registry.note_templates.owner(template.key) == plugin:
            _, errors = template.validate_content(sample_content(template))
            problems += [f"{template.ref}: {k}: {v}" for k, v in errors.items()]
            checked += 1
    assert not problems, "sample answers did not validate:\n" + "\n".join(problems)
    return checked


def _check_fields(ref: str, fields: tuple[FormField, ...], validate: Callable[[dict[str, Any]], Any]) -> list[str]:
    answers = sample_answers(fields)
    _, errors = validate(answers)
    problems = [f"{ref}: {k}: {v}" for k, v in errors.items()]
    for field in fields:
        if field.required:
            _, errors = validate({k: v for k, v in answers.items() if k != field.key})
            if field.key not in errors:
                problems.append(f"{ref}: required field '{field.key}' accepted a missing answer")
    return problems
