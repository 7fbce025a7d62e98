"""The plugin reference in ``docs/reference/``, generated from the public API's models and the hookspecs.

Written by hand, a field reference drifts from the code within a release (a plugin author found about
twenty undocumented fields, among them ``source`` and ``CredentialRequirement``). Generated, it cannot:
``polymodal plugins reference`` writes it, and tests/meta/test_reference.py fails when a public field has
no description or when the files in the repository differ from what this module renders.

Descriptions come from the code itself: a pydantic field's ``description`` (its attribute docstring,
``use_attribute_docstrings``), and for dataclasses, protocols and enum members their attribute docstrings,
read from the source as pydantic reads them.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import textwrap
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from polymodal.core import api, hookspecs
from polymodal.core.contributions import FACT_LABELS, ClientFact, FlagResult, Score
from polymodal.core.contributions._base import KEY_PATTERN, SLUG_PATTERN

GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Contributions", "What the ``polymodal_register_*`` hooks return. Frozen; unknown fields are refused.", (
        "ModalitySpec", "CredentialRequirement", "FormSpec", "FormSection", "FormField", "Option", "BodyRegion",
        "SessionStructure", "Phase", "NoteTemplate", "NoteSection", "ConsentDocument", "ScreeningRule",
        "Assessment", "Item", "Band", "FlagRule", "Subscale")),
    ("Plugin pages", "Menu entries, and what a page reads through ``reads`` (see ``polymodal_register_routes``).", (
        "MenuItem", "CenterReads", "ScheduledSession", "ClientSummary")),
    ("Results", "What behaviour hooks return, and what scoring returns.", (
        "Finding", "PermissionRule", "Score", "FlagResult")),
    ("Payloads", "What the core hands to hooks: plain values, never clinical text.", (
        "PreflightContext", "PreflightClient", "PreflightPractitioner", "NoteEvent", "ConsentEvent",
        "MeetingRequest", "Actor", "AccessRequest", "MessageChannel", "OutgoingMessage", "Attachment",
        "DeliveryFailed")),
    ("Testing", "For a plugin's tests: a clock that moves only when the test moves it.", ("FixedClock",)),
    ("Value lists", "The allowed values of enumerated fields, and what each means.", (
        "Family", "SessionFormat", "Visibility", "FieldType", "FormPurpose", "SectionTag", "ConsentKind",
        "Outcome", "Severity", "FindingLevel", "ClientFact")),
)
"""Every class the API exports, grouped for a reader; ``render`` refuses an exported class left out."""

EXTRA = {"Score": Score, "FlagResult": FlagResult}
"""Not exported, but returned by ``Assessment.score`` and worth documenting."""


def _clean(text: str | None) -> str:
    return inspect.cleandoc(text or "").strip()


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split()).replace("|", "\\|")


def _anchor(name: str) -> str:
    return name.lower()


def attribute_docs(cls: type) -> dict[str, str]:
    """Docstrings written under class attributes (``x: int`` then ``\"\"\"...\"\"\"``), as pydantic reads them."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    node = ast.parse(source).body[0]
    docs: dict[str, str] = {}
    body = getattr(node, "body", [])
    for before, after in zip(body, body[1:], strict=False):
        target = None
        if isinstance(before, ast.AnnAssign) and isinstance(before.target, ast.Name):
            target = before.target.id
        elif isinstance(before, ast.Assign) and len(before.targets) == 1 and isinstance(before.targets[0], ast.Name):
            target = before.targets[0].id
        if target and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) \
                and isinstance(after.value.value, str):
            docs[target] = _clean(after.value.value)
    return docs


# --- types, defaults, constraints ------------------------------------------------------------


def _type(annotation: Any) -> str:
    """A type as a reader says it, linking to the reference's own sections."""
    if isinstance(annotation, str):
        return f"`{annotation}`"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        pattern = _pattern(args[1:])
        return "key (`plugin/name`)" if pattern == KEY_PATTERN else "slug" if pattern == SLUG_PATTERN \
            else _type(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a) for a in args)
    if origin is tuple:
        return f"tuple of {_type(args[0])}" if len(args) == 2 and args[1] is Ellipsis else \
            "tuple of (" + ", ".join(_type(a) for a in args) + ")"
    if origin in (dict, typing.Dict):  # noqa: UP006 - both spellings appear in annotations
        return f"dict of {_type(args[0])} to {_type(args[1])}"
    if origin in (frozenset, set, list):
        return f"{origin.__name__} of {_type(args[0])}"
    if annotation is type(None):
        return "None"
    if annotation is typing.Any:
        return "any"
    if isinstance(annotation, type) and annotation.__name__ in _documented():
        return f"[{annotation.__name__}](#{_anchor(annotation.__name__)})"
    return f"`{getattr(annotation, '__name__', str(annotation))}`"


def _pattern(metadata: Any) -> str | None:
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if pattern:
            return str(pattern)
        inner = getattr(item, "metadata", None)
        if inner:
            found = _pattern(inner)
            if found:
                return found
    return None


def _constraints(info: FieldInfo) -> list[str]:
    found = []
    for item in info.metadata:
        for attr, word in (("min_length", "min length {}"), ("max_length", "max length {}"),
                           ("ge", "at least {}"), ("le", "at most {}"), ("gt", "above {}"), ("lt", "below {}")):
            value = getattr(item, attr, None)
            if value is not None:
                found.append(word.format(value))
        pattern = getattr(item, "pattern", None)
        if pattern and pattern not in (KEY_PATTERN, SLUG_PATTERN):
            found.append(f"matches `{pattern}`")
    return found


def _enum_in(annotation: Any) -> type[enum.Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    for arg in typing.get_args(annotation):
        found = _enum_in(arg)
        if found is not None:
            return found
    return None


def _value(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, tuple):
        return "`()`" if not value else "`(" + ", ".join(str(_value(v)).strip("`") for v in value) + ")`"
    return f"`{value!r}`"


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        return _value(info.default_factory())  # type: ignore[call-arg]
    if info.default is PydanticUndefined:
        return "required"
    return _value(info.default)


# --- sections ----------------------------------------------------------------------------------


def _documented() -> dict[str, type]:
    names = {name for _, _, names in GROUPS for name in names}
    return {name: EXTRA.get(name) or getattr(api, name) for name in names}


def _fields_table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {kind} | {default} | {meaning} |" for name, kind, default, meaning in rows]
    return lines


def _model_rows(cls: type[BaseModel]) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, info in cls.model_fields.items():
        meaning = _one_line(info.description or "")
        allowed = _enum_in(info.annotation)
        extra = _constraints(info)
        if allowed is not None:
            extra.append("one of " + ", ".join(f"`{m.value}`" for m in allowed))
        if extra:
            meaning += f" ({'; '.join(extra)})" if meaning else "; ".join(extra)
        kind = _type(info.annotation)
        if info.metadata and _pattern(info.metadata) in (KEY_PATTERN, SLUG_PATTERN):
            kind = "key (`plugin/name`)" if _pattern(info.metadata) == KEY_PATTERN else "slug"
        rows.append((name, kind, _default(info), meaning))
    return rows


def _dataclass_rows(cls: type) -> list[tuple[str, str, str, str]]:
    docs = attribute_docs(cls)
    hints = _hints(cls)
    rows = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = _value(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = _value(f.default_factory())
        else:
            default = "required"
        rows.append((f.name, _type(hints.get(f.name, f.type)), default, _one_line(docs.get(f.name, ""))))
    return rows


def _members(cls: type) -> list[str]:
    """Public methods and properties defined on the class itself, each with its signature and docstring."""
    lines = []
    for name, member in vars(cls).items():
        if name.startswith("_") or name in getattr(cls, "model_fields", {}):
            continue
        if isinstance(member, property):
            doc = _one_line(member.__doc__ or "")
            returns = inspect.signature(member.fget).return_annotation if member.fget else ""
            lines.append(f"- `{name}` (property{f', {returns}' if returns else ''}){': ' + doc if doc else ''}")
        elif isinstance(member, classmethod | staticmethod) or inspect.isfunction(member):
            function = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            signature = str(inspect.signature(function)).replace("'", "")
            doc = _one_line(function.__doc__ or "")
            lines.append(f"- `{name}{signature}`{': ' + doc if doc else ''}")
    return (["", "Methods:", "", *lines]) if lines else []


def _class_section(name: str, cls: type) -> list[str]:
    lines = [f"### {name}", ""]
    doc = _clean(cls.__doc__) if cls.__doc__ and cls.__doc__ != _inherited_doc(cls) else ""
    if doc:
        lines += [doc, ""]
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        docs = attribute_docs(cls)
        labels = {m.value: text for m, text in FACT_LABELS.items()} if cls is ClientFact else {}
        lines += ["| value | meaning |", "|---|---|"]
        lines += [f"| `{m.value}` | {_one_line(docs.get(m.name) or labels.get(m.value, ''))} |" for m in cls]
        return [*lines, ""]
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        lines += _fields_table(_model_rows(cls))
    elif dataclasses.is_dataclass(cls):
        lines += _fields_table(_dataclass_rows(cls))
    elif isinstance(cls, type) and issubclass(cls, Exception):
        signature = str(inspect.signature(cls.__init__)).replace("(self, ", "(").replace("'", "")
        signature = signature.removesuffix(" -> None")
        lines += [f"Raised as `{name}{signature}`.", ""]
    elif hints := _hints(cls):  # a Protocol: its attributes, then its methods
        docs = attribute_docs(cls)
        lines += _fields_table([(n, _type(t), "required", _one_line(docs.get(n, ""))) for n, t in hints.items()])
    lines += _members(cls)
    return [*lines, ""]


def _hints(cls: type) -> dict[str, Any]:
    """Resolved annotations (they are strings under ``from __future__ import annotations``)."""
    import sys

    try:
        return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    except Exception:  # a name only imported for type checking: show the annotation as written
        return {}


def _inherited_doc(cls: type) -> str | None:
    for base in cls.__mro__[1:]:
        if base.__doc__:
            return base.__doc__
    return None


def render_models() -> str:
    exported = {n for n in api.__all__ if isinstance(getattr(api, n, None), type)}
    grouped = {n for _, _, names in GROUPS for n in names}
    left_out = sorted(exported - grouped)
    if left_out:  # a new public class must be placed in a group, so it cannot go undocumented
        raise ValueError(f"polymodal.core.reference.GROUPS leaves out exported classes: {', '.join(left_out)}")
    lines = [HEADER, "# Models and value lists", "",
             f"Plugin API {api.API_VERSION}. Every class a plugin imports from `polymodal.core.api`, with each "
             "field's type, default, constraints and meaning. Keys are `<plugin>/<name>`, lower-case (at most "
             "120 characters); slugs are lower-case letters, digits, `-` and `_`.", ""]
    for title, intro, _ in GROUPS:
        lines.append(f"- [{title}](#{_anchor(title).replace(' ', '-')}): {_one_line(intro)}")
    lines.append("")
    documented = _documented()
    for title, intro, names in GROUPS:
        lines += [f"## {title}", "", _clean(intro), ""]
        for name in names:
            lines += _class_section(name, documented[name])
    return "\n".join(lines).rstrip() + "\n"


def _hookspecs() -> list[tuple[str, Callable[..., Any]]]:
    return [(n, f) for n, f in vars(hookspecs).items() if n.startswith("polymodal_") and callable(f)]


def render_hooks() -> str:
    lines = [HEADER, "# Hooks", "",
             "Every hook a plugin can implement, in `polymodal.core.hookspecs` order, headed by its exact "
             "signature. Implement one with a module-level function of the same name marked `@hookimpl` "
             "(from `polymodal.core.api`); it may take fewer arguments than the hook passes, never others.", ""]
    lines += [f"- [`{name}`](#{_anchor(name)})" for name, _ in _hookspecs()]
    lines.append("")
    for name, function in _hookspecs():
        opts = getattr(function, "polymodal_spec", {}) or {}
        flags = [k for k in ("firstresult", "historic") if opts.get(k)]
        signature = str(inspect.signature(function)).replace("'", "")
        lines += [f"## {name}", "", f"```python\n{name}{signature}\n```", ""]
        if flags:
            lines += [f"Called with {', '.join(flags)}.", ""]
        lines += [_markdown(function.__doc__), ""]
    return "\n".join(lines).rstrip() + "\n"


def _markdown(doc: str | None) -> str:
    """A Google-style docstring as Markdown: ``Args:``/``Returns:`` blocks become paragraphs (indented, they
    would render as code), an ``Example::`` block stays indented, which Markdown shows as code."""
    out: list[str] = []
    block = ""
    for line in _clean(doc).splitlines():
        header = line.strip() in ("Args:", "Returns:")
        if header:
            block = line.strip()
            out += [f"**{block[:-1]}:**", ""]
            continue
        if block and line.startswith("    "):
            out.append(line[4:] if block == "Returns:" else "- " + line[4:] if not line.startswith("        ")
                       else "  " + line.strip())
            continue
        block = "" if not line.startswith("    ") else block
        out.append(line)
    return "\n".join(out)


def render_testing() -> str:
    lines = [HEADER, "# Other names in polymodal.core.api", "",
             "The constants, the `hookimpl` marker and the testing helpers (importable from "
             "`polymodal.core.api`; they load pytest only when first used).", ""]
    for name in sorted(n for n in api.__all__ if not isinstance(getattr(api, n), type)):
        value = getattr(api, name)
        lines += [f"## {name}", ""]
        if callable(value) and inspect.isfunction(value):
            lines += [f"```python\n{name}{str(inspect.signature(value)).replace(chr(39), '')}\n```", "",
                      _clean(value.__doc__), ""]
        elif name == "hookimpl":
            lines += ["`pluggy.HookimplMarker(\"polymodal\")`: mark each hook function with `@hookimpl`, or "
                      "`@hookimpl(tryfirst=True)`, `@hookimpl(trylast=True)`, `@hookimpl(specname=...)`.", ""]
        else:
            lines += [f"`{value!r}`", ""]
    return "\n".join(lines).rstrip() + "\n"


HEADER = ("<!-- Generated by `polymodal plugins reference` from polymodal.core.api and polymodal.core.hookspecs. "
          "Do not edit: change the docstrings and run it again. -->\n")

FILES: dict[str, Callable[[], str]] = {"models.md": render_models, "hooks.md": render_hooks,
                                        "api-names.md": render_testing}


def render() -> dict[str, str]:
    """File name -> content of every page of the reference."""
    pages = {name: build() for name, build in FILES.items()}
    pages["README.md"] = (HEADER + "# Plugin reference\n\nGenerated from the code; the guide is "
                          "[docs/plugins.md](../plugins.md) and the tutorial [docs/plugin-tutorial.md]"
                          "(../plugin-tutorial.md).\n\n- [Models and value lists](models.md)\n- [Hooks](hooks.md)"
                          "\n- [Other names: constants and testing helpers](api-names.md)\n")
    return pages


def write(folder: Path) -> list[str]:
    """Write the reference into ``folder``; returns the names of files whose content changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in render().items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(name)
    return changed


def stale(folder: Path) -> list[str]:
    """Names of the reference's files missing from ``folder`` or different from what the code renders."""
    return [name for name, text in render().items()
            if not (folder / name).exists() or (folder / name).read_text() != text]


def undocumented() -> list[str]:
    """``Class.field`` of every public field, enum value or payload attribute that has no meaning written."""
    missing = []
    for name, cls in _documented().items():
        if issubclass(cls, enum.Enum):
            docs = attribute_docs(cls)
            missing += [f"{name}.{m.name}" for m in cls if not docs.get(m.name) and m not in FACT_LABELS]
        elif issubclass(cls, BaseModel):
            missing += [f"{name}.{f}" for f, info in cls.model_fields.items() if not (info.description or "").strip()]
        elif dataclasses.is_dataclass(cls):
            docs = attribute_docs(cls)
            missing += [f"{name}.{f.name}" for f in dataclasses.fields(cls) if not docs.get(f.name)]
    return missing
