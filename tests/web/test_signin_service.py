"""The sign-in session service on its own: tokens, expiry, ending sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from polymodal.core.access import Actor
from polymodal.core.demo import DEMO_PASSWORD
from polymodal.core.errors import AccessDenied
from polymodal.core.models import User, WebSession
from polymodal.core.services import signin


def test_tokens_are_random_and_long(web_practice):
    a = signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    b = signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    assert a.token != b.token and len(a.token) >= 43 and a.csrf_token != b.csrf_token


def test_resolve_checks_idle_and_absolute_expiry(web_practice, web_clock):
    signed = signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    assert signin.resolve(web_practice, signed.token, "10.0.0.1").actor.username == "maya"
    web_clock.advance(minutes=29)
    assert signin.resolve(web_practice, signed.token, "10.0.0.1") is not None
    web_clock.advance(minutes=30, seconds=1)
    assert signin.resolve(web_practice, signed.token, "10.0.0.1") is None
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(WebSession)).first() is None  # expired rows are removed


def test_resolve_refuses_garbage(web_practice):
    assert signin.resolve(web_practice, "", "x") is None
    assert signin.resolve(web_practice, "a" * 5000, "x") is None
    assert signin.resolve(web_practice, "not-a-token", "x") is None


def test_end_all_sessions_needs_user_manage(web_practice):
    signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.2")
    with Session(web_practice.engine) as db:
        maya = db.scalars(select(User.id).where(User.username == "maya")).one()
        desk = db.scalars(select(User).where(User.username == "frontdesk")).one()
        admin = db.scalars(select(User).where(User.username == "admin")).one()
    with pytest.raises(AccessDenied):
        signin.end_all_sessions(web_practice, Actor.of(desk), maya)
    assert signin.end_all_sessions(web_practice, Actor.of(admin), maya) == 2


def test_sign_in_drops_the_users_timed_out_sessions(web_practice, web_clock):
    stale = signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    web_clock.advance(minutes=45)
    fresh = signin.sign_in(web_practice, "maya", DEMO_PASSWORD, "10.0.0.1")
    with web_practice.engine.connect() as conn:
        hashes = conn.execute(select(WebSession.token_hash)).scalars().all()
    assert hashes == [signin.hash_token(fresh.token)] and signin.hash_token(stale.token) not in hashes
