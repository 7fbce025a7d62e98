"""Disciplines have owners (issue 17, item 8): two plugins naming one discipline share discipline-only notes
only when one says so, and a modality name offered twice is reported; the check, the list and the admin say."""

from __future__ import annotations

import sys

from polymodal.core import cli
from polymodal.core.api import Family, ModalitySpec
from polymodal.core.plugin_check import check_plugin
from polymodal.core.registry import overlaps
from tests.conftest import install_as_distribution


def modality(key: str, discipline: str, name: str = "", **extra) -> ModalitySpec:
    return ModalitySpec(key=key, name=name or key, family=Family.movement, discipline=discipline, **extra)


def test_a_discipline_named_by_two_plugins_is_reported_until_one_says_it_shares():
    lines = overlaps([modality("arts/dmt", "dance"), modality("arts/drama", "dance"), modality("dmt/dmt", "dance")])
    assert [(sorted(p), line.split(":")[0]) for p, line in lines] == [
        (["arts", "dmt"], "discipline 'dance' is named by plugins arts, dmt, none of which marks it shared")]
    assert overlaps([modality("arts/dmt", "dance"), modality("dmt/dmt", "dance", shares_discipline=True)]) == []


def test_one_modality_name_from_two_plugins_is_reported():
    lines = overlaps([modality("arts/dmt", "dance", "Dance therapy"), modality("dmt/x", "dmt", "dance THERAPY")])
    assert len(lines) == 1 and lines[0][1].startswith("the modality name of arts/dmt, dmt/x is the same")


def test_check_and_list_report_a_plugin_reusing_an_installed_discipline(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    site.mkdir()
    module = install_as_distribution("copycat", site)
    monkeypatch.syspath_prepend(str(site))
    try:
        lines = check_plugin("copycat")
        assert any(line.startswith("plugin 'copycat': discipline 'dance-movement-therapy' is named by plugins "
                                   "arts, copycat") for line in lines), lines
        assert any(line.startswith("plugin 'copycat': the modality name of arts/dance-movement-therapy, copycat/dmt "
                                   "is the same") for line in lines), lines
        assert cli.main(["plugins", "list"]) == 0
        assert "OVERLAP: discipline 'dance-movement-therapy' is named by plugins arts, copycat" in \
            capsys.readouterr().out
    finally:
        sys.modules.pop(module, None)
