"""polymodal's pytest plugin and helpers for testing plugins (first- and third-party).

Registered through the ``pytest11`` entry point, so a plugin package's tests
can use these helpers and fixtures as soon as polymodal is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pluggy

from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry


def make_plugin_manager(*plugins: tuple[str, object], load_entrypoints: bool = False) -> pluggy.PluginManager:
    """A plugin manager with only ``plugins`` (``(name, module)`` pairs) unless asked for more."""
    return get_plugin_manager(load_entrypoints=load_entrypoints, plugins=plugins)


def make_registry(*plugins: tuple[str, object]) -> Registry:
    """Collect and validate the contributions of ``plugins`` exactly as start-up does."""
    return Registry.collect(make_plugin_manager(*plugins))


@contextmanager
def registered(pm: pluggy.PluginManager, plugin: object, name: str) -> Iterator[object]:
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
