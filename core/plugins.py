"""The one place a pluggy plugin manager is made."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from importlib.metadata import entry_points

import pluggy

from polymodal.core import hookspecs
from polymodal.core.errors import PluginConflictError, StartupError

ENTRY_POINT_GROUP = "polymodal"
log = logging.getLogger("polymodal.plugins")


def _names(value: str | None) -> set[str]:
    return {n.strip() for n in (value or "").split(",") if n.strip()}


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allow: set[str] | None = None,
    block: Iterable[str] = (),
    plugins: Iterable[tuple[str, object]] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager with the hookspecs, the installed plugins and ``plugins``.

    Args:
        load_entrypoints: load plugins of the ``polymodal`` entry-point group.
            Tests pass False and register what they need through ``plugins``.
        allow: if given, only these entry-point names load
            (environment: ``POLYMODAL_LOAD_PLUGINS=talk,arts``).
        block: entry-point names never to load
            (environment: ``POLYMODAL_DISABLE_PLUGINS=arts``).
        plugins: ``(name, module_or_object)`` pairs to register explicitly.

    Raises:
        PluginConflictError: two installed distributions use one entry-point
            name (pluggy would silently skip the second).
        StartupError: a hook implementation matches no hookspec.
    """
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    env_allow = _names(os.environ.get("POLYMODAL_LOAD_PLUGINS"))
    allow = allow if allow is not None else (env_allow or None)
    for name in {*block, *_names(os.environ.get("POLYMODAL_DISABLE_PLUGINS"))}:
        pm.set_blocked(name)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    if load_entrypoints:
        _check_unique_entry_points()
        if allow is not None:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if ep.name not in allow:
                    pm.set_blocked(ep.name)
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise StartupError(f"plugin '{pm.get_name(exc.plugin)}': {exc}") from exc
    if os.environ.get("POLYMODAL_TRACE_PLUGINS") == "1":
        pm.trace.root.setwriter(lambda message: log.info("%s", message.rstrip()))
        pm.enable_tracing()
    return pm


def _check_unique_entry_points() -> None:
    seen: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else "?"
        if ep.name in seen and seen[ep.name] != dist:
            raise PluginConflictError(
                f"entry point '{ep.name}' is declared by both '{seen[ep.name]}' and '{dist}'; "
                "uninstall one or block it with POLYMODAL_DISABLE_PLUGINS"
            )
        seen[ep.name] = dist


def plugin_version(pm: pluggy.PluginManager, name: str) -> str:
    for plugin, dist in pm.list_plugin_distinfo():
        if pm.get_name(plugin) == name:
            return dist.version
    return ""
