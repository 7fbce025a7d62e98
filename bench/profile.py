"""Where a page's time goes: py-spy samples `polymodal serve` while wrk loads one page (loopback only).

    .venv/bin/python bench/profile.py --scale 1 --page search      # --seconds 10, --top 25

Prints the share of samples (all threads, idle ones left out) in which each function is on the stack
(inclusive) and at the top (self), from py-spy's collapsed stacks; the raw file stays in bench/data/logs/.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
from pathlib import Path

import pages
import servers
from _load import wrk

HERE = Path(__file__).resolve().parent


def summarise(raw: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for f in stack.split(";") if f]
        if not frames:
            continue
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total:,} samples (active threads)", "", "inclusive %  self %  function"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:10.1f}  {100 * own[frame] / total:6.1f}  {frame}")
    lines += ["", "top self time:"]
    lines += [f"{100 * n / total:10.1f}  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--page", default="search")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--gil", action="store_true", help="sample only the thread holding the GIL: where CPU goes")
    args = parser.parse_args()
    db = HERE / "data" / f"center-{args.scale:g}.db"
    url = f"sqlite:///{db}"
    page = next(p for p in pages.pages(pages.sample(url)) if p.key == args.page)
    raw = servers.LOGS / f"profile-{args.page}.txt"
    with servers.serving(servers.polymodal, url) as s:
        cookie = pages.sign_in(s.base, page.user)
        wrk(s.base + page.path, "2s", connections=args.connections, headers={"Cookie": cookie})
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(s.proc.pid),
                                "--duration", str(args.seconds), "--format", "raw", "--output", str(raw),
                                "--nonblocking", *(["--gil"] if args.gil else [])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = wrk(s.base + page.path, f"{args.seconds + 1}s", connections=args.connections, headers={"Cookie": cookie})
        spy.wait()
    print(out)
    print(summarise(raw, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
