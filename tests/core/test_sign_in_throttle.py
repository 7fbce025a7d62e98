"""Failed sign-ins slow the next attempt per username, address and both; nothing locks anyone out (issue 12)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from polymodal.core.errors import AccessDenied, ValidationFailed
from polymodal.core.models import LoginFailure
from polymodal.core.services import clients, privacy, signin, throttle
from tests.conftest import PASSWORD


def _fail(practice, username: str, origin: str) -> None:
    assert signin.sign_in(practice, username, "wrong-password-x", origin) is None


def test_guessing_from_one_address_doubles_the_wait(practice, staff, clock):
    for _ in range(5):
        _fail(practice, "desk", "203.0.113.9")
    waits = []
    for _ in range(5):
        with pytest.raises(signin.Throttled) as refused:
            signin.sign_in(practice, "desk", PASSWORD, "203.0.113.9")
        waits.append(refused.value.seconds)
        clock.advance(seconds=refused.value.seconds)
        _fail(practice, "desk", "203.0.113.9")
    assert waits == [1, 2, 4, 8, 16]


def test_failures_from_everywhere_never_lock_the_owner_out(practice, staff, clock):
    """Two hundred wrong passwords from fifty addresses: the owner, from their own, waits a minute at most."""
    for i in range(200):
        try:
            _fail(practice, "desk", f"198.51.100.{i % 50}")
        except signin.Throttled as wait:
            assert wait.seconds <= 15 * 60
    with pytest.raises(signin.Throttled) as refused:
        signin.sign_in(practice, "desk", PASSWORD, "192.0.2.7")
    assert refused.value.seconds <= 60
    clock.advance(seconds=refused.value.seconds)
    assert signin.sign_in(practice, "desk", PASSWORD, "192.0.2.7") is not None
    # Others at the attacker's addresses are not locked out either: a proxy's address is everyone's.
    assert signin.sign_in(practice, "other", PASSWORD, "198.51.100.1") is not None


def test_an_attempt_during_its_wait_does_not_lengthen_it(practice, staff, clock):
    for _ in range(6):
        try:
            _fail(practice, "desk", "203.0.113.9")
        except signin.Throttled:
            pass
    with practice.engine.connect() as conn:
        counted = conn.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.kind == "pair"))
    assert counted == 5


def test_break_the_glass_password_checks_count_with_sign_in_failures(practice, staff, clock):
    with practice.work(staff["desk"]) as work:
        client_id = clients.register_client(work, {"legal_first_name": "Ada", "legal_last_name": "Lovelace",
                                                   "date_of_birth": "1990-01-01"}).id
    admin = staff["admin"]
    for _ in range(throttle.RULES[0].free):
        with practice.work(admin) as work, pytest.raises(AccessDenied):
            privacy.break_glass(work, client_id, "Client in crisis, clinician unreachable", "wrong password")
    with practice.work(admin) as work, pytest.raises(ValidationFailed, match="Wait 1 seconds"):
        privacy.break_glass(work, client_id, "Client in crisis, clinician unreachable", PASSWORD)
    # The same count slows signing in as that user from that address.
    with pytest.raises(signin.Throttled):
        signin.sign_in(practice, "admin", PASSWORD, admin.origin)
