"""1 → 2 workers on PostgreSQL: the client search served by `polymodal serve --workers 1`, then `--workers 2`.

Run by bench/run.py inside scripts/with-postgres.sh (a throwaway cluster on loopback, its URL in
POLYMODAL_TEST_DATABASE_URL); prints one JSON line: the scale, the data's generation time and a Run per worker count.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pages
import servers
from _load import measure

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    url = os.environ["POLYMODAL_TEST_DATABASE_URL"]
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--url", url, "--scale", str(args.scale),
                    "--quiet", "--no-explain"], check=True, stdout=sys.stderr)
    generated = time.perf_counter() - started
    page = pages.pages(pages.sample(url))[0]
    runs = {}
    for workers in (1, 2):
        with servers.serving(servers.polymodal, url, workers) as server:
            cookie = pages.sign_in(server.base, page.user)
            status, _ = pages.get(server.base, page.path, cookie)
            if status != 200:
                sys.exit(f"{page.path} answered {status} with {workers} workers")
            run = measure(server.base + page.path, server.proc.pid, duration=args.duration, warmup=args.warmup,
                          connections=args.connections, headers={"Cookie": cookie}, quiet_patience=20)
            runs[workers] = {k: v for k, v in dataclasses.asdict(run).items() if k != "raw"}
            print(f"  PostgreSQL, {workers} worker(s): {run.rps:,.0f} req/s, p99 {run.p99:.1f} ms, "
                  f"others {run.others:.0f} %", file=sys.stderr, flush=True)
    print(json.dumps({"scale": args.scale, "generated_s": generated, "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
