"""The polymodal command line, run as a user runs it (a real process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PG_URL = os.environ.get("POLYMODAL_TEST_DATABASE_URL", "")


def run(*args, env, check=True):
    result = subprocess.run([sys.executable, "-m", "polymodal.core.cli", *args], capture_output=True, text=True,
                            env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def env(tmp_path: Path, engine):
    # `engine` gives a migrated, empty database on the suite's backend; the CLI gets its URL.
    url = PG_URL or f"sqlite:///{tmp_path / 'polymodal.db'}"
    return {**os.environ, "POLYMODAL_DATA_DIR": str(tmp_path), "POLYMODAL_DATABASE_URL": url}


def test_plugins_list_json_describes_each_plugin():
    result = subprocess.run([sys.executable, "-m", "polymodal.core.cli", "plugins", "list", "--json"],
                            capture_output=True, text=True, check=True)
    plugins = json.loads(result.stdout)
    by_name = {p["name"]: p for p in plugins}
    assert {"talk", "bodywork", "breathwork", "arts", "ecotherapy"} <= set(by_name)
    talk = by_name["talk"]
    assert talk["version"]
    assert all(set(m) == {"key", "name", "family"} for m in talk["modalities"])
    assert "talk" in {m["family"] for m in talk["modalities"]}
    assert set(talk["contributions"]) >= {"modalities", "forms", "note_templates", "consent_documents",
                                          "assessments", "session_structures", "screening_rules"}
    families = {m["family"] for p in plugins for m in p["modalities"]}
    assert {"talk", "somatic", "breath", "movement", "creative"} <= families


def test_upgrade_demo_twice_and_verify_the_audit_trail(env):
    run("db", "upgrade", env=env)
    first = run("demo", env=env)
    assert "Demo center created." in first.stdout and "frontdesk" in first.stdout
    second = run("demo", env=env)
    assert "left as it is" in second.stdout
    verified = run("audit", "verify", env=env)
    assert "audit trail intact" in verified.stdout


def test_user_create_refuses_a_weak_password_with_the_field_named(env):
    run("db", "upgrade", env=env)
    weak = run("user", "create", "casey", "--role", "front_desk", env={**env, "POLYMODAL_PASSWORD": "short"},
               check=False)
    assert weak.returncode == 2 and "password" in weak.stderr
    ok = run("user", "create", "casey", "--role", "front_desk", "--name", "Casey",
             env={**env, "POLYMODAL_PASSWORD": "a-long-enough-passphrase"})
    assert "created casey (front_desk)" in ok.stdout


def test_audit_verify_exits_non_zero_on_a_broken_chain(env):
    if PG_URL:
        pytest.skip("tampering is exercised on both databases in test_access_and_audit")
    run("db", "upgrade", env=env)
    run("demo", env=env)
    import sqlite3

    db = sqlite3.connect(Path(env["POLYMODAL_DATA_DIR"]) / "polymodal.db")
    db.execute("DROP TRIGGER trg_audit_append_only_update")
    db.execute("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 5")
    db.commit()
    db.close()
    broken = run("audit", "verify", env=env, check=False)
    assert broken.returncode == 1 and "event 5: altered" in broken.stdout


def test_without_a_configured_key_the_demo_gets_a_development_key_and_says_so_loudly(env):
    bare = {k: v for k, v in env.items() if k not in ("POLYMODAL_AUDIT_KEY", "POLYMODAL_AUDIT_KEY_FILE")}
    upgraded = run("db", "upgrade", env=bare)
    assert "NO AUDIT KEY CONFIGURED" in upgraded.stderr
    key = Path(env["POLYMODAL_DATA_DIR"]) / "audit.key"
    assert key.stat().st_mode & 0o777 == 0o600
    run("demo", env=bare)
    assert "audit trail intact" in run("audit", "verify", env=bare).stdout
    other = run("audit", "verify", env={**bare, "POLYMODAL_AUDIT_KEY": "other " + "x" * 40}, check=False)
    assert other.returncode == 1 and "unknown key" in other.stdout


def test_checkpoint_then_verify_names_a_cut_off_tail(env, tmp_path):
    if PG_URL:
        pytest.skip("each tamper kind is exercised on both databases in test_audit_keyed")
    run("db", "upgrade", env=env)
    run("demo", env=env)
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    written = run("audit", "checkpoint", str(checkpoints), env=env)
    assert "checkpoint " in written.stdout and len(list(checkpoints.glob("audit-checkpoint-*.json"))) == 1
    assert "intact" in run("audit", "verify", "--checkpoint", str(checkpoints), env=env).stdout
    import sqlite3

    db = sqlite3.connect(Path(env["POLYMODAL_DATA_DIR"]) / "polymodal.db")
    for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name = 'audit_events'").fetchall():
        db.execute(f"DROP TRIGGER {trigger}")
    head = db.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    db.execute("DELETE FROM audit_events WHERE seq > ?", (head - 3,))
    db.commit()
    db.close()
    assert run("audit", "verify", env=env).returncode == 0  # a shorter chain alone is a valid chain
    against = run("audit", "verify", "--checkpoint", str(checkpoints), env=env, check=False)
    assert against.returncode == 1 and f"event {head}: truncated" in against.stdout


def test_db_backup_and_restore_print_and_check_the_audit_head(env, tmp_path):
    run("db", "upgrade", env=env)
    run("user", "create", "casey", "--role", "front_desk", env={**env, "POLYMODAL_PASSWORD": "a-long-enough-passphrase"})
    copy = tmp_path / "backups" / "polymodal-1.db"
    copy.parent.mkdir()
    made = run("db", "backup", str(copy), env=env)
    if PG_URL:
        assert "pg_dump --format=custom" in made.stdout and "audit head now: event" in made.stdout
        return
    head = made.stdout.split(" head ")[1].split(";")[0]
    assert f"backup {copy}: " in made.stdout and made.stdout.rstrip().endswith("verifies")
    again = run("db", "backup", str(copy), env=env, check=False)
    assert again.returncode == 2 and "exists already" in again.stderr
    refused = run("db", "restore", str(copy), env=env, check=False)
    assert refused.returncode == 2 and "--force" in refused.stderr
    restored = run("db", "restore", str(copy), "--force", env=env)
    assert f"head {head}; verifies" in restored.stdout
    assert f"head {head}" in run("audit", "verify", env=env).stdout
