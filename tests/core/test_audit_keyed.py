"""The keyed audit trail: what `verify` says after each kind of tampering by someone who can write the
database but does not hold the key, and checkpoints that show a cut-off tail."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat

import pytest
from sqlalchemy import select, text, update

from polymodal.core import audit, keys
from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent
from polymodal.core.practice import Practice
from tests.tampering import without_triggers as lifted

SYSTEM = Actor.system("test")


def without_triggers(practice: Practice, *tables: str):
    return lifted(practice.engine, *tables)


def events(practice: Practice, n: int = 8) -> int:
    for i in range(n):
        with practice.work(SYSTEM) as work:
            work.audit("test.event", reason=f"event {i}")
    return head(practice)


def head(practice: Practice) -> int:
    with practice.work(SYSTEM, write=False) as work:
        return work.db.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))


def verify(practice: Practice, checkpoint: audit.Checkpoint | None = None) -> audit.Verification:
    with practice.work(SYSTEM, write=False) as work:
        return audit.verify(work.db, checkpoint=checkpoint, batch=3)  # small batches: the walk crosses them


def found(result: audit.Verification) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in result.problems]


def row(conn, seq: int):
    return conn.execute(select(AuditEvent.__table__).where(AuditEvent.seq == seq)).one()


def test_an_untouched_trail_verifies_and_every_row_names_its_key(practice):
    last = events(practice)
    result = verify(practice)
    assert result.ok and result.head_seq == last
    with practice.engine.connect() as conn:
        assert set(conn.scalars(select(AuditEvent.key_id))) == {practice.keys.current}


def test_an_edited_row_is_named_altered(practice):
    events(practice)
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(reason="nothing happened"))
    assert found(verify(practice)) == [(4, "altered")]


def test_a_row_re_hashed_without_the_key_is_named_and_so_is_every_row_rechained_after_it(practice):
    last = events(practice)
    with without_triggers(practice, "audit_events") as conn:
        # The published unkeyed algorithm, recomputed from the edit to the end, links and all.
        prev = row(conn, 3).hash
        for seq in range(4, last + 1):
            event = row(conn, seq)._asdict()
            if seq == 4:
                event["actor_name"] = "someone else"
            event["prev_hash"] = prev
            event["hash"] = prev = audit.unkeyed_digest(prev, type("E", (), event))
            conn.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(**event))
    assert found(verify(practice)) == [(seq, "re-hashed") for seq in range(4, last + 1)]


def test_a_row_hashed_with_a_guessed_key_is_named_altered(practice):
    events(practice)
    guessed = keys.Keyring.from_text(keys.new_entry(practice.keys.current), "attacker")
    with without_triggers(practice, "audit_events") as conn:
        event = row(conn, 5)._asdict()
        event["reason"] = "rewritten"
        event["hash"] = audit.keyed_digest(guessed, event["prev_hash"], type("E", (), event), guessed.current)
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(**event))
    assert found(verify(practice)) == [(5, "altered")]


def test_a_deleted_row_is_named_by_the_gap(practice):
    events(practice)
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    assert found(verify(practice)) == [(5, "deleted")]


def test_an_inserted_row_is_named_alone_even_when_the_rows_after_it_are_renumbered(practice):
    last = events(practice)
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(text("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 4"))
        conn.execute(text("UPDATE audit_events SET seq = -seq WHERE seq < 0"))
        forged = row(conn, 3)._asdict()
        forged.update(seq=4, reason="a visit that never happened", prev_hash=forged["hash"])
        forged["hash"] = audit.unkeyed_digest(forged["prev_hash"], type("E", (), forged))
        conn.execute(AuditEvent.__table__.insert().values(**forged))
    result = verify(practice)
    assert found(result) == [(4, "inserted")]
    assert result.head_seq == last + 1


def test_swapped_rows_are_named_reordered(practice):
    events(practice)
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_events SET seq = 4 WHERE seq = 5"))
        conn.execute(text("UPDATE audit_events SET seq = 5 WHERE seq = -1"))
    assert found(verify(practice)) == [(4, "reordered"), (5, "reordered"), (6, "reordered")]


def test_a_cut_off_tail_passes_alone_and_fails_against_the_last_checkpoint(practice, tmp_path):
    last = events(practice)
    checkpoint = audit.sign_checkpoint(practice.keys, verify(practice), practice.now())
    path = audit.write_checkpoint(tmp_path, checkpoint)
    assert path.parent == tmp_path and json.loads(path.read_text())["seq"] == last
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": last - 2})
    assert verify(practice).ok  # a shorter chain is a valid chain: only the checkpoint knows better
    result = verify(practice, audit.read_checkpoint(tmp_path))
    assert found(result) == [(last, "truncated")]
    assert f"ends at event {last - 2}" in result.problems[0].detail


def test_a_tail_cut_off_and_grown_again_is_named_rewritten(practice, tmp_path):
    last = events(practice)
    checkpoint = audit.sign_checkpoint(practice.keys, verify(practice), practice.now())
    with without_triggers(practice, "audit_events") as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": last - 2})
    events(practice, 3)  # the app goes on writing, with its key: the chain is valid again
    assert verify(practice).ok
    assert found(verify(practice, checkpoint)) == [(last, "rewritten")]


def test_a_checkpoint_edited_or_made_with_another_key_is_refused(practice, tmp_path):
    events(practice)
    checkpoint = audit.sign_checkpoint(practice.keys, verify(practice), practice.now())
    path = audit.write_checkpoint(tmp_path / "head.json", checkpoint)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "seq": data["seq"] - 3}))
    assert found(verify(practice, audit.read_checkpoint(path))) == [(data["seq"] - 3, "checkpoint")]
    other = keys.Keyring.from_text(keys.new_entry(practice.keys.current), "elsewhere")
    foreign = audit.sign_checkpoint(other, verify(practice), practice.now())
    assert found(verify(practice, foreign)) == [(foreign.seq, "checkpoint")]


def test_the_newest_checkpoint_of_a_folder_is_used(practice, tmp_path):
    events(practice, 2)
    audit.write_checkpoint(tmp_path, audit.sign_checkpoint(practice.keys, verify(practice), practice.now()))
    last = events(practice, 2)
    audit.write_checkpoint(tmp_path, audit.sign_checkpoint(practice.keys, verify(practice), practice.now()))
    assert audit.read_checkpoint(tmp_path).seq == last


def test_rotation_keeps_old_rows_verifying_and_a_missing_old_key_is_named(make_practice, practice, tmp_path):
    first = events(practice, 3)
    old = practice.keys
    secret = old.secrets[old.current].decode()
    rotated = keys.Keyring.from_text(f"{keys.new_entry('k2')}, {old.current} {secret}", "rotated")
    later = Practice(practice.pm, practice.settings, engine=practice.engine, clock=practice.clock, keys=rotated)
    last = events(later, 2)
    with later.engine.connect() as conn:
        assert conn.scalar(select(AuditEvent.key_id).where(AuditEvent.seq == last)) == "k2"
        assert conn.scalar(select(AuditEvent.key_id).where(AuditEvent.seq == first)) == old.current
    assert verify(later).ok
    forgotten = keys.Keyring.from_text(f"k2 {rotated.secrets['k2'].decode()}", "forgot the old key")
    without_old = Practice(practice.pm, practice.settings, engine=practice.engine, keys=forgotten)
    assert {kind for _, kind in found(verify(without_old))} == {"unknown key"}


def test_a_development_key_is_made_once_beside_the_database_readable_by_its_owner_only(tmp_path, caplog):
    made = keys.load(tmp_path)
    path = tmp_path / keys.DEV_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert made.development and "NO AUDIT KEY CONFIGURED" in caplog.text
    assert keys.load(tmp_path).secrets == made.secrets  # the same key next time, not a new one


def test_a_key_ring_states_what_is_wrong_with_it(tmp_path):
    with pytest.raises(keys.KeyProblem, match="at least 32"):
        keys.Keyring.from_text("k1 short", "POLYMODAL_AUDIT_KEY")
    with pytest.raises(keys.KeyProblem, match="cannot read"):
        keys.load(tmp_path, key_file=str(tmp_path / "missing.key"))
    ring = keys.Keyring.from_text(f"# rotated in March\n{keys.new_entry('k2')}\n{keys.new_entry('k1')}\n", "file")
    assert ring.current == "k2" and set(ring.secrets) == {"k1", "k2"}


def test_subkeys_differ_by_purpose():
    ring = keys.Keyring.from_text(keys.new_entry("k1"), "t")
    assert ring.mac("audit-chain", b"x") != ring.mac("note-content", b"x")
    plain = hmac.new(ring.secrets["k1"], b"x", hashlib.sha256).hexdigest()
    assert plain not in (ring.mac("audit-chain", b"x"), ring.mac("note-content", b"x"))


def test_serve_refuses_a_development_key_outside_development(monkeypatch):
    from polymodal.core.errors import StartupError
    from polymodal.web import server

    monkeypatch.setenv("POLYMODAL_PUBLIC_URL", "https://care.example.org")
    monkeypatch.delenv("POLYMODAL_INSECURE_COOKIES", raising=False)
    monkeypatch.delenv("POLYMODAL_AUDIT_KEY", raising=False)
    monkeypatch.delenv("POLYMODAL_AUDIT_KEY_FILE", raising=False)
    with pytest.raises(StartupError, match="POLYMODAL_AUDIT_KEY_FILE"):
        server.serve("127.0.0.1", 0, 1, server.ServeLimits())


def test_practice_sessions_carry_the_key_and_others_are_refused(practice, engine):
    from sqlalchemy.orm import Session

    with Session(engine) as db, pytest.raises(RuntimeError, match="no audit key"):
        audit.append(db, SYSTEM, "x", at=practice.now())


def test_each_subkey_is_derived_once_per_key_ring(practice, monkeypatch):
    """An append (every page) and verifying the trail (one MAC per event) derive the chain's key once, not per
    event; the MACs are the same as derived afresh."""
    made = []
    real = keys.hmac.new
    monkeypatch.setattr(keys.hmac, "new", lambda *a, **k: made.append(a[1]) or real(*a, **k))
    events(practice, 5)
    verified = verify(practice)
    assert verified.ok
    derivations = [m for m in made if m.startswith(b"polymodal/")]
    assert len(derivations) <= 1 and len(made) >= 5 + verified.events
    fresh = keys.Keyring(practice.keys.current, practice.keys.secrets)
    assert fresh.mac(audit.CHAIN, b"x") == practice.keys.mac(audit.CHAIN, b"x")
