"""The public plugin API: everything a modality plugin may import from polymodal.

Plugins import from this module only; anything else in ``polymodal.core`` may
change without notice. The testing helpers (``TESTING``) are here too, for a
plugin's own test suite; they load on first use, so a running center never
imports pytest.
"""

from importlib import import_module
from typing import Any

import pluggy

from polymodal.core.access import AccessRequest, Actor
from polymodal.core.contributions import (
    Assessment,
    Band,
    BodyRegion,
    ClientFact,
    ConsentDocument,
    ConsentKind,
    CredentialRequirement,
    Family,
    FieldType,
    Finding,
    FindingLevel,
    FlagRule,
    FormField,
    FormPurpose,
    FormSection,
    FormSpec,
    Item,
    MenuItem,
    ModalitySpec,
    NoteSection,
    NoteTemplate,
    Option,
    Outcome,
    PermissionRule,
    Phase,
    ScreeningRule,
    SectionTag,
    SessionFormat,
    SessionStructure,
    Severity,
    Subscale,
    Visibility,
)
from polymodal.core.events import (
    ConsentEvent,
    NoteEvent,
    PreflightClient,
    PreflightContext,
    PreflightPractitioner,
)
from polymodal.core.messaging.channels import Attachment, DeliveryFailed, MessageChannel, OutgoingMessage
from polymodal.core.messaging.meetings import MeetingRequest
from polymodal.core.plugin_reads import CenterReads, ClientSummary, ScheduledSession

API_VERSION = "1.3"
# 1.1: ConsentDocument.kind (ConsentKind), FormField.guardian_label, the screening outcome "review".
# 1.2: polymodal_register_menu_items (MenuItem), plugin templates under m/<plugin>/, CenterReads for pages.
# 1.3: FormSection.staff_only (never shown in or accepted from the portal), ConsentDocument.min_signed_version.
"""The plugin API's version (major.minor); docs/plugins.md, 'Stability of the plugin API', says what each
kind of change may do."""

hookimpl = pluggy.HookimplMarker("polymodal")
"""Mark a plugin function as the implementation of the hook of the same name."""

TESTING = (
    "FIXED_NOW",
    "FixedClock",
    "assert_samples_validate",
    "assert_valid_plugin",
    "installed_plugin",
    "load_module_from_path",
    "make_plugin_manager",
    "make_registry",
    "registered",
    "sample_answers",
    "sample_content",
    "sample_value",
)
"""Helpers for a plugin's tests (``polymodal.core.testing``, whose fixtures pytest loads by itself). The web
side (a running demo center, sign-in per role, portal, pre-flight, sweeps) is ``polymodal.web.testing``:
fixtures only, loaded with ``-p polymodal.web.testing`` (docs/plugins.md, "Testing the web side")."""


def __getattr__(name: str) -> Any:
    if name in TESTING:
        return getattr(import_module("polymodal.core.testing"), name)
    raise AttributeError(f"module 'polymodal.core.api' has no attribute {name!r}")


__all__ = [
    "API_VERSION",
    "AccessRequest",
    "Actor",
    "Assessment",
    "Attachment",
    "DeliveryFailed",
    "Band",
    "CenterReads",
    "ClientSummary",
    "BodyRegion",
    "ClientFact",
    "ConsentDocument",
    "ConsentKind",
    "ConsentEvent",
    "CredentialRequirement",
    "Family",
    "FieldType",
    "Finding",
    "FindingLevel",
    "FlagRule",
    "FormField",
    "FormPurpose",
    "FormSection",
    "FormSpec",
    "Item",
    "MeetingRequest",
    "MenuItem",
    "MessageChannel",
    "ModalitySpec",
    "NoteEvent",
    "NoteSection",
    "NoteTemplate",
    "Option",
    "OutgoingMessage",
    "Outcome",
    "PermissionRule",
    "Phase",
    "PreflightClient",
    "PreflightContext",
    "PreflightPractitioner",
    "ScreeningRule",
    "ScheduledSession",
    "SectionTag",
    "SessionFormat",
    "SessionStructure",
    "Severity",
    "Subscale",
    "Visibility",
    "hookimpl",
    *TESTING,
]
