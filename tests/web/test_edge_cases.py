"""Requests from the edge of what pages expect: each gets a 4xx that says what was wrong, never a 500.

These came from an attack run (issue 12): nested JSON in a note's kept version, calendar dates in
the years 1 and 9999, a NUL byte in a static file's path, HEAD and OPTIONS on every route, a Host
header that chose where portal links point, and bidi controls that made a name display as another.
"""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.errors import StartupError
from polymodal.core.models import Client
from polymodal.core.services import clients
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.test_notes import stored

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"


def test_nested_json_in_a_kept_version_is_400_and_the_draft_unchanged(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    deep = '{"subjective":' * 50_000 + '"x"' + "}" * 50_000
    shallow_but_nested = '{"subjective": ' + "[" * 20 + '"x"' + "]" * 20 + "}"
    for content in (deep, shallow_but_nested):
        response = client.post(f"/notes/{note_id}/resolve", data={"_csrf": token, "revision": "1",
                                                                   "content": content})
        assert response.status_code == 400, response.text[:300]
        assert "could not be read" in response.text
    assert stored(web_practice, note_id).revision == 1


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-31", "1899-12-31", "2200-01-01"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_far_off_calendar_dates_are_400_naming_the_range(client, signed_in, day, view):
    signed_in("frontdesk")
    response = client.get(f"/schedule/?view={view}&date={day}")
    assert response.status_code == 400
    assert "Choose a date from 1900-01-01 to 2199-12-31." in response.text


def test_far_off_dates_in_booking_and_moving_are_field_errors(client, signed_in, session_of):
    token = signed_in("frontdesk")
    for day in ("0001-01-01", "9999-12-31"):
        moved = client.post(f"/schedule/sessions/{session_of('Ellis', 'Jordan')}/move",
                            data={"_csrf": token, "date": day, "time": "10:00", "room_id": ""})
        assert moved.status_code == 422 and "1900-01-01 to 2199-12-31" in moved.text
        booked = client.post("/schedule/sessions", data={"_csrf": token, "date": day, "time": "10:00",
                                                         "delivery": "in_person", "modality_key": "x"})
        assert booked.status_code == 422 and "1900-01-01 to 2199-12-31" in booked.text


@pytest.mark.parametrize("path", ["/static/%00", "/static/app.css%00", "/static/a%00b/app.css", "/clients/%00",
                                  "/sign-in%0a"])
def test_control_characters_in_a_path_are_400(client, path):
    response = client.get(path)
    assert response.status_code == 400 and "control character" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"  # the usual headers, even here


def _example_path(route_path: str) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: {"uuid": str(uuid.uuid4()), "int": "1"}.get(m[2], "x"), route_path)


def test_head_answers_like_get_on_every_get_route(client, signed_in, caplog):
    """Every GET route (core and plugins), signed out and signed in: HEAD gets GET's status, no body."""
    get_paths = sorted({route.path for route in client.app.routes if "GET" in getattr(route, "methods", ())})
    assert len(get_paths) > 30
    for signed in (False, True):
        if signed:
            signed_in("admin")
        for path in get_paths:
            url = _example_path(path)
            head, get = client.head(url, follow_redirects=False), client.get(url, follow_redirects=False)
            assert head.status_code == get.status_code != 405, (url, head.status_code, get.status_code)
            assert head.content == b"", url
    assert client.head("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_options_answers_the_allowed_methods_quietly(client, caplog):
    with caplog.at_level(logging.INFO):
        for path, allowed in (("/", "GET, HEAD, OPTIONS"), ("/sign-in", "GET, HEAD, OPTIONS, POST"),
                              ("/healthz", "GET, HEAD, OPTIONS")):
            response = client.options(path)
            assert response.status_code == 204 and response.headers["allow"] == allowed, path
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_public_url_is_required_outside_development(web_practice):
    with pytest.raises(StartupError, match="POLYMODAL_PUBLIC_URL is not set"):
        create_app(web_practice, WebSettings(insecure_cookies=False, public_url=""))
    with pytest.raises(StartupError, match="https://<host>"):
        create_app(web_practice, WebSettings(insecure_cookies=False, public_url="http://care.example.org"))


def test_serve_refuses_to_start_without_the_public_url(monkeypatch, capsys):
    from polymodal.core import cli

    monkeypatch.delenv("POLYMODAL_INSECURE_COOKIES", raising=False)
    monkeypatch.delenv("POLYMODAL_PUBLIC_URL", raising=False)
    # `serve` would otherwise leave job workers switched on for every later test in this process, whose
    # minute sweep then races the tests' own writes.
    monkeypatch.setenv("POLYMODAL_JOBS_IN_PROCESS", "0")
    assert cli.main(["serve"]) == 3
    assert "POLYMODAL_PUBLIC_URL is not set" in capsys.readouterr().err


def test_bidi_controls_are_dropped_from_a_typed_name(client, signed_in, web_practice):
    token = signed_in("frontdesk")
    response = client.post("/clients", data={
        "_csrf": token, "legal_first_name": f"Eve{RLO}fdp.exe", "legal_last_name": f"Ad{LRI}ams{PDI}",
        "date_of_birth": "1990-04-01"}, follow_redirects=False)
    assert response.status_code in (200, 303), response.text[:500]
    with web_practice.engine.connect() as conn:
        first, last = conn.execute(select(Client.legal_first_name, Client.legal_last_name)
                                   .where(Client.legal_last_name.like("Ad%"))).one()
    assert (first, last) == ("Evefdp.exe", "Adams")


def test_bidi_controls_stored_earlier_are_never_shown(client, signed_in, web_practice):
    with web_practice.work(Actor.system("test")) as work:
        person = clients.register_client(work, {"legal_first_name": f"Mallory{RLO}gnp.js", "legal_last_name": "Quill",
                                              "date_of_birth": "1985-02-03"})
    signed_in("frontdesk")
    page = client.get(f"/clients/{person.id}")
    assert page.status_code == 200 and "Mallory" in page.text
    assert not any(c in page.text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
