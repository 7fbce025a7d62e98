"""One test per hook, each through the 'hooky' fixture plugin (tests/fixtures/plugins/hooky.py).

Registration hooks are exercised through ``Registry.collect`` as at start-up;
behaviour and lifecycle hooks through ``pm.hook.<name>(...)``, as the core
services that call them do.
"""

import datetime as dt
import uuid
from pathlib import Path

import pytest

from polymodal.core.api import (
    AccessRequest,
    Actor,
    ConsentEvent,
    FindingLevel,
    NoteEvent,
    PreflightClient,
    PreflightContext,
)
from polymodal.core.registry import Registry
from polymodal.core.testing import assert_valid_plugin, load_module_from_path, make_plugin_manager

HOOKY = Path(__file__).parents[1] / "fixtures" / "plugins" / "hooky.py"


@pytest.fixture(scope="module")
def hooky():
    module = load_module_from_path(HOOKY)
    assert_valid_plugin(module)
    return module


@pytest.fixture
def pm(hooky):
    return make_plugin_manager(("hooky", hooky))


@pytest.fixture
def registry(pm):
    return Registry.collect(pm)


def test_hook_polymodal_register_modalities(registry):
    modality = registry.modalities.get("hooky/sauna")
    assert registry.modalities.owner(modality.key) == "hooky"
    assert modality.consents_required == ("hooky/heat",)


def test_hook_polymodal_register_forms(registry):
    form = registry.forms.get("hooky/intake")
    _, errors = form.validate_answers({"hours_since_meal": -1})
    assert errors == {"faints": "This field is required.", "hours_since_meal": "Enter a value of at least 0."}


def test_hook_polymodal_register_session_structures(registry):
    assert registry.session_structures.get("hooky/round").minutes == 20


def test_hook_polymodal_register_note_templates(registry):
    assert [t.key for t in registry.note_templates.for_modality("hooky/sauna")] == ["hooky/note"]


def test_hook_polymodal_register_consent_documents(registry):
    consent = registry.consent_documents.get("hooky/heat")
    assert len(consent.text_hash) == 64


def test_hook_polymodal_register_assessments(registry):
    score = registry.assessments.get("hooky/thirst").score({"dry": "1", "head": "0"})
    assert (score.total, score.band) == (1, "Drink water")


def test_hook_polymodal_register_screening_rules(registry):
    rule = registry.screening_rules.get("hooky/faints")
    assert rule.matches({"faints": True}) and not rule.matches({"faints": False})


def test_hook_polymodal_screen_response(pm, registry):
    form = registry.forms.get("hooky/intake")
    risky, _ = form.validate_answers({"faints": "yes", "hours_since_meal": "0"})
    fine, _ = form.validate_answers({"faints": "yes", "hours_since_meal": "3"})
    (findings,) = pm.hook.polymodal_screen_response(form=form, answers=risky)
    assert [(f.code, f.level) for f in findings] == [("hooky/empty-stomach", FindingLevel.block)]
    assert pm.hook.polymodal_screen_response(form=form, answers=fine) == []


def _context(registry, *, minor: bool) -> PreflightContext:
    return PreflightContext(
        session_id="s1", modality=registry.modalities.get("hooky/sauna"), format="individual", delivery="in_person",
        starts_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), jurisdiction="US-CA",
        clients=(PreflightClient(client_id="c1", age=15 if minor else 40, minor=minor,
                                 active_consents=("hooky/heat",), screening_outcome="eligible"),),
        practitioners=(),
    )


def test_hook_polymodal_preflight_checks(pm, registry):
    (findings,) = pm.hook.polymodal_preflight_checks(context=_context(registry, minor=True))
    assert findings[0].level is FindingLevel.block and findings[0].code == "hooky/minor"
    assert pm.hook.polymodal_preflight_checks(context=_context(registry, minor=False)) == []


def test_hook_polymodal_permission_rules(pm):
    request = AccessRequest("clinical.read", uuid.uuid4(), "note", "n1")
    trainee = Actor(user_id=uuid.uuid4(), username="t", roles=frozenset({"practitioner", "trainee"}))
    staff = Actor(user_id=uuid.uuid4(), username="p", roles=frozenset({"practitioner"}))
    (vote,) = pm.hook.polymodal_permission_rules(actor=trainee, request=request)
    assert vote.allow is False and "Trainees" in vote.reason
    assert pm.hook.polymodal_permission_rules(actor=staff, request=request) == []


def test_hook_polymodal_on_note_signed(pm, hooky):
    event = NoteEvent(note_id="n-42", case_id="k1", client_id="c1", author_id="u1", template_key="hooky/note",
                      template_version=1, psychotherapy_note=False)
    assert pm.hook.polymodal_on_note_signed(event=event) == []
    assert hooky.SIGNED[-1] == "n-42"


def test_hook_polymodal_on_consent_revoked(pm, hooky):
    event = ConsentEvent(consent_id="x1", client_id="c1", document_key="hooky/heat", document_version=1,
                         revoked_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert pm.hook.polymodal_on_consent_revoked(event=event) == []
    assert hooky.REVOKED[-1] == "hooky/heat"
