"""The public plugin API: everything a modality plugin may import from polymodal.

Plugins import from this module only; anything else in ``polymodal.core`` may
change without notice.
"""

import pluggy

from polymodal.core.access import AccessRequest, Actor
from polymodal.core.contributions import (
    Assessment,
    Band,
    BodyRegion,
    ConsentDocument,
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

hookimpl = pluggy.HookimplMarker("polymodal")
"""Mark a plugin function as the implementation of the hook of the same name."""

__all__ = [
    "AccessRequest",
    "Actor",
    "Assessment",
    "Band",
    "BodyRegion",
    "ConsentDocument",
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
    "ModalitySpec",
    "NoteEvent",
    "NoteSection",
    "NoteTemplate",
    "Option",
    "Outcome",
    "PermissionRule",
    "Phase",
    "PreflightClient",
    "PreflightContext",
    "PreflightPractitioner",
    "ScreeningRule",
    "SectionTag",
    "SessionFormat",
    "SessionStructure",
    "Severity",
    "Subscale",
    "Visibility",
    "hookimpl",
]
