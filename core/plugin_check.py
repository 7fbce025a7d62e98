"""``polymodal plugins check NAME``: validate one installed plugin and report every problem.

Start-up (``Registry.collect``) stops at the first bad definition, which is
right for a running center but slow for an author fixing a plugin. This check
goes on after a problem and returns one line per problem, each naming the
plugin, the contribution and the field, so a whole plugin can be fixed in one
pass. Cross-references (a modality, consent, form or field named by another
definition) are resolved against the plugin itself plus every other installed
plugin that loads, as they would be at start-up.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel, ValidationError

from polymodal.core import hookspecs
from polymodal.core.contributions import Contribution, FormSpec, ModalitySpec, ScreeningRule
from polymodal.core.plugins import ENTRY_POINT_GROUP
from polymodal.core.practice import menu_problem, route_problem
from polymodal.core.registry import KINDS, Kind, overlaps

HOOK_PREFIX = "polymodal_"


def check_plugin(name: str) -> list[str]:
    """Load the installed plugin whose entry-point name is ``name`` and validate what it contributes.

    Returns:
        Error lines, empty when the plugin is valid. Each line starts with
        ``plugin '<name>':`` and names the contribution (kind and key) and the
        field at fault.
    """
    ep = _entry_point(name)
    if ep is None:
        return [f"plugin '{name}': not installed (no entry point '{name}' in group '{ENTRY_POINT_GROUP}')"]
    try:
        module = ep.load()
    except Exception as exc:  # an import error is the finding, not a crash of the check
        return [f"plugin '{name}': cannot be imported from '{ep.value}': {exc!r}"]
    errors = _check_hooks(name, module)
    own, collect_errors = _collect(name, module)
    errors += collect_errors
    others = _other_plugins(name)
    errors += _check_references(name, own, others)
    errors += _check_overlaps(name, own, others)
    errors += _check_routes(name, module)
    errors += _check_menu(name, module)
    return errors


def _returned(plugin: str, module: Any, hook: str) -> tuple[list[Any], list[str]]:
    """What the plugin's implementation of ``hook`` returns (empty without one), or the error line."""
    function = _implementation(module, hook)
    if function is None:
        return [], []
    try:
        returned = function()
    except Exception as exc:
        return [], [f"plugin '{plugin}': {hook}() raised {exc!r}"]
    if not isinstance(returned, list | tuple):
        return [], [f"plugin '{plugin}': {hook}() must return a list, not {type(returned).__name__}"]
    return list(returned), []


def _check_menu(plugin: str, module: Any) -> list[str]:
    """Each menu entry start-up would leave out: an undeclared action, or a path no GET route answers."""
    items, errors = _returned(plugin, module, "polymodal_register_menu_items")
    handlers, _ = _returned(plugin, module, "polymodal_register_routes")  # its errors: _check_routes
    paths = {p for h in handlers if "GET" in (getattr(h, "http_methods", ()) or ()) for p in getattr(h, "paths", ())}
    return errors + [f"plugin '{plugin}': {why}" for item in items if (why := menu_problem(item, paths))]


def _check_routes(plugin: str, module: Any) -> list[str]:
    """Each route naming an action the access policy does not know (start-up leaves it out)."""
    handlers, errors = _returned(plugin, module, "polymodal_register_routes")
    return errors + [f"plugin '{plugin}': {why}" for handler in handlers if (why := route_problem(plugin, handler))]


def _entry_point(name: str) -> EntryPoint | None:
    return next(iter(entry_points(group=ENTRY_POINT_GROUP, name=name)), None)


# --- hook functions -------------------------------------------------------------------------


def _specs() -> dict[str, tuple[str, ...]]:
    return {n: tuple(inspect.signature(f).parameters) for n, f in vars(hookspecs).items()
            if n.startswith(HOOK_PREFIX) and callable(f)}


def _check_hooks(plugin: str, module: Any) -> list[str]:
    specs = _specs()
    errors = []
    for attr in sorted(dir(module)):
        function = getattr(module, attr)
        marked = getattr(function, f"{ENTRY_POINT_GROUP}_impl", None)
        if marked is None:
            if attr.startswith(HOOK_PREFIX) and callable(function):
                errors.append(f"plugin '{plugin}': function '{attr}' is not marked with @hookimpl, "
                              "so it would be ignored; import hookimpl from polymodal.core.api")
            continue
        hook = marked.get("specname") or attr
        if hook not in specs:
            errors.append(f"plugin '{plugin}': hook '{hook}' matches no polymodal hook (misspelt?)")
            continue
        extra = [a for a in inspect.signature(function).parameters if a not in specs[hook]]
        if extra:
            errors.append(f"plugin '{plugin}': hook '{hook}' takes unknown argument(s) {', '.join(extra)}; "
                          f"the hook passes {', '.join(specs[hook]) or 'none'}")
    return errors


def _implementation(module: Any, hook: str) -> Any:
    for attr in dir(module):
        function = getattr(module, attr)
        marked = getattr(function, f"{ENTRY_POINT_GROUP}_impl", None)
        if marked is not None and (marked.get("specname") or attr) == hook:
            return function
    return None


# --- contributions --------------------------------------------------------------------------


Catalogs = dict[str, dict[str, dict[int, Any]]]
"""kind name -> key -> version -> validated definition."""


def _collect(plugin: str, module: Any, *, report: bool = True) -> tuple[Catalogs, list[str]]:
    catalogs: Catalogs = {kind.name: {} for kind in KINDS}
    errors: list[str] = []
    for kind in KINDS:
        function = _implementation(module, kind.hook)
        if function is None:
            continue
        try:
            returned = function()
        except Exception as exc:
            errors.append(f"plugin '{plugin}': {kind.hook}() raised {exc!r}")
            continue
        if returned is None:
            continue
        if not isinstance(returned, list | tuple):
            errors.append(f"plugin '{plugin}': {kind.hook}() must return a list, not {type(returned).__name__}")
            continue
        for index, item in enumerate(returned):
            spec, problems = _validate(plugin, kind, index, item)
            errors += problems
            if spec is None:
                continue
            if spec.namespace != plugin:
                errors.append(f"plugin '{plugin}': {kind.name} '{spec.key}': field 'key': "
                              f"must start with '{plugin}/'")
            versions = catalogs[kind.name].setdefault(spec.key, {})
            if spec.version in versions:
                errors.append(f"plugin '{plugin}': {kind.name} '{spec.ref}': field 'version': "
                              "the same key and version is returned twice")
            versions[spec.version] = spec
    return catalogs, errors if report else []


def _validate(plugin: str, kind: Kind[Any], index: int, item: object) -> tuple[Contribution | None, list[str]]:
    if isinstance(item, kind.model):
        return item, []
    if not isinstance(item, BaseModel | dict):
        return None, [f"plugin '{plugin}': {kind.name} item {index}: is a {type(item).__name__}, "
                      f"expected {kind.model.__name__}"]
    data = item.model_dump() if isinstance(item, BaseModel) else item
    label = str(data.get("key") or f"item {index}")
    try:
        return kind.model.model_validate(data), []
    except ValidationError as exc:
        return None, [
            f"plugin '{plugin}': {kind.name} '{label}': field "
            f"'{'.'.join(str(p) for p in err['loc']) or '(definition)'}': {err['msg']}"
            for err in _root_causes(exc.errors())
        ]


def _root_causes(errors: list[Any]) -> list[Any]:
    """Drop pydantic's follow-on "too short" errors on a container whose item already failed.

    An invalid field inside a section also makes the section's field tuple, and
    the form's section tuple, count as empty; reporting those would send the
    author after problems that are not there.
    """
    def follows(err: Any) -> bool:
        loc = tuple(err["loc"])
        return err["type"] == "too_short" and any(
            len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in errors)

    return [err for err in errors if not follows(err)]


def _other_plugins(name: str) -> list[Catalogs]:
    """What the other installed plugins contribute; ones that fail to load are skipped, not reported."""
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            continue
        try:
            module = ep.load()
        except Exception:
            continue
        found.append(_collect(ep.name, module, report=False)[0])
    return found


def _check_overlaps(plugin: str, own: Catalogs, others: Iterable[Catalogs]) -> list[str]:
    """A discipline or modality name this plugin shares with another without saying so."""
    modalities = [versions[max(versions)] for catalogs in (own, *others)
                  for versions in catalogs["modalities"].values()]
    return [f"plugin '{plugin}': {line}" for plugins, line in overlaps(modalities) if plugin in plugins]


# --- cross-references -----------------------------------------------------------------------


def _check_references(plugin: str, own: Catalogs, others: Iterable[Catalogs]) -> list[str]:
    everything: Catalogs = {kind.name: dict(own[kind.name]) for kind in KINDS}
    for catalogs in others:
        for kind, entries in catalogs.items():
            for key, versions in entries.items():
                everything[kind].setdefault(key, versions)
    errors = []

    def missing(kind: str, spec: Contribution, field: str, name: str) -> None:
        errors.append(f"plugin '{plugin}': {kind} '{spec.ref}': field '{field}' names '{name}', "
                      "which no installed plugin provides")

    for kind, entries in own.items():
        for versions in entries.values():
            for spec in versions.values():
                for modality in getattr(spec, "modalities", ()):
                    if modality not in everything["modalities"]:
                        missing(kind, spec, "modalities", modality)
                if isinstance(spec, ModalitySpec):
                    for key in spec.consents_required:
                        if key not in everything["consent_documents"]:
                            missing(kind, spec, "consents_required", key)
                    for key in spec.intake_forms:
                        if key not in everything["forms"]:
                            missing(kind, spec, "intake_forms", key)
                if isinstance(spec, ScreeningRule) and spec.form is not None:
                    form_versions = everything["forms"].get(spec.form)
                    if not form_versions:
                        missing(kind, spec, "form", spec.form)
                        continue
                    form: FormSpec = form_versions[max(form_versions)]
                    field = form.field(spec.field)
                    if field is None:
                        missing(kind, spec, "field", f"{spec.form}:{spec.field}")
                    elif (why := spec.mismatch(field)) is not None:
                        errors.append(f"plugin '{plugin}': {kind} '{spec.ref}': {why}, so it can never match")
    return errors
