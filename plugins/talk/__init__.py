"""Psychotherapy, counselling, coaching and psychedelic integration: the talk plugin of polymodal.

Content lives in one module per kind; this module only answers the hooks.
"""

from polymodal.core.api import hookimpl
from polymodal.plugins.talk.asq import ASQ
from polymodal.plugins.talk.assessments import GAD7, K10, PHQ9, WHO5
from polymodal.plugins.talk.consents import CONSENTS
from polymodal.plugins.talk.forms import FORMS
from polymodal.plugins.talk.integration import SCREENING_FORM as INTEGRATION_SCREENING_FORM
from polymodal.plugins.talk.integration import SCREENING_RULES as INTEGRATION_RULES
from polymodal.plugins.talk.modalities import MODALITIES
from polymodal.plugins.talk.notes import NOTE_TEMPLATES
from polymodal.plugins.talk.pcl5 import PCL5
from polymodal.plugins.talk.restricted import RESTRICTED
from polymodal.plugins.talk.screening import SCREENING_RULES
from polymodal.plugins.talk.structures import STRUCTURES


@hookimpl
def polymodal_register_modalities():
    return list(MODALITIES)


@hookimpl
def polymodal_register_forms():
    return [*FORMS, INTEGRATION_SCREENING_FORM]


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
def polymodal_register_assessments():
    return [PHQ9, GAD7, PCL5, WHO5, K10, ASQ, *RESTRICTED]


@hookimpl
def polymodal_register_screening_rules():
    return [*SCREENING_RULES, *INTEGRATION_RULES]
