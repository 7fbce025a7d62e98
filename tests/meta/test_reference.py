"""The generated plugin reference (docs/reference/) covers every public field with its meaning, and the
files in the repository are what the code renders today."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from polymodal.core import api, cli, reference
from polymodal.core.contributions import Frozen

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "reference"


def test_every_public_field_value_and_payload_attribute_has_a_meaning():
    assert reference.undocumented() == []
    fields = sum(len(c.model_fields) for c in reference._documented().values()
                 if isinstance(c, type) and issubclass(c, BaseModel))
    assert fields >= 180  # the check looked at the models, not at an empty list


def test_a_field_without_a_description_is_reported(monkeypatch):
    class Loose(Frozen):  # the base every contribution shares
        documented: int = 0
        """Has a meaning."""
        bare: str = ""

    monkeypatch.setattr(reference, "EXTRA", {**reference.EXTRA, "Loose": Loose})
    monkeypatch.setattr(reference, "GROUPS", (*reference.GROUPS, ("Extra", "", ("Loose",))))
    assert reference.undocumented() == ["Loose.bare"]


def test_the_reference_in_the_repository_is_current():
    stale = reference.stale(FOLDER)
    assert stale == [], f"docs/reference is stale ({', '.join(stale)}): run `polymodal plugins reference`"


def test_every_exported_name_and_hook_has_a_heading():
    text = "\n".join((FOLDER / name).read_text() for name in reference.FILES)
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}
    assert [n for n in api.__all__ if n not in headings] == []
    assert [n for n, _ in reference._hookspecs() if n not in headings] == []


def test_the_reference_says_type_default_allowed_values_and_meaning():
    models = (FOLDER / "models.md").read_text()
    row = next(line for line in models.splitlines() if line.startswith("| `family` |"))
    assert "[Family](#family)" in row and "required" in row and "`talk`, `somatic`" in row
    assert "| `renewal_days` | `int` or None | `None` |" in models
    assert "- `score(self, answers: dict[str, str]) -> Score`" in models  # return types of methods
    assert "validate_content(self, content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]" in models
    assert "| `block` | Counts as excluded" in models


def test_the_command_writes_and_checks_a_folder(tmp_path, capsys):
    assert cli.main(["plugins", "reference", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(reference.render())
    assert cli.main(["plugins", "reference", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "models.md").write_text("edited by hand")
    capsys.readouterr()
    assert cli.main(["plugins", "reference", "--out", str(tmp_path), "--check"]) == 1
    assert "models.md is stale" in capsys.readouterr().out
