"""Issue 17's "done means", run for real: polymodal's wheel alone in a fresh virtual environment carries a
third-party plugin from the scaffold and from the tutorial through `plugins check`, its own tests and the
packaged sweeps.

No source checkout is on the path: the wheel is built from this repository, installed into a new venv with
its declared dependencies (from whatever index pip is configured with), and every command then runs from a
folder outside the repository. tests/meta/test_tutorial.py runs the tutorial in seconds by simulating
`pip install -e`; this script does the real install, so it takes minutes (dependencies): CI runs it, the
test suite does not.

    python3 scripts/wheelcheck.py [--keep DIR]

Exits 0 when every step passed; prints each command and the tail of what failed otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "plugin-tutorial.md"
NAME = "somatic_dance"


def run(argv: list[str], cwd: Path, env: dict[str, str], expect: tuple[str, ...] = ()) -> str:
    print("$", " ".join(argv), f"   (in {cwd})", flush=True)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    out = done.stdout + done.stderr
    missing = [line for line in expect if line not in out]
    if done.returncode != 0 or missing:
        tail = "\n".join(out.splitlines()[-40:])
        raise SystemExit(f"FAILED (exit {done.returncode}, missing {missing}):\n{tail}")
    summary = [line for line in out.splitlines() if re.search(r"passed|failed|\bvalid\b|problems|^made ", line)]
    for line in summary[-3:]:
        print("   ", line)
    return out


def build(work: Path, env: dict[str, str]) -> Path:
    dist = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], work, env)
    (wheel,) = dist.glob("polymodal-*.whl")
    return wheel


def tutorial(work: Path, venv: Path, env: dict[str, str]) -> None:
    """Every file the tutorial shows is written and every command it shows is run, pip install included."""
    spec = importlib.util.spec_from_file_location("test_tutorial", ROOT / "tests" / "meta" / "test_tutorial.py")
    doc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(doc)
    cwd, written = work, set()
    for kind, what, detail in doc.steps(TUTORIAL.read_text()):
        if kind == "file":
            doc.write(cwd / what, detail, written, what)
        elif what.startswith("mkdir "):
            cwd = work / what.split()[1]
            cwd.mkdir()
        else:
            words = [w.strip("'") for w in what.split()]
            if words[0] in ("pip", "pytest"):
                words = [str(venv / "bin" / "python"), "-m", *words]
            else:
                words[0] = str(venv / "bin" / words[0])
            run(words, cwd, env, tuple(detail))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="work in this folder and leave it (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="polymodal-wheelcheck-"))
    work.mkdir(parents=True, exist_ok=True)
    # Nothing of the checkout or of the caller's venv may leak in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "POLYMODAL_DATABASE_URL")}
    try:
        wheel = build(work, env)
        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)], work, env)
        python, polymodal = str(venv / "bin" / "python"), str(venv / "bin" / "polymodal")
        run([python, "-m", "pip", "install", "-q", str(wheel)], work, env)
        run([python, "-c", "import polymodal.core, sys; assert 'site-packages' in polymodal.core.__file__"],
            work, env)

        # The scaffold, as made.
        run([polymodal, "plugins", "new", NAME], work, env, ("made ",))
        (plugin,) = work.glob(f"polymodal-{NAME.replace('_', '-')}")
        # Without its test extra first: check and sweep are commands of a center, where pytest is absent.
        run([python, "-m", "pip", "install", "-q", "-e", str(plugin)], work, env)
        run([python, "-c", "import importlib.util as u; assert u.find_spec('pytest') is None"], work, env)
        run([polymodal, "plugins", "check", NAME], work, env, (f"plugin '{NAME}': all contributions valid",))
        out = run([polymodal, "plugins", "sweep", NAME], work, env, ("no problems found",))
        # The verdict alone: no test-client request log, no development-key alarm for the throw-away center.
        if out.strip().count("\n"):
            raise SystemExit(f"FAILED: plugins sweep printed more than its verdict:\n{out[:2000]}")
        run([python, "-m", "pip", "install", "-q", "-e", f"{plugin}[test]"], work, env)
        run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], plugin, env, (" passed",))
        # Published as a wheel (not editable): its page's template must travel in it.
        run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(plugin)], work, env)
        run([polymodal, "plugins", "sweep", NAME], work, env, ("no problems found",))

        # The tutorial, from an empty folder, with a real pip install.
        tutorial(work, venv, env)
        run([polymodal, "plugins", "sweep", "garden"], work, env, ("no problems found",))
        run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(work / "polymodal-garden")],
            work, env)
        run([polymodal, "plugins", "sweep", "garden"], work, env, ("no problems found",))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("wheelcheck: all steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
