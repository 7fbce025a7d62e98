"""The distribution: a wheel that works outside the repository, and a complete package list."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"polymodal.core": "core", "polymodal.web": "web", "polymodal.plugins": "plugins"}


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for package, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *relative.parts]))
    for migrations in (ROOT / "core" / "migrations").rglob("*.py"):
        found.add("polymodal.core." + ".".join(migrations.parent.relative_to(ROOT / "core").parts))
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    # Two helpers adding the same missing package both land cleanly (different lines): keep one.
    assert len(config["packages"]) == len(listed), "a package is listed twice"


# The app serves these from its own static folder (the CSP allows no CDN); `make setup` copies them from npm,
# outside git, so a wheel built without that step would serve pages with no htmx and an empty /schema.
VENDOR = ("web/static/vendor/htmx.min.js", "web/static/vendor/swagger-ui/swagger-ui-bundle.js",
          "web/static/vendor/swagger-ui/swagger-ui.css")


def _in_wheel(source: str) -> str:
    folder, _, rest = source.partition("/")
    return f"polymodal/{folder}/{rest}"


def test_the_wheel_carries_every_file_the_running_app_reads(tmp_path):
    """Built without network (no isolation) from a copy, so stale build/ output cannot hide a missing file;
    scripts/wheelcheck.py installs it in a fresh venv and runs a scaffolded plugin, which takes minutes."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in MAPPED.values():
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path / "dist"),
                    str(source)], check=True, capture_output=True, timeout=120)
    (wheel,) = (tmp_path / "dist").glob("polymodal-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        points = archive.read("polymodal-0.1.0.dist-info/entry_points.txt").decode()
    tracked = subprocess.run(["git", "ls-files", *MAPPED.values()], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.split()
    # Templates, static files, migrations and their mako template, py.typed: whatever git holds of the
    # app's folders, plus the vendored assets it serves.
    wanted = {_in_wheel(path) for path in tracked if (ROOT / path).exists()} | {_in_wheel(v) for v in VENDOR}
    assert sorted(wanted - names) == []
    # Every page that names a vendored asset finds it.
    for page in ("web/templates/base.html", "web/api/router.py"):
        for asset in re.findall(r"/static/(vendor/[\w./-]+)", (ROOT / page).read_text()):
            assert f"polymodal/web/static/{asset}" in names, page
    assert "polymodal = polymodal.core.cli:main" in points
    assert "[pytest11]" in points and "[polymodal]" in points


@pytest.mark.slow
def test_the_wheel_installs_and_loads_the_plugins_from_a_fresh_environment(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("polymodal-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    probe = (
        "import polymodal.core, importlib.resources as r\n"
        "from polymodal.core.plugins import get_plugin_manager\n"
        "from polymodal.core.registry import Registry\n"
        "pm = get_plugin_manager()\n"
        "print(polymodal.core.__file__)\n"
        "print(sorted(n for n, p in pm.list_name_plugin() if p))\n"
        "print(sorted({m.family.value for m in Registry.collect(pm).modalities}))\n"
        "print((r.files('polymodal.web') / 'templates' / 'base.html').is_file())\n"
        "print((r.files('polymodal.core') / 'migrations' / 'versions').is_dir())\n"
    )
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout.splitlines()
    assert out[0].startswith(str(venv))  # imported from the wheel, not the checkout
    assert out[1] == "['arts', 'bodywork', 'breathwork', 'talk']"
    assert out[2] == "['breath', 'creative', 'movement', 'somatic', 'talk']"
    assert out[3:] == ["True", "True"]


def test_the_sweep_command_needs_only_the_wheels_dependencies():
    """`polymodal plugins sweep` loads the web testing kit on a center where pytest (a test extra) is absent."""
    probe = ("import sys; sys.modules['pytest'] = None\n"
             "import polymodal.web.testing as kit\n"
             "print(callable(kit.sweep_installed), callable(kit.polymodal_center))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
