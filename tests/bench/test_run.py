"""bench/run.py end to end at a toy scale: one page, one second, no peers, no PostgreSQL; it must print a table."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_run_prints_a_table_and_the_targets(tmp_path: Path):
    out = tmp_path / "run.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--scale", "0.001", "--duration", "1", "--warmup", "0",
         "--connections", "4", "--pages", "search", "--peers", "bare", "--pg-scale", "0", "--startups", "1",
         "--patience", "0", "--out", str(out)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text()
    assert "| client search (50 rows) | polymodal serve" in text
    assert "| bare Litestar + Jinja" in text
    assert "client search ≥ 50 % of bare" in text and ("**MET**" in text or "**MISSED**" in text)
    assert "1 → 2 workers on PostgreSQL" in text
