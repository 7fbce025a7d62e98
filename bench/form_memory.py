"""A worker's memory after 1,000 distinct large form posts to /sign-in, anonymously (issue 12).

Litestar keeps parsed url-encoded bodies in an lru_cache of 1,024 entries keyed
on the raw bytes (see web/request_body.py); each distinct body stays in the
worker. Bounded and loopback only: --posts bodies of --size bytes, one
connection, then the worker's resident memory is read from /proc.

    .venv/bin/python bench/form_memory.py                        # this checkout
    .venv/bin/python bench/form_memory.py --root /tmp/before     # an older commit's worktree (with its .venv)
"""

from __future__ import annotations

import argparse
import http.client
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import polymodal_server, rss_mb  # noqa: E402


def post_all(port: int, posts: int, size: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(posts):
        # Distinct bodies: the same body twice would hit the cache instead of filling it.
        body = f"username=user{i}&password=".encode() + (b"%d" % i).rjust(size, b"x")
        try:
            conn.request("POST", "/sign-in", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        except (http.client.HTTPException, OSError):
            statuses[0] = statuses.get(0, 0) + 1  # the server closed the connection while we sent
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512 * 1024, help="bytes per body (default 512 KiB)")
    args = parser.parse_args()
    with polymodal_server(args.root, nofile=4096) as (port, pid):
        before = rss_mb(pid)
        statuses = post_all(port, args.posts, args.size)
        after = rss_mb(pid)
    print(f"{args.root}: {args.posts} posts of {args.size} bytes, statuses {statuses}; "
          f"worker RSS {before:.0f} MB -> {after:.0f} MB (+{after - before:.0f} MB)")


if __name__ == "__main__":
    main()
