"""The benchmark generator at a tiny scale: exact counts, sound references, a valid audit chain, same seed same data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session as DbSession

from polymodal.core import audit, seals
from polymodal.core.keys import Keyring
from polymodal.core.models import (
    AssessmentResult,
    Base,
    Client,
    ClientConsentState,
    ConsentRecord,
    FormResponse,
    Note,
    Session,
    SessionClient,
    SessionPractitioner,
    User,
)
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import Registry
from polymodal.core.services import consent
from tests.core.test_consent_state import gaps, gaps_from_signatures

BENCH = Path(__file__).resolve().parents[2] / "bench"
BENCH_KEYS = "bench-test " + "k" * 40
SIZES = {"clients": 200, "sessions": 1_000, "notes": 500, "practitioners": 10}


@pytest.fixture
def generate(monkeypatch: pytest.MonkeyPatch):
    # The key the generator seals notes and chains its event with, found as the app finds it.
    monkeypatch.setenv("POLYMODAL_AUDIT_KEY", BENCH_KEYS)
    monkeypatch.syspath_prepend(str(BENCH))  # the generator is a script folder, not a package
    import generate as module

    return module


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in Base.metadata.sorted_tables}


def test_generates_a_consistent_center(generate, engine: Engine) -> None:
    result = generate.generate(url_of(engine), **SIZES, seed=3, quiet=True)
    db = result["engine"]
    with DbSession(db) as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 200
        assert s.scalar(select(func.count()).select_from(Session)) == 1_000
        assert s.scalar(select(func.count()).select_from(Note)) == 500
        assert s.scalar(select(func.count()).select_from(User)) == 10 + 4  # and an admin and three at the desk
        # Every session has its practitioner and at least one client, and each of them exists.
        orphans = s.scalar(select(func.count()).select_from(Session).where(
            ~Session.id.in_(select(SessionPractitioner.session_id).join(User, User.id == SessionPractitioner.user_id))
            | ~Session.id.in_(select(SessionClient.session_id).join(Client, Client.id == SessionClient.client_id))))
        assert orphans == 0
        assert all(n.status == "signed" and n.content_hash for n in s.scalars(select(Note).limit(50)))
        keys = Keyring.from_text(BENCH_KEYS, "test")
        assert audit.verify(s, keys).ok
        assert not list(seals.scan(s, keys))  # every generated note is sealed as the app would seal it
        # the dashboard's consent state per client and document, as the app keeps it from the signatures
        stored = {(r.client_id, r.document_key): (r.valid_until, r.state, r.document_version)
                  for r in s.scalars(select(ClientConsentState))}
        signed = s.scalars(select(ConsentRecord)).all()
        assert stored and stored == {(r.client_id, r.document_key): (
            consent.cover_end(r.expires_at, r.revoked_at), "revoked" if r.revoked_at else "signed",
            r.document_version) for r in signed}
        # and its consent gaps: each session a client lacks a required consent for, by the same rule
        lacking = gaps_from_signatures(s, Registry.collect(get_plugin_manager()))
        assert lacking and lacking == gaps(s)
    with db.connect() as conn:
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    assert {k: v for k, v in counts.items() if v} == result["counts"]
    db.dispose()


def test_same_seed_same_data(generate, engine: Engine, tmp_path: Path) -> None:
    first = generate.generate(url_of(engine), **SIZES, seed=5, quiet=True)["engine"]
    before = dump(first)
    if first.dialect.name == "sqlite":
        again = f"sqlite:///{tmp_path / 'again.db'}"
    else:
        again = url_of(engine)
        first.dispose()
    second = generate.generate(again, **SIZES, seed=5, force=True, quiet=True)["engine"]
    assert dump(second) == before
    other = generate.generate(again, **SIZES, seed=6, force=True, quiet=True)["engine"]
    assert dump(other)["clients"] != before["clients"]
    for e in {first, second, other}:
        e.dispose()


def test_refuses_a_database_with_data(generate, engine: Engine) -> None:
    generate.generate(url_of(engine), clients=5, sessions=10, notes=2, practitioners=5, quiet=True)["engine"].dispose()
    with pytest.raises(generate.NotEmpty):
        generate.generate(url_of(engine), clients=5, sessions=10, notes=2, practitioners=5, quiet=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM clients")).scalar() == 5


def test_uses_the_registry_definitions(generate, engine: Engine, load_plugin) -> None:
    """With a plugin that defines templates, instruments, consents and an intake form, those keys are used."""
    clinic = ("clinic", load_plugin("clinic"))
    db = generate.generate(url_of(engine), **SIZES, seed=2, quiet=True, plugins=(clinic,))["engine"]
    with DbSession(db) as s:
        templates = set(s.scalars(select(Note.template_key).distinct()))
        assert {"clinic/dap", "clinic/process"} <= templates
        assert "clinic/mini" in set(s.scalars(select(AssessmentResult.instrument_key).distinct()))
        assert "clinic/informed" in set(s.scalars(select(ConsentRecord.document_key).distinct()))
        assert set(s.scalars(select(FormResponse.form_key).distinct())) == {"clinic/intake"}
    db.dispose()


def test_command_line_reports_counts_and_plans(generate, engine: Engine, capsys: pytest.CaptureFixture) -> None:
    args = ["--url", url_of(engine), "--clients", "50", "--sessions", "200", "--notes", "50", "--practitioners", "5"]
    assert generate.main([*args, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "sessions" in out and "rows/s" in out and "query plans" in out
    assert generate.main([*args, "--quiet", "--no-explain"]) == 2  # refuses: not empty
    assert generate.main(["--url", url_of(engine), "--plans-only"]) == 0
    assert "c  a client's notes by date" in capsys.readouterr().out
