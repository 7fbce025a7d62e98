"""Start-up does no password hashing and loads no PDF library: bench/run.py's start-up target (≤ 1.5 s to the first
/healthz) pays for every import."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import argon2
calls = []
original = argon2.PasswordHasher.hash
argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or original(self, *a, **k)
import polymodal.web.app
assert not calls, f"{len(calls)} argon2 hash(es) at import"
from polymodal.core.services import users
assert users._dummy_hash() == users._dummy_hash() and len(calls) == 1  # made once, on first use
"""


def test_importing_the_app_hashes_no_password():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_pdf_library_is_loaded_with_the_first_pdf_not_at_start():
    probe = ("import sys, polymodal.web.app\n"
             "assert 'fpdf' not in sys.modules, 'fpdf imported at start-up'\n"
             "from polymodal.core.billing.pdf_page import Document\n"
             "assert Document('t').output()[:5] == b'%PDF-'\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
