"""Breathwork: the breathwork plugin of polymodal.

Content lives in one module per kind; this module only answers the hooks.
"""

from polymodal.core.api import hookimpl
from polymodal.plugins.breathwork.consents import CONSENTS
from polymodal.plugins.breathwork.forms import FORMS
from polymodal.plugins.breathwork.modalities import MODALITIES
from polymodal.plugins.breathwork.notes import NOTE_TEMPLATES
from polymodal.plugins.breathwork.screening import SCREENING_RULES
from polymodal.plugins.breathwork.structures import STRUCTURES


@hookimpl
def polymodal_register_modalities():
    return list(MODALITIES)


@hookimpl
def polymodal_register_forms():
    return list(FORMS)


@hookimpl
def polymodal_register_session_structures():
    return list(STRUCTURES)


@hookimpl
def polymodal_register_note_templates():
    return list(NOTE_TEMPLATES)


@hookimpl
def polymodal_register_consent_documents():
    return list(CONSENTS)


@hookimpl
def polymodal_register_screening_rules():
    return list(SCREENING_RULES)
