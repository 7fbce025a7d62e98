"""Every hook a polymodal plugin can implement; these docstrings are the plugin reference.

Three kinds of hook:

* ``polymodal_register_*`` return a list of declarative definitions. The core
  calls them once at start-up, validates every item, rejects duplicate keys
  (naming both plugins) and freezes the result.
* Behaviour hooks (screening, pre-flight, permissions) are called by the core
  at run time, each implementation on its own: one that raises is logged,
  recorded for the admin's plugin page and skipped, and a permission hook
  that raises counts as a denial.
* ``polymodal_on_*`` notify plugins of events after the change is committed;
  they return nothing and cannot undo the change. Payloads carry ids and keys,
  never clinical text.

Hooks are synchronous and must not do I/O at registration time. Always
implement them with ``@hookimpl`` imported from ``polymodal.core.api``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from polymodal.core.api import (
        AccessRequest,
        Actor,
        Assessment,
        ConsentDocument,
        ConsentEvent,
        Finding,
        FormSpec,
        MeetingRequest,
        MenuItem,
        MessageChannel,
        ModalitySpec,
        NoteEvent,
        NoteTemplate,
        PermissionRule,
        PreflightContext,
        ScreeningRule,
        SessionStructure,
    )

hookspec = pluggy.HookspecMarker("polymodal")


# --- Registration hooks ---------------------------------------------------------------


@hookspec
def polymodal_register_modalities() -> list[ModalitySpec]:
    """Declare the modalities this plugin offers.

    Returns:
        A list of ``ModalitySpec``. Each key is ``<plugin>/<name>`` and names
        its ``family`` (talk, somatic, breath, movement, creative), the
        ``discipline`` whose practitioners may share discipline-only notes, the
        session formats it supports, the credentials it needs per jurisdiction
        and the consents that must be active before a session starts.
        ``screening_valid_days`` (default 365) is how long a response to one
        of its screening forms (purpose ``screening``) stays valid; with none
        valid the client needs screening before check-in.

    Example::

        @hookimpl
        def polymodal_register_modalities():
            return [ModalitySpec(key="equine/eap", name="Equine-assisted psychotherapy",
                                 family="talk", discipline="psychotherapy")]

    Since: 0.1
    """


@hookspec
def polymodal_register_forms() -> list[FormSpec]:
    """Declare intake, screening and session-log forms.

    Returns:
        A list of ``FormSpec``. Fields are typed (text, long_text,
        single_choice, multi_choice, scale, yes_no, date, number, body_map,
        repeating); the same definition renders the form, validates answers
        and displays stored answers. A form may serve another plugin's
        modality by naming it in ``modalities``.

    Since: 0.1
    """


@hookspec
def polymodal_register_session_structures() -> list[SessionStructure]:
    """Declare session structures: ordered phases with default minutes and guidance.

    Returns:
        A list of ``SessionStructure`` for one or more modalities and formats
        (individual, couple, family, group).

    Since: 0.1
    """


@hookspec
def polymodal_register_note_templates() -> list[NoteTemplate]:
    """Declare note templates made of ordered, semantically tagged sections.

    Returns:
        A list of ``NoteTemplate``. Tags (subjective, objective, assessment,
        plan, intervention, response, goal, ...) let reports read across
        formats. ``psychotherapy_note=True`` marks HIPAA process notes: author
        only, never in the record or its exports.

    Since: 0.1
    """


@hookspec
def polymodal_register_consent_documents() -> list[ConsentDocument]:
    """Declare consent documents.

    Returns:
        A list of ``ConsentDocument``. A changed wording is a new ``version``;
        keep returning the old version so signed records still show the text
        that was signed (records also store its SHA-256). ``deliveries``
        (e.g. ``("phone", "video")``) marks a telehealth consent: a session by
        one of them needs it active, and the client's location confirmed in
        the session, before check-in. ``per_body_region`` documents decide
        which regions a note may record (see docs/plugins.md, Eligibility).

    Since: 0.1
    """


@hookspec
def polymodal_register_assessments() -> list[Assessment]:
    """Declare standardised instruments with items, scoring, bands and flags.

    Returns:
        A list of ``Assessment``. Bands must cover the whole score range
        without gaps or overlaps; ``licence`` and ``attribution`` are
        required, and only instruments free to reproduce may carry item text.
        A flag with ``severity="risk"`` on a client's newest result is a risk
        finding for every modality; ``FlagRule.sets_fact`` gives the client a
        ``ClientFact`` that every modality's screening rules can read.

    Since: 0.1
    """


@hookspec
def polymodal_register_screening_rules() -> list[ScreeningRule]:
    """Declare rules that turn form answers, or client facts, into an outcome.

    ``risk`` (Since: 0.3) ranks above ``excluded``: it marks a danger to the
    client or others (e.g. current suicidal ideation) that a clinician must
    acknowledge, and is listed first on the start page however old it is.

    Returns:
        A list of ``ScreeningRule`` with an outcome (risk, excluded,
        clearance, modify, eligible), the reason shown to the practitioner and
        its source. An answer rule names a form and one of its fields;
        ``sets_fact`` gives the client a ``ClientFact`` (the core's vocabulary:
        current suicidal ideation, prior attempt, psychosis or bipolar
        history, pregnancy, cardiovascular disease, seizures, anticoagulants,
        recent surgery, ...) when it fires. A fact rule names ``if_fact``
        instead of a form and fires whichever plugin's form or instrument
        found the fact, so one modality's rules see what another's intake
        found. ``modalities`` limits the outcome (empty: the form's
        modalities, or every modality for a fact rule). The outcome feeds the
        one eligibility decision; what each outcome does at booking, moving,
        check-in and signing is in docs/plugins.md, "Eligibility".

    Since: 0.1 (``sets_fact``, ``if_fact``, risk: 0.3)
    """


# --- Behaviour hooks -----------------------------------------------------------------


@hookspec
def polymodal_screen_response(form: FormSpec, answers: dict[str, Any]) -> list[Finding] | None:
    """Screen a submitted form beyond what declarative screening rules express.

    Args:
        form: the definition the answers were submitted under.
        answers: the validated answers.

    Returns:
        A list of ``Finding`` (``block`` for an exclusion, ``warning`` for a
        needed clearance or modification) or None. Called once per submitted
        form; implementations must be pure functions of their arguments. One
        that raises or returns another type is recorded as a plugin error and
        makes the response "needs review" (outcome ``review``), naming the plugin.

    Since: 0.1
    """


@hookspec
def polymodal_preflight_checks(context: PreflightContext) -> list[Finding] | None:
    """Add checks to a session's pre-flight, run before the session starts.

    Args:
        context: the session's modality, start time, delivery, clients (age,
            minor or adult, active consents, screening outcome) and
            practitioners (credentials), as plain values.

    Returns:
        A list of ``Finding`` or None, fed into the one eligibility decision
        (booking and moving ask it too, with an empty ``session_id``):
        ``block`` counts as excluded (refuses booking, moving and check-in;
        a supervisor may override it), ``warning`` as modify (shown),
        ``info`` as eligible. A ``block`` applies to the modalities the plugin
        declares; about another plugin's modality it counts as modify. One that
        raises or returns another type is recorded as a plugin error and gives
        each client "needs review" naming the plugin. The core already checks
        required consents, telehealth, credentials in the session's
        jurisdiction, screening and risk.

    Also called while the session page is read, which on SQLite runs on the
    server's event loop: no I/O here, or every page waits for it.

    Since: 0.1
    """


@hookspec
def polymodal_permission_rules(actor: Actor, request: AccessRequest) -> PermissionRule | None:
    """Vote on an access decision the core's own rules would allow.

    Args:
        actor: the signed-in user (id, roles).
        request: the action (e.g. ``note.read``) and the client or record.

    Returns:
        ``PermissionRule(allow=False, reason=...)`` to deny, or None to abstain.
        Plugins can only narrow access: a deny always wins, and an
        implementation that raises is treated as a deny.

    Called for the action of every page before it runs, and for each check
    inside it: decide from ``actor`` and ``request`` alone, without I/O. While
    any plugin implements this hook, the web app's sign-in check runs in a
    worker thread on SQLite too (see ``Practice.quick_reads_inline``).

    Since: 0.1
    """


# --- Web contribution hooks ------------------------------------------------------------


@hookspec
def polymodal_register_routes() -> list[Any]:
    """Add pages to the web app under ``/m/<plugin>/``.

    Returns:
        A list of Litestar route handlers or ``Controller`` classes. The web
        app mounts them under ``/m/<plugin name>/`` behind the same guards as
        every core page: a route must declare its access in ``opt``
        (``{"action": "<declared action>"}``, or ``{"authenticated": True}``)
        or it is refused; sign-in and CSRF apply. Handlers must read and
        change data only through ``polymodal.core`` services, which check the
        access rules and audit. Plugins that import Litestar for this declare
        it as their own dependency.

    Example::

        @hookimpl
        def polymodal_register_routes():
            from litestar import get

            @get("/forecast", opt={"action": "schedule.read"}, sync_to_thread=False)
            def forecast() -> dict:
                return {"trail": "open"}

            return [forecast]

    A page renders inside the app's layout when it returns
    ``litestar.response.Template("m/<plugin>/<file>.html", context={...})`` and the file, kept in a
    ``templates/`` folder beside the plugin's ``__init__.py`` (shipped as package data), starts with
    ``{% extends "base.html" %}`` and fills ``{% block title %}`` and ``{% block content %}``: the menu,
    the signed-in user and the CSRF token come with the layout. Values are escaped like on every page.

    To read data, a handler asks for a ``reads`` parameter: a ``CenterReads`` bound to the signed-in user,
    whose methods call the core's services under the same access rules and audit as the core's pages
    (a refusal answers 403). ``polymodal plugins list`` and the admin's plugin page list each route with
    its action; ``polymodal plugins check`` refuses an action the access policy does not declare.

    Since: 0.1 (templates, ``reads``: API 1.2)
    """


@hookspec
def polymodal_register_menu_items() -> list[MenuItem]:
    """Add entries to the main menu, leading to the plugin's pages.

    Called once, when the web app is built. Each ``MenuItem`` names a ``path`` below ``/m/<plugin>``
    that one of the plugin's routes (``polymodal_register_routes``) answers with GET, and the ``action``
    a user's roles must grant for the entry to show, as for the core's own entries; use the route's
    action, so the menu never offers a page that answers 403. Plugin entries follow the core's, in the
    order plugins return them.

    Returns:
        A list of ``MenuItem``. An entry naming an undeclared action, or a path no route of the plugin
        answers, is left out and recorded as a plugin error (start-up fails in strict mode), and
        ``polymodal plugins check`` reports it.

    Example::

        @hookimpl
        def polymodal_register_menu_items():
            return [MenuItem(label="Herd", path="/herd", action="schedule.read")]

    Since: API 1.2
    """


# --- Messaging hooks -----------------------------------------------------------------


@hookspec
def polymodal_message_channels() -> list[MessageChannel]:
    """Offer channels that deliver messages some other way than e-mail (SMS, a secure messaging service).

    Called once, when the job queue starts. A channel is any object with a ``key`` (the name an outbox
    message's ``channel`` column holds, e.g. ``"sms"``), ``ready() -> bool`` (False while unconfigured:
    messages for it wait in the outbox, queued) and ``send(message: OutgoingMessage) -> None``, which
    delivers one message or raises ``DeliveryFailed(answer, permanent=...)``; the answer is shown on the
    admin's outbox page and the message is retried with back-off unless ``permanent``. ``send`` runs on a
    worker, never inside a transaction, and may take seconds; it must not log the message's text.
    Core ships ``email`` (SMTP) and ``console`` (development); a plugin key equal to one of those, or to
    another plugin's, is refused at start-up.

    Messages carry no clinical detail: at most the modality and the practitioner's name, and the center
    can make even those vaguer.

    Returns:
        A list of channels (often one).

    Since: 0.2
    """


@hookspec
def polymodal_meeting_link(request: MeetingRequest) -> str | None:
    """Create the video meeting link of a session booked for video, e.g. through a video service's API.

    Called when a video session is booked, in its transaction, for a practitioner who has no standing
    room URL. The first plugin to return a URL wins; returning None leaves the session without a link
    (staff can add one). The link is shown on the session, sent to its clients in the confirmation and
    reminders, and never put in a shared calendar feed.

    Args:
        request: the session's id, times (UTC), modality key and practitioner ids.

    Returns:
        An ``https://`` URL, or None.

    Since: 0.2
    """


# --- Lifecycle hooks -----------------------------------------------------------------


@hookspec
def polymodal_on_note_signed(event: NoteEvent) -> None:
    """Called after a note is signed and committed.

    Args:
        event: ids and keys of the note (no clinical text).

    Since: 0.1
    """


@hookspec
def polymodal_on_consent_revoked(event: ConsentEvent) -> None:
    """Called after a consent is revoked and committed.

    Args:
        event: ids, the document key and the revocation time (no reason text).

    Since: 0.1
    """
