"""The declarative definitions plugins contribute (modalities, forms, notes, consents)."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from polymodal.core.contributions._base import Contribution, Frozen, Key, Slug
from polymodal.core.contributions._facts import ClientFact
from polymodal.core.contributions._fields import FieldType, FormField, reserved_keys, validate_fields


class Family(StrEnum):
    talk = "talk"
    """Talk therapies: psychotherapy, counselling, coaching."""
    somatic = "somatic"
    """Hands-on and body-based work: massage, bodywork."""
    breath = "breath"
    """Breathwork."""
    movement = "movement"
    """Movement-based work: dance/movement therapy, yoga therapy."""
    creative = "creative"
    """Arts therapies: art, music, drama."""


class SessionFormat(StrEnum):
    individual = "individual"
    """One client."""
    couple = "couple"
    """Two clients seen together."""
    family = "family"
    """Several members of one family."""
    group = "group"
    """Several clients who are not one family."""


class Visibility(StrEnum):
    """Who may read a note besides its author."""

    care_team = "care_team"
    """Everyone with clinical access to each client of the note's case (the care team, their supervisors)."""
    discipline = "discipline"
    """Of those, only practitioners who share a discipline with the author."""
    author_only = "author_only"
    """Only the author (required for psychotherapy notes)."""


class CredentialRequirement(Frozen):
    """A credential a practitioner needs to offer a modality in a jurisdiction.

    ``jurisdiction`` is an ISO 3166 code such as ``US-CA`` or ``US``; ``*``
    applies everywhere a more specific rule does not. Holding any one of
    ``any_of`` satisfies it. Rules are data a local expert reviews, so each
    carries its ``source``.
    """

    jurisdiction: str = Field(min_length=1, max_length=20)
    """Where the rule applies: an ISO 3166 country (``US``) or subdivision (``US-CA``) code, or ``*`` for
    everywhere no more specific rule names. The session's jurisdiction picks the most specific rule."""
    any_of: tuple[str, ...] = Field(min_length=1)
    """Credential types (as staff record them on a practitioner, e.g. ``LMFT``, ``LPCC``), any one of which
    satisfies the rule on the session's day."""
    supervised: tuple[str, ...] = Field(default=(), description=(
        "Credentials that count only while the practitioner has a supervisor on record: registered "
        "associates, interns and limited permits (e.g. AMFT in California)."))
    source: str = ""
    """The statute, board or registry the rule comes from; shown with a refusal so a local expert can check it."""
    note: str = ""
    """A remark for people reviewing the rules (e.g. what a credential abbreviation stands for); not shown
    to clients."""

    def covers(self, held: set[str] | tuple[str, ...], supervised: bool) -> bool:
        """Whether credentials ``held`` meet the rule (``supervised``: the practitioner has a supervisor)."""
        return bool(set(self.any_of) & set(held)) or (supervised and bool(set(self.supervised) & set(held)))

    @property
    def types(self) -> tuple[str, ...]:
        return self.any_of + self.supervised


class ModalitySpec(Contribution):
    """A kind of therapy the center can book: who may offer it, in what formats, after which consents."""

    name: str = Field(min_length=1, max_length=120)
    """What staff and clients see when booking, e.g. "Equine-assisted psychotherapy"."""
    family: Family
    """The broad kind of work; groups modalities in lists and reports."""
    discipline: Slug = Field(description=(
        "The professional discipline whose practitioners read this modality's notes of visibility "
        "'discipline', matched against the disciplines recorded on each user. The string is shared by every "
        "plugin: two modalities naming the same discipline share those notes."))
    description: str = ""
    """A sentence for the people who book it; informational (no page shows it yet)."""
    formats: tuple[SessionFormat, ...] = (SessionFormat.individual,)
    """The session formats it may be booked in."""
    credentials: tuple[CredentialRequirement, ...] = ()
    """Credential rules per jurisdiction. Empty: no credential is needed (e.g. coaching); otherwise a
    practitioner without a matching credential is refused at booking and check-in."""
    consents_required: tuple[Key, ...] = Field(
        default=(), description="Consent documents that must be active before a session starts."
    )
    intake_forms: tuple[Key, ...] = Field(default=(), description="Forms a client completes before a first session.")
    screening_valid_days: int = Field(
        default=365, ge=1, le=3660,
        description="How long a screening (a form with purpose 'screening') stays valid for this modality.")
    shares_discipline: bool = False
    """Says that ``discipline`` is deliberately one another plugin's modalities already name, so practitioners
    of both read each other's discipline-only notes (Since: API 1.2). Two plugins naming one discipline
    without it are reported by ``polymodal plugins check`` and on the admin's plugin page: sharing notes is a
    decision, never an accident of two plugins choosing the same word."""

    def credential_rule_for(self, jurisdiction: str) -> CredentialRequirement | None:
        """The most specific rule for ``jurisdiction`` (``US-CA`` before ``US`` before ``*``)."""
        by_code = {c.jurisdiction: c for c in self.credentials}
        parts = jurisdiction.split("-")
        for candidate in ("-".join(parts[:i]) for i in range(len(parts), 0, -1)):
            if candidate in by_code:
                return by_code[candidate]
        return by_code.get("*")


class FormSection(Frozen):
    """A titled group of fields within a form."""

    key: Slug
    """Unique within the form."""
    title: str
    """The section's heading."""
    help: str = ""
    """A line shown under the heading."""
    optional: bool = Field(default=False, description=(
        "Marks a section a center might not use (e.g. spirituality). Informational: the core shows and "
        "validates it like any other section, so leave its fields not required."))
    staff_only: bool = Field(default=False, description=(
        "Filled in by staff only (clinician observations, risk review): never shown in the client portal, "
        "neither the questions nor the answers, and never accepted from it."))
    fields: tuple[FormField, ...] = Field(min_length=1)
    """The section's fields, in order; field keys are unique across the whole form."""


def _no_repeats(what: str, keys: list[str]) -> None:
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"{what} repeat: {', '.join(dupes)}")


def _not_reserved(fields: tuple[FormField, ...]) -> None:
    reserved = reserved_keys(fields)
    if reserved:
        raise ValueError(f"field key(s) {', '.join(reserved)} are reserved (the portal and consent pages use "
                         "them); choose another key")


class FormPurpose(StrEnum):
    intake = "intake"
    """Asked before a first session (a modality's ``intake_forms``)."""
    screening = "screening"
    """Decides whether the client is screened for its modalities; valid for ``screening_valid_days``."""
    session_log = "session_log"
    """Filled in during or after a session."""


class FormSpec(Contribution):
    """An intake, screening or session-log form for one or more modalities."""

    title: str = Field(min_length=1, max_length=200)
    """The form's heading on the intake page and in the portal."""
    purpose: FormPurpose = FormPurpose.intake
    """What the form is for; ``screening`` forms decide whether a client is screened for a modality."""
    modalities: tuple[Key, ...] = ()
    """Modalities (any plugin's) the form serves: its screening rules apply to them, and the portal packet of
    a client booked for one of them includes it when it is a screening form."""
    description: str = ""
    """A paragraph shown above the form."""
    sections: tuple[FormSection, ...] = Field(min_length=1)
    """The form's sections, in order."""
    source: str = ""
    """Where the questions come from (guideline, instrument or the plugin's own wording)."""

    @model_validator(mode="after")
    def _unique_keys(self) -> FormSpec:
        _no_repeats("section keys", [s.key for s in self.sections])
        _no_repeats("field keys (across sections)", [f.key for s in self.sections for f in s.fields])
        _not_reserved(self.fields)
        return self

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)

    def validate_answers(self, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        return validate_fields(self.fields, answers)

    @property
    def staff_keys(self) -> frozenset[str]:
        """Keys of the fields in staff-only sections."""
        return frozenset(f.key for s in self.sections if s.staff_only for f in s.fields)

    def for_client(self) -> FormSpec:
        """The form as a client sees it in the portal: staff-only sections left out.

        Validating with it ignores (drops) answers to staff-only fields and does not
        ask for the required ones, so a client can neither read nor fill them.
        """
        if not self.staff_keys:
            return self
        return self.model_copy(update={"sections": tuple(s for s in self.sections if not s.staff_only)})


class Phase(Frozen):
    """One step of a session, e.g. check-in, main work, close."""

    key: Slug
    """Unique within the structure."""
    name: str
    """Shown in the session's running order."""
    minutes: int = Field(ge=0, le=600)
    """Default length; the phases' minutes add up to the session's default length."""
    guidance: str = ""
    """A line for the practitioner, shown under the phase on the session page."""


class SessionStructure(Contribution):
    """How a session of a modality runs: ordered phases with default minutes."""

    name: str
    """Shown when booking, where a modality has more than one structure."""
    modalities: tuple[Key, ...] = Field(min_length=1)
    """The modalities it structures; a session booked without a structure gets the first one that lists its
    modality and format."""
    formats: tuple[SessionFormat, ...] = (SessionFormat.individual,)
    """The formats it fits."""
    phases: tuple[Phase, ...] = Field(min_length=1)
    """The phases, in order."""
    source: str = ""
    """Where the structure comes from (a manual, a training body)."""

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.phases)


class SectionTag(StrEnum):
    subjective = "subjective"
    """What the client reports (SOAP S)."""
    objective = "objective"
    """What the practitioner observes or measures (SOAP O)."""
    assessment = "assessment"
    """The practitioner's appraisal (SOAP A, DAP A)."""
    plan = "plan"
    """What happens next (SOAP P, DAP P)."""
    data = "data"
    """Subjective and objective data together (DAP D)."""
    behavior = "behavior"
    """The client's presentation and behaviour (BIRP B)."""
    intervention = "intervention"
    """What the practitioner did (BIRP I)."""
    response = "response"
    """How the client responded (BIRP R)."""
    goal = "goal"
    """The goal worked on."""
    problem = "problem"
    """The problem addressed (PIRP P)."""
    observation = "observation"
    """A free observation, e.g. of an artwork or movement."""
    other = "other"
    """Anything else."""


class NoteSection(Frozen):
    """A note section; with no ``fields`` it is one free-text box."""

    key: Slug
    """Unique within the template; the note's content is stored under it."""
    title: str
    """The section's heading in the note."""
    tag: SectionTag
    """What kind of content the section holds, so reports read across note formats."""
    help: str = ""
    """A line shown under the heading while writing."""
    fields: tuple[FormField, ...] = ()
    """Structured fields (e.g. a body map, a scale); empty makes the section one free-text box."""


class NoteTemplate(Contribution):
    """The shape of a session note: ordered, tagged sections and who may read the note."""

    name: str
    """Shown when choosing a template for a session's note."""
    modalities: tuple[Key, ...] = Field(min_length=1)
    """Modalities whose sessions may use it; a note on a session of another modality is refused."""
    sections: tuple[NoteSection, ...] = Field(min_length=1)
    """The sections, in order."""
    visibility: Visibility = Visibility.care_team
    """Who besides the author may read notes written with it."""
    psychotherapy_note: bool = Field(
        default=False,
        description="HIPAA 45 CFR 164.501 process notes: author only, outside the record and its exports.",
    )
    source: str = ""
    """Where the format comes from (e.g. SOAP, DAP)."""

    @model_validator(mode="after")
    def _unique_sections(self) -> NoteTemplate:
        # Content is stored as {section key: ...}: a repeated key would silently lose one section's text.
        _no_repeats("section keys", [s.key for s in self.sections])
        for section in self.sections:
            _no_repeats(f"field keys in section '{section.key}'", [f.key for f in section.fields])
        return self

    @model_validator(mode="after")
    def _process_notes_private(self) -> NoteTemplate:
        if self.psychotherapy_note and self.visibility is not Visibility.author_only:
            raise ValueError("a psychotherapy (process) note template must have author_only visibility")
        return self

    def validate_content(self, content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Validate note content shaped ``{section_key: text or {field: value}}``."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for section in self.sections:
            raw = content.get(section.key)
            if section.fields:
                sub, sub_errors = validate_fields(section.fields, raw if isinstance(raw, dict) else {})
                values[section.key] = sub
                errors.update({f"{section.key}.{k}": v for k, v in sub_errors.items()})
            else:
                field = FormField(key=section.key, label=section.title, type="long_text")
                try:
                    values[section.key] = field.clean(raw)
                except ValueError as exc:
                    errors[section.key] = str(exc)
        return values, errors


class ConsentKind(StrEnum):
    """What a consent document permits, which decides who may sign it for a minor.

    Minor-consent laws let a minor consent alone to outpatient psychotherapy or
    counselling only (e.g. California from 12: Health & Safety Code §124260,
    Family Code §6924; clinical.md §5.1 "Minors"). Touch, breathwork and
    substance-related work, and everything else, need a guardian below the age
    of majority whatever that law says. ``general`` is the safe default.
    """

    psychotherapy = "psychotherapy"
    """Outpatient psychotherapy or counselling: a minor may sign alone from the center's minor-consent age."""
    touch = "touch"
    """Hands-on work."""
    breathwork = "breathwork"
    """Breathwork."""
    substance = "substance"
    """Substance-related work."""
    telehealth = "telehealth"
    """Sessions by phone or video."""
    recording = "recording"
    """Audio or video recording."""
    release = "release"
    """Release of information to someone outside the center."""
    general = "general"
    """Anything else (the default)."""


class ConsentDocument(Contribution):
    """A versioned consent text; a new wording is a new version, never an edit."""

    title: str
    """The document's heading, shown when signing and in the client's consents."""
    text: str = Field(min_length=1)
    """The full wording the client reads and signs; its SHA-256 is stored with each signature."""
    scope: str = Field(min_length=1, description="What the signature permits, in one line.")
    modalities: tuple[Key, ...] = ()
    """Modalities it concerns (a per-body-region document applies to sessions of these; empty: all). A
    modality requires it through ``ModalitySpec.consents_required``."""
    renewal_days: int | None = Field(default=None, ge=1, description=(
        "Days a signature stays active before it must be signed again; None: valid until revoked."))
    per_body_region: bool = False
    """The client consents region by region (consented, declined, ask each time) through a body-map field of
    ``fields``; a note may then record work only on regions consented to, or confirmed in that session."""
    confirm_each_session: bool = Field(
        default=False, description="Re-confirmed at each session, e.g. touch or telehealth location."
    )
    kind: ConsentKind = Field(default=ConsentKind.general, description=(
        "What it permits; only 'psychotherapy' (outpatient therapy or counselling) may be signed by a minor "
        "alone, from the center's minor-consent age."))
    guardian_signs_for_minor: bool = True
    """Whether a guardian signs for a minor client (subject to ``kind``); False lets the client sign at any age."""
    deliveries: tuple[str, ...] = Field(
        default=(), description="Deliveries this consent covers, e.g. ('phone', 'video') for telehealth: "
                                "a session by one of them needs it active before check-in.")
    fields: tuple[FormField, ...] = Field(default=(), description="Extra answers captured with the signature.")
    min_signed_version: int = Field(default=1, ge=1, description=(
        "Signatures on versions below this no longer count: the client signs again. Raise it to the new version "
        "when a change alters what the client agrees to; leave it when the wording changes but not the meaning."))
    source: str = ""
    """Where the wording's requirements come from (a code of ethics, a statute)."""

    @model_validator(mode="after")
    def _own_keys(self) -> ConsentDocument:
        _no_repeats("field keys", [f.key for f in self.fields])
        _not_reserved(self.fields)
        if self.min_signed_version > self.version:
            raise ValueError(f"min_signed_version {self.min_signed_version} is above the document's version "
                             f"{self.version}")
        return self

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class Outcome(StrEnum):
    """What a screening answer means for offering a modality, weakest first.

    ``risk`` is a danger to the client or others (current suicidal ideation,
    PHQ-9 item 9 above zero: clinical.md §3.1, §4.1). It outranks ``excluded``
    because it needs a clinician's acknowledgement whatever the modality, and
    an exclusion from one modality does not make the client safe.

    ``review`` ("needs review") is what the core gives when it cannot tell:
    a plugin's screening or pre-flight hook raised or answered nonsense. A
    person reads the answers; until then check-in waits (fail closed).
    """

    eligible = "eligible"
    """May go ahead as usual."""
    modify = "modify"
    """May go ahead with changes the reason names; shown, not refused."""
    review = "review"
    """The core could not tell (a plugin failed): a person reads the answers; check-in waits."""
    clearance = "clearance"
    """Needs a clearance on record (e.g. from a physician) before check-in."""
    excluded = "excluded"
    """Must not be offered: booking, moving and check-in refuse it unless a supervisor overrides."""
    risk = "risk"
    """A danger to the client or others: a clinician must acknowledge it, whatever the modality."""


OUTCOME_RANK = {Outcome.eligible: 0, Outcome.modify: 1, Outcome.review: 2, Outcome.clearance: 3,
                Outcome.excluded: 4, Outcome.risk: 5}


class ScreeningRule(Contribution):
    """Answers, or client facts, that change whether or how a modality may be offered.

    An answer rule names ``form`` and ``field`` and fires when the answer
    equals ``equals`` (yes/no and single choice) or contains any of ``any_of``
    (multi choice), or, for number and scale answers, is at least ``at_least``.
    When it fires and names ``sets_fact``, the client has that fact (see
    ``ClientFact``) for every modality's rules.

    A fact rule names ``if_fact`` instead of a form: it fires for the client
    whatever form or instrument established the fact, so breathwork's rules
    see what the talk intake found. ``modalities`` says which modalities the
    outcome applies to (empty: those of the form, or every modality for a fact rule).
    """

    form: Key | None = None
    """An answer rule's form (any plugin's); None for a fact rule."""
    field: Slug | None = None
    """The field of ``form`` whose answer is tested; None for a fact rule."""
    sets_fact: ClientFact | None = None
    """When an answer rule fires, the client has this fact, which every plugin's fact rules read."""
    if_fact: ClientFact | None = None
    """Makes this a fact rule: it fires when the client has the fact, whichever form or instrument found it."""
    equals: Any = None
    """Fires when the answer equals this: true/false for a yes/no field, an option value for a single choice,
    a number within range for a number or scale, text for a text or date field."""
    any_of: tuple[str, ...] = ()
    """Fires when a single or multi choice answer includes any of these option values."""
    at_least: float | None = None
    """Fires when a number or scale answer is at least this (no more than the field's ``max``)."""
    outcome: Outcome
    """What firing means for offering the modality; the strongest outcome of all fired rules counts."""
    modalities: tuple[Key, ...] = ()
    """Modalities the outcome applies to; empty: the form's modalities, or every modality for a fact rule."""
    reason: str = Field(min_length=1, description="Shown to the practitioner as is.")
    source: str = ""
    """The guideline or study behind the rule, shown with the reason."""

    @model_validator(mode="after")
    def _one_condition(self) -> ScreeningRule:
        given = [self.equals is not None, bool(self.any_of), self.at_least is not None]
        if self.if_fact is not None:
            if self.form or self.field or any(given) or self.sets_fact:
                raise ValueError("a fact rule (if_fact) names no form, field, condition or sets_fact")
            return self
        if not self.form or not self.field:
            raise ValueError("give form and field, or if_fact")
        if sum(given) != 1:
            raise ValueError("give exactly one of equals, any_of, at_least")
        return self

    def mismatch(self, field: FormField) -> str | None:
        """Why this rule's condition can never match an answer to ``field``, or None.

        A rule that can never fire is an exclusion nobody is ever told about, so the
        contract refuses it at start-up and in ``polymodal plugins check``.
        """
        kind = field.type
        options = [o.value for o in field.options]
        if self.any_of:
            if kind not in (FieldType.single_choice, FieldType.multi_choice):
                return f"any_of needs a choice field; '{field.key}' is {kind.value}"
            unknown = [v for v in self.any_of if v not in options]
            return f"any_of names {', '.join(unknown)}, not among the options of '{field.key}'" if unknown else None
        if self.at_least is not None:
            if kind not in (FieldType.number, FieldType.scale):
                return f"at_least needs a number or scale field; '{field.key}' is {kind.value}"
            if field.max is not None and self.at_least > field.max:
                return f"at_least {self.at_least:g} is above the most '{field.key}' allows ({field.max:g})"
            return None
        value = self.equals
        if kind is FieldType.yes_no:
            return None if isinstance(value, bool) else f"equals must be true or false for the yes/no '{field.key}'"
        if kind is FieldType.single_choice:
            return None if value in options else f"equals {value!r} is not among the options of '{field.key}'"
        if kind in (FieldType.number, FieldType.scale):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"equals must be a number for the {kind.value} field '{field.key}'"
            if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
                return f"equals {value:g} is outside the range of '{field.key}'"
            return None
        if kind in (FieldType.text, FieldType.long_text, FieldType.date):
            return None if isinstance(value, str) else f"equals must be text for the {kind.value} field '{field.key}'"
        return f"equals cannot match a {kind.value} field ('{field.key}'); use any_of for a multi choice"

    def matches(self, answers: dict[str, Any]) -> bool:
        if self.field is None:
            return False
        value = answers.get(self.field)
        if value is None:
            return False
        if self.equals is not None:
            return bool(value == self.equals)
        if self.any_of:
            chosen = value if isinstance(value, list) else [value]
            return any(v in self.any_of for v in chosen)
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= self.at_least
