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


class PolymodalPluginManager(pluggy.PluginManager):
    """pluggy's manager, plus the plugins that were disabled at start-up and why.

    One plugin that fails to import, names a hook no hookspec declares, or contributes a definition that
    does not validate must not take the whole center down: it is left out, and ``disabled`` says why, for
    ``polymodal plugins list`` and the admin's plugin page. Strict mode (tests, CI, a plugin author's
    machine: ``POLYMODAL_STRICT_PLUGINS=1``) raises instead.
    """

    def __init__(self, project_name: str, *, strict: bool) -> None:
        super().__init__(project_name)
        self.strict = strict
        self.disabled: dict[str, str] = {}

    def disable(self, name: str, reason: str) -> None:
        if self.strict:
            raise StartupError(f"plugin '{name}': {reason}")
        log.error("plugin %s disabled: %s", name, reason)
        self.disabled[name] = reason
        if self.get_plugin(name) is not None:
            self.unregister(name=name)
        self.set_blocked(name)


def strict_from_environment() -> bool:
    return os.environ.get("POLYMODAL_STRICT_PLUGINS") == "1"


def _names(value: str | None) -> set[str]:
    return {n.strip() for n in (value or "").split(",") if n.strip()}


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    allow: set[str] | None = None,
    block: Iterable[str] = (),
    plugins: Iterable[tuple[str, object]] = (),
    strict: bool | None = None,
) -> PolymodalPluginManager:
    """Build a plugin manager with the hookspecs, the installed plugins and ``plugins``.

    Args:
        load_entrypoints: load plugins of the ``polymodal`` entry-point group.
            Tests pass False and register what they need through ``plugins``.
        allow: if given, only these entry-point names load
            (environment: ``POLYMODAL_LOAD_PLUGINS=talk,arts``).
        block: entry-point names never to load
            (environment: ``POLYMODAL_DISABLE_PLUGINS=arts``).
        plugins: ``(name, module_or_object)`` pairs to register explicitly.
        strict: raise instead of disabling a plugin that fails to load
            (default: ``POLYMODAL_STRICT_PLUGINS=1`` in the environment).

    Raises:
        PluginConflictError: two installed distributions use one entry-point
            name (pluggy would silently skip the second).
        StartupError: in strict mode, a plugin fails to import or a hook
            implementation matches no hookspec.
    """
    pm = PolymodalPluginManager(ENTRY_POINT_GROUP, strict=strict_from_environment() if strict is None else strict)
    pm.add_hookspecs(hookspecs)
    env_allow = _names(os.environ.get("POLYMODAL_LOAD_PLUGINS"))
    allow = allow if allow is not None else (env_allow or None)
    for name in {*block, *_names(os.environ.get("POLYMODAL_DISABLE_PLUGINS"))}:
        pm.set_blocked(name)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    if load_entrypoints:
        _check_unique_entry_points()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if allow is not None and ep.name not in allow:
                pm.set_blocked(ep.name)
            elif not pm.is_blocked(ep.name):
                # Import each plugin on its own first: pluggy's loader would stop at the first that raises.
                try:
                    ep.load()
                except Exception as exc:  # noqa: BLE001 - any import-time error disables that plugin only
                    pm.disable(ep.name, f"could not be imported: {type(exc).__name__}: {exc}")
        while True:  # past each plugin whose hooks do not fit their specs, to the rest
            try:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
                break
            except pluggy.PluginValidationError as exc:
                pm.disable(pm.get_name(exc.plugin) or str(exc.plugin), str(exc))
    while True:
        try:
            pm.check_pending()
            break
        except pluggy.PluginValidationError as exc:
            pm.disable(pm.get_name(exc.plugin) or str(exc.plugin), str(exc))
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
