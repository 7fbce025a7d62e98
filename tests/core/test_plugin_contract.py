"""The plugin contract fails closed.

Definitions that can never work are refused by ``polymodal plugins check`` and at
start-up (fixture 'unsound'); a screening or pre-flight hook that raises or answers
the wrong type makes the decision "needs review", naming the plugin, never
"eligible", and is recorded as a plugin error (fixture 'flaky').
"""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

from polymodal.core import eligibility
from polymodal.core.access import Actor
from polymodal.core.eligibility import Gate, Refused, Verdict
from polymodal.core.errors import StartupError
from polymodal.core.models import Session
from polymodal.core.plugin_check import check_plugin
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import forms, scheduling
from polymodal.core.settings import Settings
from tests.conftest import install_as_distribution, load_fixture_plugin
from tests.core.test_eligibility import TOMORROW, book, draft, sign, try_sign
from tests.core.test_eligibility import ada as eligibility_ada  # noqa: F401 (a fixture)
from tests.core.test_eligibility import hands_on as eligibility_hands_on  # noqa: F401 (a fixture)

# --- refused by `plugins check` and at start-up ---------------------------------------------------------


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    module = install_as_distribution("unsound", site)
    sys.path.insert(0, str(site))
    try:
        yield check_plugin("unsound")
    finally:
        sys.path.remove(str(site))
        sys.modules.pop(module, None)


def test_check_refuses_a_choice_rule_naming_no_option(lines):
    assert ("plugin 'unsound': screening_rules 'unsound/ears@1': equals 'ear-infection' is not among the options "
            "of 'ears', so it can never match") in lines


def test_check_refuses_a_number_rule_on_a_text_field(lines):
    assert ("plugin 'unsound': screening_rules 'unsound/weight@1': at_least needs a number or scale field; "
            "'weight' is text, so it can never match") in lines


def test_check_refuses_a_threshold_above_the_scale_and_text_for_a_yes_no(lines):
    assert ("plugin 'unsound': screening_rules 'unsound/fear@1': at_least 11 is above the most 'fear' allows (10), "
            "so it can never match") in lines
    assert ("plugin 'unsound': screening_rules 'unsound/epilepsy@1': equals must be true or false for the yes/no "
            "'epilepsy', so it can never match") in lines


def test_check_refuses_repeated_section_keys_in_a_note_template(lines):
    assert any(line.startswith("plugin 'unsound': note_templates 'unsound/note': field '(definition)':")
               and "section keys repeat: notes" in line for line in lines)


def test_check_refuses_a_reserved_field_key(lines):
    assert any(line.startswith("plugin 'unsound': consent_documents 'unsound/float-consent':")
               and "signer_name are reserved" in line for line in lines)


def test_check_refuses_a_route_naming_an_unknown_action(lines):
    assert ("plugin 'unsound': route GET /m/unsound/clients/{client_id:uuid}/float-log names the unknown action "
            "'clinical.reed'; it is not mounted") in lines


def test_check_refuses_a_menu_entry_leading_to_no_page(lines):
    assert ("plugin 'unsound': menu entry 'Float log' leads to '/float-log', which no GET route of the plugin "
            "answers (/clients/{client_id:uuid}/float-log); it is left out") in lines


def test_check_reports_nothing_else(lines):
    assert len(lines) == 8, lines


def _piece(name: str) -> types.SimpleNamespace:
    unsound = load_fixture_plugin("unsound")
    return types.SimpleNamespace(**{hook.__name__: hook for hook in unsound.PIECES[name]})


@pytest.mark.parametrize(("piece", "reason"), [
    ("choice", "screening_rules 'unsound/ears@1': equals 'ear-infection' is not among the options of 'ears'"),
    ("note", "section keys repeat: notes"),
    ("reserved", "signer_name are reserved"),
])
def test_start_up_disables_the_plugin_naming_the_definition(engine, tmp_path, piece, reason):
    pm = get_plugin_manager(load_entrypoints=False, plugins=[("unsound", _piece(piece))], strict=False)
    practice = Practice(pm, Settings(data_dir=tmp_path), engine=engine)
    assert reason in practice.disabled_plugins["unsound"]
    assert "unsound/float" not in practice.registry.modalities
    with pytest.raises(StartupError, match="plugin 'unsound'"):
        Practice(get_plugin_manager(load_entrypoints=False, plugins=[("unsound", _piece(piece))], strict=True),
                 Settings(data_dir=tmp_path, strict_plugins=True), engine=engine)


def test_start_up_leaves_out_a_route_naming_an_unknown_action(engine, tmp_path):
    pm = get_plugin_manager(load_entrypoints=False, plugins=[("unsound", _piece("route"))], strict=False)
    practice = Practice(pm, Settings(data_dir=tmp_path), engine=engine)
    assert practice.plugin_routes() == {}
    (error,) = practice.recent_plugin_errors()
    assert error.plugin == "unsound" and "unknown action 'clinical.reed'" in error.error
    strict = Practice(get_plugin_manager(load_entrypoints=False, plugins=[("unsound", _piece("route"))],
                                         strict=True), Settings(data_dir=tmp_path, strict_plugins=True), engine=engine)
    with pytest.raises(StartupError, match="plugin 'unsound': route GET"):
        strict.plugin_routes()


# --- failing hooks: needs review, never eligible -----------------------------------------------------------


@pytest.fixture
def flaky():
    module = load_fixture_plugin("flaky")
    yield module
    module.MODE = ""


@pytest.fixture
def practice_plugins(flaky):
    return (("clinic", load_fixture_plugin("clinic")), ("breath", load_fixture_plugin("breath")),
            ("flaky", flaky))


@pytest.fixture
def ada(practice, staff, eligibility_ada):  # noqa: F811 (the fixture, extended)
    """Ada (tests/core/test_eligibility.py), who signed the breathing consent."""
    sign(practice, staff["super"], eligibility_ada[0], "breath/risk")
    return eligibility_ada


def _book(practice, staff, case_id, modality, rooms):
    return book(practice, staff["desk"], case_id, modality, rooms)


def _decide(practice, staff, sid):
    with practice.work(staff["super"], write=False) as work:
        return eligibility.decide_session(work, work.db.get(Session, sid))


def _errors(practice, hook):
    return [e for e in practice.recent_plugin_errors() if e.plugin == "flaky" and e.hook == hook]


@pytest.mark.parametrize("mode", ["raise", "wrong"])
def test_a_failing_screening_hook_means_needs_review_naming_the_plugin(practice, staff, ada, rooms, flaky, mode):
    client_id, case_id = ada
    flaky.MODE = mode
    with practice.work(staff["super"]) as work:
        response = forms.submit_form(work, client_id, "breath/screening", {"glaucoma": False})
        assert response.outcome == "review"
        assert [f["code"] for f in response.findings] == ["core/plugin-review/flaky"]
    assert _errors(practice, "polymodal_screen_response")
    flaky.MODE = ""
    sid = _book(practice, staff, case_id, "breath/breathing", rooms)  # review books, like clearance
    found = _decide(practice, staff, sid)
    assert found.verdict is Verdict.review
    (review,) = found.blocking(Gate.check_in)
    assert "flaky plugin's screening of these answers failed" in review.reason and review.source.startswith(
        "Breathing screening of 02 Mar 2026")
    with practice.work(staff["desk"]) as work, pytest.raises(Refused, match="Needs review"):
        scheduling.set_status(work, sid, "checked_in")
    with practice.work(staff["super"]) as work:  # a practitioner read the answers
        eligibility.override(work, client_id, "breath/breathing", review.code, "Answers read: nothing against it.")
    assert _decide(practice, staff, sid).verdict is Verdict.eligible


@pytest.mark.parametrize("mode", ["raise", "wrong"])
def test_a_failing_pre_flight_hook_means_needs_review_for_each_client(practice, staff, ada, rooms, flaky, mode):
    client_id, case_id = ada
    with practice.work(staff["super"]) as work:
        forms.submit_form(work, client_id, "breath/screening", {"glaucoma": False})
    sid = _book(practice, staff, case_id, "breath/breathing", rooms)
    assert _decide(practice, staff, sid).verdict is Verdict.eligible
    flaky.MODE = mode
    found = _decide(practice, staff, sid)
    (review,) = found.findings
    assert (found.verdict, review.code, review.client_id) == (Verdict.review, "core/plugin-review/flaky", client_id)
    assert review.reason.startswith("The flaky plugin's pre-flight check failed")
    assert _errors(practice, "polymodal_preflight_checks")
    with practice.work(staff["desk"]) as work:  # booking and moving go on; check-in waits
        scheduling.move_session(work, sid, dt.datetime(2026, 3, 4, 11))
    assert found.blocking(Gate.book) == [] and found.blocking(Gate.sign) == []
    with practice.work(staff["desk"]) as work, pytest.raises(Refused, match="flaky plugin.s pre-flight"):
        scheduling.set_status(work, sid, "checked_in")


def test_needs_review_never_stops_a_note_being_signed(practice, staff, eligibility_hands_on, flaky):  # noqa: F811
    _, case_id, sid = eligibility_hands_on
    note_id = draft(practice, staff["masseur"], case_id, sid, ["back"])  # a massage note: the masseur's
    flaky.MODE = "raise"
    assert _decide(practice, staff, sid).verdict is Verdict.review
    assert try_sign(practice, staff["masseur"], note_id) == "signed"


def test_a_pre_flight_block_applies_only_to_the_plugins_own_modalities(practice, staff, ada, rooms, flaky):
    client_id, case_id = ada
    with practice.work(staff["super"]) as work:
        forms.submit_form(work, client_id, "breath/screening", {"glaucoma": False})
    flaky.MODE = "block"
    with practice.work(staff["desk"]) as work:
        (other,) = scheduling.schedule_session(work, {"case_id": case_id, "modality_key": "breath/breathing",
                                                      "starts_at": TOMORROW, "room_id": rooms[0]})
        other_id = other.id
    (shown,) = _decide(practice, staff, other_id).findings
    assert (shown.verdict, shown.reason) == (Verdict.modify, "Too hot today.")
    with practice.work(staff["desk"]) as work, pytest.raises(Refused, match="Too hot today"):
        scheduling.schedule_session(work, {"case_id": case_id, "modality_key": "flaky/steam",
                                           "starts_at": TOMORROW + dt.timedelta(hours=2), "room_id": rooms[0]})


def test_without_failures_no_plugin_error_is_recorded(practice, staff, ada, rooms, flaky):
    client_id, _ = ada
    with practice.work(staff["super"]) as work:
        assert forms.submit_form(work, client_id, "breath/screening", {"glaucoma": False}).outcome == "eligible"
    assert practice.recent_plugin_errors() == []


def test_strict_mode_raises_instead(make_practice, flaky):
    practice = make_practice(("flaky", flaky), strict=True)
    flaky.MODE = "raise"
    with practice.work(Actor.system("test"), write=False) as work, pytest.raises(RuntimeError):
        forms.screen(work, "none/form", {})
