"""Time and size of the whole-center export (issue 15) for a generated center.

    .venv/bin/python bench/export.py --scale 0.1          # 10,000 clients, 100,000 sessions, 50,000 notes

Generates ``bench/data/export-<scale>.db`` once (bench/generate.py), then writes the archive as the admin's
page does (``center_export.write_archive``) and prints wall and CPU seconds, the zip's size and what is in
it. Wall time on a shared machine also measures the neighbours; CPU time is this process's own.
"""

from __future__ import annotations

import argparse
import sys
import time
import zipfile
from pathlib import Path

import generate

from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.interop import center_export
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings

DATA = Path(__file__).parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args(argv)
    DATA.mkdir(exist_ok=True)
    db = DATA / f"export-{args.scale}.db"
    if not db.exists():
        generate.main(["--url", f"sqlite:///{db}", "--scale", str(args.scale), "--quiet", "--no-explain"])
    engine = make_engine(f"sqlite:///{db}")
    practice = Practice(get_plugin_manager(), Settings(data_dir=DATA), engine=engine)
    out = DATA / f"export-{args.scale}.zip"
    wall, cpu = time.perf_counter(), time.process_time()
    with practice.work(Actor.system("bench"), write=False) as work:
        manifest = center_export.write_archive(work, out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows, resources = sum(manifest["tables"].values()), sum(manifest["fhir"].values())
    with zipfile.ZipFile(out) as archive:
        raw = sum(i.file_size for i in archive.infolist())
    print(f"database {db.stat().st_size / 2**20:,.0f} MiB: {manifest['tables']['clients']:,} clients, "
          f"{manifest['tables']['sessions']:,} sessions, {manifest['tables']['notes']:,} notes")
    print(f"export: {wall:.1f} s wall, {cpu:.1f} s CPU; {rows:,} rows and {resources:,} FHIR resources; "
          f"zip {out.stat().st_size / 2**20:,.1f} MiB ({raw / 2**20:,.0f} MiB uncompressed)")
    for kind, count in sorted(manifest["fhir"].items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<24}{count:>10,}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
