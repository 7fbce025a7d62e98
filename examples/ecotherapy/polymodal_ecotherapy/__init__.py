"""Nature-based therapy (ecotherapy): a third-party modality for polymodal.

An example of an out-of-tree plugin, installed with pip and found through its
``polymodal`` entry point like any other. It also adds one note template to
the talk plugin's individual modality.
"""

from polymodal.core.api import MenuItem, hookimpl
from polymodal_ecotherapy.content import (
    INTAKE_FORM,
    MODALITY_SPEC,
    NATURE_NOTE,
    OUTDOOR_CONSENT,
    STRUCTURE,
    WALK_AND_TALK_NOTE,
)


@hookimpl
def polymodal_register_modalities():
    return [MODALITY_SPEC]


@hookimpl
def polymodal_register_forms():
    return [INTAKE_FORM]


@hookimpl
def polymodal_register_session_structures():
    return [STRUCTURE]


@hookimpl
def polymodal_register_note_templates():
    return [NATURE_NOTE, WALK_AND_TALK_NOTE]


@hookimpl
def polymodal_register_consent_documents():
    return [OUTDOOR_CONSENT]


@hookimpl
def polymodal_register_routes():
    from polymodal_ecotherapy.routes import checklist

    return [checklist]


@hookimpl
def polymodal_register_menu_items():
    # The route's own action: whoever sees the entry can open the page.
    return [MenuItem(label="Outdoor checklist", path="/checklist", action="schedule.read")]
