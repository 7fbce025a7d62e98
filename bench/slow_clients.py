"""How many slow, half-sent requests `polymodal serve` holds before it stops answering (issue 12).

Each slow client connects, sends a request line and one header, then one more
header line per round and never finishes. After each round of new slow clients
a probe from another loopback address asks /healthz (3 s timeout); service has
stopped when it gets no 200. Bounded: at most --max slow clients, loopback only.

    .venv/bin/python bench/slow_clients.py                       # this checkout
    .venv/bin/python bench/slow_clients.py --root /tmp/before    # an older commit's worktree (with its .venv)
    .venv/bin/python bench/slow_clients.py --addresses 40        # slow clients spread over 40 loopback addresses

The server runs with the file-descriptor limit a systemd service gets unless
told otherwise (1,024), like the deployment the attack run found.
"""

from __future__ import annotations

import argparse
import select
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import polymodal_server  # noqa: E402

HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 0\r\n"


def probe(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3, source_address=("127.0.0.254", 0)) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def open_slow(port: int, source: str) -> socket.socket | None:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(source, 0))
        s.sendall(HEAD)
        s.setblocking(False)
        return s
    except OSError:
        return None


def still_open(sockets: list[socket.socket]) -> list[socket.socket]:
    """Those the server has not closed or answered (an answer means it gave up on the request)."""
    poller = select.poll()  # select() stops at descriptor 1,024
    for s in sockets:
        poller.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
    answered = {fd for fd, _event in poller.poll(0)}
    alive = []
    for s in sockets:
        if s.fileno() in answered:
            s.close()
            continue
        try:
            s.send(b"X-Slow: 1\r\n")
            alive.append(s)
        except OSError:
            s.close()
    return alive


def run(port: int, maximum: int, step: int, addresses: int, pause: float) -> dict:
    slow: list[socket.socket] = []
    attempted, most_held, stopped_at = 0, 0, None
    try:
        while attempted < maximum:
            for _ in range(step):
                s = open_slow(port, f"127.0.1.{attempted % addresses + 1}")
                attempted += 1
                if s is not None:
                    slow.append(s)
            slow = still_open(slow)
            most_held = max(most_held, len(slow))
            ok = probe(port)
            print(f"  {attempted:5d} slow clients started, {len(slow):5d} held open by the server, "
                  f"service {'answers' if ok else 'STOPPED'}", flush=True)
            if not ok:
                stopped_at = len(slow)
                break
            time.sleep(pause)
    finally:
        for s in slow:
            s.close()
    return {"attempted": attempted, "most_held": most_held, "stopped_with_held": stopped_at}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--max", type=int, default=3000)
    parser.add_argument("--step", type=int, default=100)
    parser.add_argument("--addresses", type=int, default=1)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--nofile", type=int, default=1024)
    parser.add_argument("--server-arg", action="append", default=[], help="passed to `polymodal serve`")
    args = parser.parse_args()
    with polymodal_server(args.root, nofile=args.nofile, args=tuple(args.server_arg)) as (port, _pid):
        result = run(port, args.max, args.step, args.addresses, args.pause)
    print(f"{args.root}: {result}")


if __name__ == "__main__":
    main()
