"""bench/statements.py at a toy scale: every page's statements listed, each SELECT timed, a plan when asked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_statements_lists_and_times_each_pages_selects():
    done = subprocess.run([sys.executable, str(BENCH / "statements.py"), "--scale", "0.001", "--pages",
                           "search,session", "--cold", "--plan", "FROM notes JOIN users"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"^search /clients\?q=\S+: \d+ statements$", out, re.M)
    assert re.search(r"^session /sessions/\S+: \d+ statements$", out, re.M)
    assert re.search(r"^\s+[\d,]+ µs\s+\d+ rows  SELECT notes.id, notes.template_key", out, re.M)
    assert re.search(r"^ {30}(SEARCH|SCAN) ", out, re.M)  # the plan of the session's notes
    assert out.count("µs in SELECTs") == 2
