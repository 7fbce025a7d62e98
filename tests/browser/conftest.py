"""A live polymodal on 127.0.0.1 (uvicorn in a thread, demo center) and Debian's chromium for Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from polymodal.core import migrations
from polymodal.core.db import make_engine
from polymodal.core.demo import load_demo
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.clocks import RunningClock

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browsers here; Debian's chromium works (ENVIRONMENT.md §4).
    return {**browser_type_launch_args,
            "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


def pytest_collection_modifyitems(items):
    # pytest-playwright keeps an event loop running in the main thread once a browser test ran: go last.
    items.sort(key=lambda item: "page" in getattr(item, "fixturenames", ()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(practice: Practice) -> Iterator[str]:
    """``practice`` served by uvicorn on a free loopback port, in a thread, until the block ends."""
    port = _free_port()
    # Portal links are built on the public URL, never on the request's Host header.
    settings = WebSettings(insecure_cookies=True, public_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(create_app(practice, settings),
                                           host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def demo_practice(data: Path, clock: RunningClock | None = None) -> Practice:
    """A migrated database in ``data`` with the demo center, on the suite's running clock."""
    engine = make_engine(f"sqlite:///{data / 'polymodal.db'}")
    migrations.upgrade(engine)
    practice = Practice(get_plugin_manager(), Settings(data_dir=data), engine=engine, clock=clock or RunningClock())
    load_demo(practice)
    return practice


@contextmanager
def center_of_its_own(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[str, Practice]]:
    """A demo center served for one module whose journey changes records: (base URL, practice)."""
    practice = demo_practice(tmp_path_factory.mktemp(name))
    with serving(practice) as base:
        yield base, practice
    practice.engine.dispose()


@pytest.fixture(scope="session")
def live_clock() -> RunningClock:
    """The live server's 'now' (a test making TOTP codes must read the server's time, not the wall's)."""
    return RunningClock()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_clock: RunningClock) -> Iterator[str]:
    practice = demo_practice(tmp_path_factory.mktemp("live"), live_clock)
    with serving(practice) as url:
        yield url
    practice.engine.dispose()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
