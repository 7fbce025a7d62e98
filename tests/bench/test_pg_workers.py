"""bench/pg_workers.py's CPU layouts: wrk and PostgreSQL get cores of their own only where there are enough."""

from __future__ import annotations

from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def pg_workers(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))  # a script folder, not a package
    import pg_workers as module

    return module


def test_auto_layout_pins_nothing_below_four_cores(pg_workers):
    assert pg_workers.auto_layout(2) == {}
    assert pg_workers.auto_layout(3) == {}


@pytest.mark.parametrize(("cores", "expected"), [
    (4, {"server": "0-1", "pg": "2", "wrk": "3"}),
    (8, {"server": "0-3", "pg": "4-5", "wrk": "6-7"}),
    (16, {"server": "0-7", "pg": "8-11", "wrk": "12-15"}),
])
def test_auto_layout_gives_the_server_half_and_never_shares_a_core(pg_workers, cores, expected):
    from _load import cpu_list

    layout = pg_workers.auto_layout(cores)
    assert layout == expected
    sets = [cpu_list(cpus) for cpus in layout.values()]
    assert set().union(*sets) == set(range(cores)) and sum(map(len, sets)) == cores


def test_a_layout_names_only_known_parties(pg_workers):
    assert pg_workers.parse_layout("none") == {}
    assert pg_workers.parse_layout("wrk=0 server=0") == {"wrk": "0", "server": "0"}
    with pytest.raises(SystemExit, match="unknown"):
        pg_workers.parse_layout("database=0")
