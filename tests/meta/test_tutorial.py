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


def steps(text: str):
    """The tutorial in order: ("file", path, text) for each titled block (a later block with the same title
    continues the file), ("command", line, expected output lines) for each ``$`` line of a console block.
    scripts/wheelcheck.py walks the same steps with a real pip install."""
    for language, title, body in BLOCK.findall(text):
        if title:
            yield "file", title, body
        elif language == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, *expected = chunk.strip().splitlines()
                yield "command", command, [line.strip() for line in expected]


def write(path: Path, body: str, written: set[str], title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if title in written else "w") as handle:
        handle.write(body)
    written.add(title)


def test_the_tutorial_builds_an_installed_tested_plugin(tmp_path):
    site, cwd = tmp_path / "site", tmp_path
    env = {**os.environ, "PYTHONPATH": str(site)}
    written: set[str] = set()
    commands = []
    for kind, what, detail in steps(DOC.read_text()):
        if kind == "file":
            write(cwd / what, detail, written, what)
            continue
        commands.append(what)
        if what.startswith("mkdir "):
            cwd = tmp_path / what.split()[1]
            cwd.mkdir()
            env["PYTHONPATH"] = f"{site}{os.pathsep}{cwd}"
        elif what.startswith("pip install -e"):
            _install(cwd, site)
        else:
            out = _run(what, cwd, env)
            for line in detail:
                assert line in out, f"$ {what}: expected {line!r} in\n{out}"
    assert commands == ["mkdir polymodal-garden && cd polymodal-garden", "pip install -e '.[test]'",
                        "polymodal plugins check garden", "pytest"]
    assert {"pyproject.toml", "polymodal_garden/content.py", "polymodal_garden/__init__.py",
            "polymodal_garden/pages.py", "polymodal_garden/templates/today.html"} <= written
