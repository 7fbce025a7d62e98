"""Credentials at the service level: the password policy, change and reset, the TOTP second factor."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from polymodal.core.access import Actor
from polymodal.core.errors import AccessDenied, Conflict, ValidationFailed
from polymodal.core.models import WebSession
from polymodal.core.services import account, signin, users
from tests.conftest import PASSWORD

NEW = "quiet-otter-lantern-7"


@pytest.mark.parametrize("weak", ["password1234", "qwertyuiop123", "newbie-newbie", "Test Center 2026",
                                  "Newbie Person!!"])
def test_create_user_refuses_common_and_context_passwords(practice, staff, weak):
    with practice.work(staff["admin"]) as work, pytest.raises(ValidationFailed) as refused:
        users.create_user(work, {"username": "newbie", "display_name": "Newbie Person", "password": weak,
                                 "roles": ["front_desk"]})
    assert "password" in refused.value.errors


def test_change_password_keeps_this_session_and_ends_the_others(practice, staff):
    first = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    second = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.2")
    with practice.work(staff["desk"]) as work:
        ended = account.change_password(work, PASSWORD, NEW, NEW, keep_token_hash=signin.hash_token(first.token))
    assert ended == 1
    assert signin.resolve(practice, first.token, "10.0.0.1") is not None
    assert signin.resolve(practice, second.token, "10.0.0.2") is None
    assert signin.sign_in(practice, "desk", NEW, "10.0.0.1") is not None


def test_reset_ends_every_session_and_demands_a_new_password(practice, staff):
    signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    with practice.work(staff["admin"]) as work:
        temporary = account.reset_password(work, staff["desk"].user_id)
    with practice.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(WebSession)
                           .where(WebSession.user_id == staff["desk"].user_id)) == 0
    assert signin.sign_in(practice, "desk", temporary, "10.0.0.1").must_change_password
    with practice.work(staff["admin"]) as work, pytest.raises(Conflict):
        account.reset_password(work, staff["admin"].user_id)  # one's own: change it instead
    with practice.work(staff["desk"]) as work, pytest.raises(AccessDenied):
        account.reset_password(work, staff["other"].user_id)  # admins only


def test_a_totp_code_works_once_and_recovery_codes_once_each(practice, staff, clock):
    desk = staff["desk"]
    with practice.work(desk) as work:
        secret, uri = account.start_enrolment(work, desk.user_id)
    assert uri.startswith("otpauth://totp/") and "desk" in uri
    code = pyotp.TOTP(secret).at(clock.now)
    with practice.work(desk) as work:
        recovery = account.confirm_enrolment(work, desk.user_id, code)
    step = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    assert isinstance(step, signin.SecondStep) and not step.enrol
    assert signin.second_step(practice, step.token, code, "10.0.0.1") is None  # the enrolment code, replayed
    clock.advance(seconds=30)
    signed, _next = signin.second_step(practice, step.token, pyotp.TOTP(secret).at(clock.now), "10.0.0.1")
    assert signed.actor.user_id == desk.user_id
    step = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    assert signin.second_step(practice, step.token, recovery[0], "10.0.0.1") is not None
    step = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    assert signin.second_step(practice, step.token, recovery[0], "10.0.0.1") is None


def test_wrong_codes_are_throttled_like_passwords(practice, staff, clock):
    desk = staff["desk"]
    with practice.work(desk) as work:
        secret, _uri = account.start_enrolment(work, desk.user_id)
        account.confirm_enrolment(work, desk.user_id, pyotp.TOTP(secret).at(clock.now))
    step = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    for _ in range(5):
        assert signin.second_step(practice, step.token, "123456", "10.0.0.1") is None
    with pytest.raises(signin.Throttled):
        signin.second_step(practice, step.token, "654321", "10.0.0.1")
    with pytest.raises(signin.Throttled):  # a right password does not reset the count of wrong codes
        signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")


def test_required_second_factor_means_enrolment_at_sign_in_and_admin_reset_recovers(practice, staff, clock):
    with practice.work(staff["admin"]) as work:
        account.require_second_factor(work, staff["desk"].user_id, True)
    step = signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1")
    assert isinstance(step, signin.SecondStep) and step.enrol
    secret, _uri = signin.start_enrolment(practice, step.token, "10.0.0.1")
    signed, codes = signin.finish_enrolment(practice, step.token, pyotp.TOTP(secret).at(clock.now), "10.0.0.1")
    assert signed.token and len(codes) == account.RECOVERY_CODES
    with practice.work(staff["admin"]) as work:
        account.reset_second_factor(work, staff["desk"].user_id)
    assert signin.resolve(practice, signed.token, "10.0.0.1") is None  # sessions ended with it
    assert signin.sign_in(practice, "desk", PASSWORD, "10.0.0.1").enrol  # enrol again
    with practice.work(Actor.system("test"), write=False) as work:
        assert not account.has_second_factor(work, staff["desk"].user_id)
