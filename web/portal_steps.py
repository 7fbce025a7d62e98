"""One portal step: the definition it is drawn from, and its answers read back from a form post.

A step is a plugin's form, consent document or instrument, rendered from its
declarative definition; only the names that definition declares are read from
the post, so nothing else (an id, a role) can ride along into the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from polymodal.core.contributions import IDENTITY_KEYS, FormField, validate_fields
from polymodal.core.display import EMPTY, describe
from polymodal.core.registry import Registry
from polymodal.web.fields import answers_from_form

MAX_VALUE = 50_000


@dataclass(frozen=True)
class Step:
    number: int
    item: dict[str, Any]
    spec: Any

    @property
    def id(self) -> str:
        return f"{self.item['kind']}:{self.item['key']}"

    @property
    def kind(self) -> str:
        return self.item["kind"]

    @property
    def title(self) -> str:
        return getattr(self.spec, "title", None) or getattr(self.spec, "name", None) or self.item["key"]

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(getattr(self.spec, "fields", ()) or ())


def steps_of(registry: Registry, items: list[dict[str, Any]]) -> list[Step]:
    """The packet's steps. A form is drawn as the client sees it: its staff-only sections are not
    rendered, not read from a post, not listed on the review page (``FormSpec.for_client``)."""
    catalogs = {"form": registry.forms, "consent": registry.consent_documents, "assessment": registry.assessments}
    steps = []
    for n, item in enumerate(items, start=1):
        spec = catalogs[item["kind"]].get(item["key"], item["version"])
        steps.append(Step(n, item, spec.for_client() if item["kind"] == "form" and spec is not None else spec))
    return steps


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value[:MAX_VALUE] if isinstance(value, str) else ""


def answers_from(step: Step, form: Any) -> dict[str, Any]:
    """The step's answers exactly as entered (validation is the core's job)."""
    if step.kind == "assessment":
        return {item.key: _text(form, item.key) for item in step.spec.items}
    answers = answers_from_form(step.fields, form, prefix="")
    if step.kind == "consent":
        answers["signer_name"] = _text(form, "signer_name")[:200]
        answers["agree"] = "yes" if form.get("agree") == "yes" else ""
        answers["assent_name"] = _text(form, "assent_name")[:200]
    return answers


def smuggled(*sources: Any) -> list[str]:
    """Identity parameters a portal request must never carry (query or form)."""
    return sorted({key for source in sources for key in source.keys() if key.lower() in IDENTITY_KEYS})


def labels_of(step: Step) -> dict[str, str]:
    """Field name → the question, for the error summary at the top of a step."""
    if step.kind == "assessment":
        return {item.key: f"Question {n}" for n, item in enumerate(step.spec.items, start=1)}
    labels = {field.key: field.label for field in step.fields}
    if step.kind == "consent":
        labels.update(signer_name="Your full name", agree="I have read and agree", assent_name="Assent")
    return labels


def summary_rows(registry: Registry, step: Step, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The answers of a step as the client gave them, for the review page.

    Instruments show each chosen answer only: scores, bands and flags are for the practitioner.
    """
    if step.spec is None:
        return []
    if step.kind == "assessment":
        rows = []
        for item in step.spec.items:
            option = next((o for o in step.spec.options_for(item) if o.value == answers.get(item.key)), None)
            if option is not None:
                rows.append((item.text, option.label))
            elif item.free_text and str(answers.get(item.key, "")).strip():
                rows.append((item.text, str(answers[item.key]).strip()))
        return rows
    if step.kind == "form":
        values, kind = step.spec.validate_answers(answers)[0], "forms"
    else:
        values, kind = validate_fields(step.fields, answers)[0], "consent_documents"
    rows = [(r.label, r.text) for r in describe(registry, kind, step.item["key"], step.item["version"], values).rows
            if r.text != EMPTY]
    if step.kind == "consent" and answers.get("signer_name"):
        rows.append(("Signed by", str(answers["signer_name"])))
        if answers.get("assent_name"):
            rows.append(("Assent", str(answers["assent_name"])))
    return rows
