"""The distribution: a wheel that works outside the repository, and a complete package list."""

import os
import subprocess
import sys
import tomllib
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
