"""Collect, validate and freeze what plugins contribute, once, at start-up."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from polymodal.core.contributions import (
    Assessment,
    ConsentDocument,
    Contribution,
    FormSpec,
    ModalitySpec,
    NoteTemplate,
    ScreeningRule,
    SessionStructure,
)
from polymodal.core.errors import PluginConflictError, PluginDefinitionError
from polymodal.core.plugins import plugin_version

T = TypeVar("T", bound=Contribution)


@dataclass(frozen=True)
class Kind(Generic[T]):
    name: str
    hook: str
    model: type[T]


KINDS: tuple[Kind[Any], ...] = (
    Kind("modalities", "polymodal_register_modalities", ModalitySpec),
    Kind("forms", "polymodal_register_forms", FormSpec),
    Kind("session_structures", "polymodal_register_session_structures", SessionStructure),
    Kind("note_templates", "polymodal_register_note_templates", NoteTemplate),
    Kind("consent_documents", "polymodal_register_consent_documents", ConsentDocument),
    Kind("assessments", "polymodal_register_assessments", Assessment),
    Kind("screening_rules", "polymodal_register_screening_rules", ScreeningRule),
)
KIND_BY_NAME = {k.name: k for k in KINDS}


class Catalog(Generic[T]):
    """All versions of one kind of definition, keyed and frozen."""

    def __init__(self, kind: Kind[T], entries: dict[str, dict[int, T]], owners: dict[str, str],
                 hidden: frozenset[str] = frozenset()) -> None:
        self.kind = kind
        self._entries = MappingProxyType({k: MappingProxyType(v) for k, v in entries.items()})
        self._owners = MappingProxyType(owners)
        self.hidden = hidden & set(entries)
        """Keys the center chose not to offer: left out of iteration (every list), still found by ``get``
        (records written under them)."""
        self._latest = tuple(v[max(v)] for k, v in sorted(self._entries.items()) if k not in self.hidden)

    def hiding(self, keys: frozenset[str]) -> Catalog[T]:
        """The same definitions with ``keys`` hidden."""
        return Catalog(self.kind, {k: dict(v) for k, v in self._entries.items()}, dict(self._owners), keys)

    def __iter__(self) -> Iterator[T]:
        """Latest version of each definition, ordered by key."""
        return iter(self._latest)

    def __len__(self) -> int:
        return len(self._latest)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: str, version: int | None = None) -> T | None:
        versions = self._entries.get(key)
        if not versions:
            return None
        return versions.get(version) if version is not None else versions[max(versions)]

    def versions(self, key: str) -> tuple[int, ...]:
        return tuple(sorted(self._entries.get(key, {})))

    def owner(self, key: str) -> str | None:
        return self._owners.get(key)

    def by_owner(self, plugin: str) -> tuple[T, ...]:
        return tuple(c for c in self._latest if self._owners[c.key] == plugin)

    def for_modality(self, modality: str) -> tuple[T, ...]:
        """The latest definitions for a modality: its own plugin's first, each plugin's in the order it
        declared them, since the first is the default (the structure a booking takes, the note template a
        session offers first). By key alone another plugin's addition came first whenever its name sorted
        first: psychotherapy offered "ecotherapy/walk-and-talk" before talk's own notes (issue 13)."""
        home = modality.split("/", 1)[0]
        found = [self.get(key) for key in self._entries if modality in getattr(self.get(key), "modalities", ())]
        return tuple(sorted(found, key=lambda c: c.namespace != home))  # stable: declaration order kept


class Registry:
    """Every plugin contribution, validated and read-only."""

    def __init__(self, catalogs: dict[str, Catalog[Any]]) -> None:
        self._catalogs = MappingProxyType(catalogs)

    def hiding_modalities(self, keys: frozenset[str]) -> Registry:
        """This registry with the center's hidden modalities (``Settings.hidden_modalities``) left out of lists."""
        if not keys:
            return self
        return Registry({**self._catalogs, "modalities": self.modalities.hiding(keys)})

    @property
    def modalities(self) -> Catalog[ModalitySpec]:
        return self._catalogs["modalities"]

    @property
    def forms(self) -> Catalog[FormSpec]:
        return self._catalogs["forms"]

    @property
    def session_structures(self) -> Catalog[SessionStructure]:
        return self._catalogs["session_structures"]

    @property
    def note_templates(self) -> Catalog[NoteTemplate]:
        return self._catalogs["note_templates"]

    @property
    def consent_documents(self) -> Catalog[ConsentDocument]:
        return self._catalogs["consent_documents"]

    @property
    def assessments(self) -> Catalog[Assessment]:
        return self._catalogs["assessments"]

    @property
    def screening_rules(self) -> Catalog[ScreeningRule]:
        return self._catalogs["screening_rules"]

    def catalog(self, kind: str) -> Catalog[Any]:
        return self._catalogs[kind]

    def contributions_of(self, plugin: str) -> dict[str, list[str]]:
        return {name: [c.key for c in cat.by_owner(plugin)] for name, cat in self._catalogs.items()}

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> Registry:
        """Call every registration hook, each plugin on its own, and validate.

        Raises:
            PluginDefinitionError: a definition does not validate, a key is not
                prefixed with the plugin's name, a reference names nothing, or
                a registration hook raised.
            PluginConflictError: two plugins (or one, twice) gave one key and version.
        """
        catalogs = {kind.name: _collect_kind(pm, kind) for kind in KINDS}
        registry = cls(catalogs)
        _check_references(registry)
        return registry


def collect_or_disable(pm) -> Registry:
    """``Registry.collect``, leaving out each plugin whose contributions fail, as ``pm.disable`` decides
    (in strict mode the first failure is raised). A conflict disables the plugin named second."""
    while True:
        try:
            return Registry.collect(pm)
        except (PluginDefinitionError, PluginConflictError) as exc:
            if not exc.plugin or pm.get_plugin(exc.plugin) is None or not hasattr(pm, "disable"):
                raise
            pm.disable(exc.plugin, str(exc))


def _collect_kind(pm: pluggy.PluginManager, kind: Kind[T]) -> Catalog[T]:
    entries: dict[str, dict[int, T]] = {}
    owners: dict[str, str] = {}
    for impl in getattr(pm.hook, kind.hook).get_hookimpls():
        plugin = impl.plugin_name
        try:
            returned = impl.function()
        except Exception as exc:
            raise PluginDefinitionError(f"plugin '{plugin}': {kind.hook}() raised {exc!r}", plugin=plugin) from exc
        if returned is None:
            continue
        if not isinstance(returned, list | tuple):
            raise PluginDefinitionError(
                f"plugin '{plugin}': {kind.hook}() must return a list, not {type(returned).__name__}", plugin=plugin
            )
        for index, item in enumerate(returned):
            spec = _validate(plugin, kind, index, item)
            if spec.namespace != plugin:
                raise PluginDefinitionError(
                    f"plugin '{plugin}': {kind.name} '{spec.key}' must be keyed '{plugin}/...'", plugin=plugin
                )
            versions = entries.setdefault(spec.key, {})
            if spec.version in versions:
                raise PluginConflictError(
                    f"{kind.name} '{spec.ref}' is contributed twice, by plugin '{owners[spec.key]}' "
                    f"and by plugin '{plugin}'", plugin=plugin
                )
            versions[spec.version] = spec
            owners[spec.key] = plugin
    return Catalog(kind, entries, owners)


def _validate(plugin: str, kind: Kind[T], index: int, item: object) -> T:
    if isinstance(item, kind.model):
        return item
    if isinstance(item, BaseModel | dict):
        data = item.model_dump() if isinstance(item, BaseModel) else item
        label = data.get("key", f"item {index}") if isinstance(data, dict) else f"item {index}"
        try:
            return kind.model.model_validate(data)
        except ValidationError as exc:
            raise PluginDefinitionError(_describe(plugin, kind, str(label), exc), plugin=plugin) from exc
    raise PluginDefinitionError(
        f"plugin '{plugin}': {kind.hook}() item {index} is a {type(item).__name__}, "
        f"expected {kind.model.__name__}", plugin=plugin
    )


def _describe(plugin: str, kind: Kind[Any], label: str, exc: ValidationError) -> str:
    problems = "; ".join(
        f"field '{'.'.join(str(p) for p in err['loc']) or '(definition)'}': {err['msg']}" for err in exc.errors()
    )
    return f"plugin '{plugin}': {kind.name} '{label}': {problems}"


def _check_references(registry: Registry) -> None:
    def fail(kind: str, spec: Contribution, field: str, missing: str) -> None:
        owner = registry.catalog(kind).owner(spec.key)
        raise PluginDefinitionError(
            f"plugin '{owner}': {kind} '{spec.ref}': field '{field}' names '{missing}', which no plugin provides",
            plugin=owner)

    for kind in ("forms", "session_structures", "note_templates", "consent_documents", "assessments",
                 "screening_rules"):
        for key in registry.catalog(kind)._entries:
            for version in registry.catalog(kind).versions(key):
                spec = registry.catalog(kind).get(key, version)
                for modality in getattr(spec, "modalities", ()):
                    if modality not in registry.modalities:
                        fail(kind, spec, "modalities", modality)
    for modality in registry.modalities:
        for key in modality.consents_required:
            if key not in registry.consent_documents:
                fail("modalities", modality, "consents_required", key)
        for key in modality.intake_forms:
            if key not in registry.forms:
                fail("modalities", modality, "intake_forms", key)
    for rule in registry.screening_rules:
        if rule.form is None:  # a fact rule
            continue
        form = registry.forms.get(rule.form)
        if form is None:
            fail("screening_rules", rule, "form", rule.form)
        elif form.field(rule.field) is None:
            fail("screening_rules", rule, "field", f"{rule.form}:{rule.field}")
        elif (why := rule.mismatch(form.field(rule.field))) is not None:
            owner = registry.screening_rules.owner(rule.key)
            raise PluginDefinitionError(f"plugin '{owner}': screening_rules '{rule.ref}': {why}, so it can never "
                                        "match", plugin=owner)


def overlaps(modalities: Iterable[ModalitySpec]) -> list[tuple[frozenset[str], str]]:
    """Where plugins' modalities meet: a discipline two plugins name without ``shares_discipline`` (their
    practitioners would silently read each other's discipline-only notes), and one modality name offered by
    two plugins (staff would book one not knowing which). Each: the plugins concerned, and a line naming them."""
    by_discipline: dict[str, dict[str, bool]] = {}
    by_name: dict[str, list[str]] = {}
    for modality in modalities:
        declared = by_discipline.setdefault(modality.discipline, {})
        declared[modality.namespace] = declared.get(modality.namespace, False) or modality.shares_discipline
        by_name.setdefault(modality.name.casefold(), []).append(modality.key)
    lines = []
    for discipline, plugins in sorted(by_discipline.items()):
        owners = sorted(p for p, shares in plugins.items() if not shares)
        if len(owners) > 1:
            lines.append((frozenset(owners), f"discipline '{discipline}' is named by plugins {', '.join(owners)}, none of which marks it "
                         "shared: their practitioners read each other's discipline-only notes; choose another "
                         "discipline, or set shares_discipline=True on the modality that means to share it"))
    for keys in by_name.values():
        if len(plugins := frozenset(k.split('/', 1)[0] for k in keys)) > 1:
            lines.append((plugins, f"the modality name of {', '.join(sorted(keys))} is the same: staff cannot tell them apart "
                         "when booking; rename one, or hide one (POLYMODAL_HIDE_MODALITIES=<key>)"))
    return lines


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    hooks: tuple[str, ...]
    contributions: dict[str, list[str]]
    modalities: tuple[dict[str, str], ...]


def describe_plugins(pm: pluggy.PluginManager, registry: Registry) -> list[PluginInfo]:
    """Each loaded plugin: distribution version, implemented hooks, contributions by kind."""
    infos = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:  # blocked
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        modalities = tuple({"key": m.key, "name": m.name, "family": m.family.value}
                           for m in registry.modalities.by_owner(name))
        infos.append(PluginInfo(name, plugin_version(pm, name), hooks, registry.contributions_of(name), modalities))
    return infos
