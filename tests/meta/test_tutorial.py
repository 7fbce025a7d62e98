"""docs/plugin-tutorial.md runs: each file it shows is written, each command run and its output compared.

The tutorial starts from an empty folder, so this test does too. ``pip install -e`` is the one command not
run as written: it would change the test run's own environment, so the package is made findable the way an
installed distribution is (a dist-info naming the pyproject's entry point, on the path), as
tests/conftest.py's install_as_distribution does. Everything else, polymodal's CLI and the plugin's own
pytest run with polymodal's web testing kit, runs in a subprocess as the reader would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin-tutorial.md"
BLOCK = re.compile(r'```(\w+)(?: title="([^"]+)")?\n(.*?)```', re.S)
BIN = Path(sys.executable).parent


def _install(folder: Path, site: Path) -> None:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    dist = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    points = "".join(f"{name} = {target}\n" for name, target in project["entry-points"]["polymodal"].items())
    (dist / "entry_points.txt").write_text(f"[polymodal]\n{points}")


def _run(command: str, cwd: Path, env: dict[str, str]) -> str:
    words = command.split()
    if words[0] == "polymodal":
        argv = [str(BIN / "polymodal"), *words[1:]]
    elif words[0] == "pytest":
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *words[1:]]
    else:
        raise AssertionError(f"the tutorial runs a command this test does not know: {command}")
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_tutorial_builds_an_installed_tested_plugin(tmp_path):
    text = DOC.read_text()
    site, cwd = tmp_path / "site", tmp_path
    env = {**os.environ, "PYTHONPATH": str(site)}
    written: set[str] = set()
    commands = []
    for language, title, body in BLOCK.findall(text):
        if title:
            path = cwd / title
            path.parent.mkdir(parents=True, exist_ok=True)
            # A later part of the same file continues it.
            with path.open("a" if title in written else "w") as handle:
                handle.write(body)
            written.add(title)
            continue
        if language != "console":
            continue
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, *expected = chunk.strip().splitlines()
            commands.append(command)
            if command.startswith("mkdir "):
                cwd = tmp_path / command.split()[1]
                cwd.mkdir()
                env["PYTHONPATH"] = f"{site}{os.pathsep}{cwd}"
            elif command.startswith("pip install -e"):
                _install(cwd, site)
            else:
                out = _run(command, cwd, env)
                for line in expected:
                    assert line.strip() in out, f"$ {command}: expected {line!r} in\n{out}"
    assert commands == ["mkdir polymodal-garden && cd polymodal-garden", "pip install -e '.[test]'",
                        "polymodal plugins check garden", "pytest"]
    assert {"pyproject.toml", "polymodal_garden/content.py", "polymodal_garden/__init__.py",
            "polymodal_garden/pages.py", "polymodal_garden/templates/today.html"} <= written
