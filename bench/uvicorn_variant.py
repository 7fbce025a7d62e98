"""`polymodal serve`'s own uvicorn call with its HTTP parser or event loop swapped (for bench/server_compare.py).

    python bench/uvicorn_variant.py --app polymodal|bare --http limited|httptools|h11 --loop uvloop|asyncio --port N

It runs ``polymodal.web.server.serve`` itself and changes only what is asked, so everything else (issue 12's
limits, keep-alive, proxy headers, no access log, one worker) stays as in production; the bare page
(bench/bare.py) gets the same settings. ``limited`` is serve()'s own ``LimitedProtocol`` (httptools with the
limits); ``httptools`` and ``h11`` are uvicorn's protocols without them. Loopback only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from polymodal.web import server

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=("polymodal", "bare"), default="polymodal")
    parser.add_argument("--http", choices=("limited", "httptools", "h11"), default="limited")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run = uvicorn.run

    def swapped(app: str, **settings: object) -> None:
        if args.http != "limited":
            settings["http"] = args.http
        settings["loop"] = args.loop
        if args.app == "bare":
            app, settings["app_dir"] = "bare:build_app", str(HERE)
        run(app, **settings)

    uvicorn.run = swapped  # serve() imports uvicorn and calls uvicorn.run: the one place to swap
    server.serve("127.0.0.1", args.port, 1, server.ServeLimits())


if __name__ == "__main__":
    main()
