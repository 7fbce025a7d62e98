"""Request limits: body size and field count per route, no framework cache of parsed bodies,
and `polymodal serve` closing requests that never finish arriving (issue 12, item 4)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from litestar import Litestar, get
from litestar._parsers import parse_url_encoded_form_data
from sqlalchemy import func, select

from polymodal.core.models import LoginFailure
from polymodal.web import server
from tests.web.conftest import CSRF_FIELD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _anonymous_token(client) -> str:
    return CSRF_FIELD.search(client.get("/sign-in").text).group(1)


def _failures(web_practice) -> int:
    with web_practice.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(LoginFailure))


def test_sign_in_refuses_a_large_body_before_reading_a_password(client, web_practice):
    token = _anonymous_token(client)
    response = client.post("/sign-in", data={"_csrf": token, "username": "admin", "password": "x" * 20_000})
    assert response.status_code == 413 and "larger than this page accepts" in response.text
    assert _failures(web_practice) == 0  # refused before any password was checked


def test_sign_in_refuses_more_fields_than_its_form_has(client, web_practice):
    token = _anonymous_token(client)
    fields = {"_csrf": token, "username": "admin", "password": "nope", **{f"f{i}": "1" for i in range(20)}}
    response = client.post("/sign-in", data=fields)
    assert response.status_code == 400 and "more than 10 fields" in response.text
    assert _failures(web_practice) == 0


def test_staff_forms_cap_fields_too(client, signed_in):
    token = signed_in("frontdesk")
    response = client.post("/clients", data={"_csrf": token, **{f"f{i}": "1" for i in range(2_100)}})
    assert response.status_code == 400 and "more than 2000 fields" in response.text


def test_parsed_bodies_are_not_kept_by_the_framework_cache(client, signed_in):
    """Distinct bodies, anonymous and signed in, plain form and htmx: Litestar's cached parser never runs."""
    cached = parse_url_encoded_form_data.cache_info().currsize
    token = _anonymous_token(client)
    for i in range(5):
        client.post("/sign-in", data={"_csrf": token, "username": f"someone{i}", "password": f"wrong-{i}"})
    csrf = signed_in("frontdesk")
    for i in range(5):
        client.post("/clients", data={"_csrf": csrf, "legal_first_name": f"N{i}"})
        client.post("/clients", data={"legal_first_name": f"H{i}"}, headers={"HX-Request": "true",
                                                                          "X-CSRF-Token": csrf})
    assert parse_url_encoded_form_data.cache_info().currsize == cached


# --- polymodal serve --------------------------------------------------------------------------


@get("/", sync_to_thread=False)
def hello() -> str:
    return "hello"


@pytest.fixture
def limited_server(monkeypatch) -> Iterator[int]:
    """uvicorn with polymodal's protocol on a free loopback port: a 1 s deadline, 3 connections per address,
    request heads up to 2,000 bytes."""
    monkeypatch.setattr(server, "_cached", [server.ServeLimits(request_timeout=1.0, per_address=3,
                                                                header_bytes=2_000, trusted_proxies="")])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(Litestar([hello]), host="127.0.0.1", port=port, http=server.LimitedProtocol,
                            log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(uv.serve()), daemon=True)
    thread.start()
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)  # a timed Event.wait never returns under libfaketime; a sleep does
    server.LimitedProtocol.open_by_address.clear()
    yield port
    uv.should_exit = True
    thread.join(10)


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_request_that_never_finishes_arriving_is_answered_408_and_closed(limited_server):
    with socket.create_connection(("127.0.0.1", limited_server)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")  # and never the blank line
        answer = _read_all(slow)  # returns once the server closes the connection
    assert answer.startswith(b"HTTP/1.1 408 ")
    with socket.create_connection(("127.0.0.1", limited_server)) as fine:  # others are still served
        fine.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _read_all(fine).startswith(b"HTTP/1.1 200 ")


def test_one_address_cannot_hold_more_than_its_share_of_connections(limited_server):
    held = [socket.create_connection(("127.0.0.1", limited_server)) for _ in range(3)]
    try:
        with socket.create_connection(("127.0.0.1", limited_server)) as fourth:
            assert _read_all(fourth) == b""  # closed at once, nothing read
        with socket.create_connection(("127.0.0.1", limited_server), source_address=("127.0.0.2", 0)) as other:
            other.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert _read_all(other).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()


def test_a_body_that_never_finishes_arriving_is_cut_off(limited_server):
    with socket.create_connection(("127.0.0.1", limited_server)) as slow:
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        started = time.monotonic()
        _read_all(slow)  # returns once the server closes the connection
    assert time.monotonic() - started < 8  # the 1 s deadline, not the test's own 10 s read timeout


def test_a_request_head_over_the_cap_is_refused(limited_server):
    with socket.create_connection(("127.0.0.1", limited_server)) as greedy:
        greedy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 3_000 + b"\r\n\r\n")
        assert _read_all(greedy).startswith(b"HTTP/1.1 400 ")
    with socket.create_connection(("127.0.0.1", limited_server)) as fine:
        fine.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Small: " + b"a" * 1_000 + b"\r\nConnection: close\r\n\r\n")
        assert _read_all(fine).startswith(b"HTTP/1.1 200 ")


def test_each_request_on_a_kept_connection_gets_its_own_deadline(limited_server):
    """The deadline runs from a request's first byte, not from when the connection opened."""

    def answer(sock: socket.socket) -> bytes:
        got = b""
        while not got.endswith(b"hello"):
            got += sock.recv(4096)
        return got

    with socket.create_connection(("127.0.0.1", limited_server)) as sock:
        sock.settimeout(10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(0.6)
        sock.sendall(b"GET / HTTP/1.1\r\n")
        time.sleep(0.6)  # 1.2 s after the connection opened, 0.6 s into this request
        sock.sendall(b"Host: x\r\n\r\n")
        assert answer(sock).startswith(b"HTTP/1.1 200 ")
