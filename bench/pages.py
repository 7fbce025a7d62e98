"""The app's pages to load, who loads them, and signing in as a browser does (CSRF double-submit cookie)."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import urllib.parse
from dataclasses import dataclass

from sqlalchemy import func, select

from polymodal.core.db import make_engine
from polymodal.core.models import CareTeamMember, Note, User

PASSWORD = "bench-password"  # every generated staff account's (bench/generate.py)
FRONT_DESK = "desk1"  # bench/emit.py: admin, desk1..desk3, then the practitioners
SEARCH = "sm"  # about 3 % of the generated clients' keys start with it: always a full 50-row page
# The generator's fixed "today" (bench/generate.py): the schedule shows the week around it, whatever the date.
WEEK_OF = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    path: str
    user: str
    must_contain: str = ""
    """Preflight: a piece of the body that proves the page shows what it should."""


@dataclass(frozen=True)
class Sample:
    practitioner: str
    practitioner_id: str
    client_id: str
    session_id: str


def sample(database_url: str) -> Sample:
    """The practitioner who wrote the most notes, their latest signed note's client (on their care team) and session."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            author = conn.scalar(select(Note.author_id).where(Note.session_id.is_not(None), Note.client_id.is_not(None))
                                 .group_by(Note.author_id).order_by(func.count().desc(), Note.author_id).limit(1))
            row = conn.execute(
                select(Note.client_id, Note.session_id)
                .join(CareTeamMember, (CareTeamMember.client_id == Note.client_id) & (CareTeamMember.user_id == author))
                .where(Note.author_id == author, Note.status == "signed", Note.session_id.is_not(None))
                .order_by(Note.created_at.desc()).limit(1)).one()
            username = conn.scalar(select(User.username).where(User.id == author))
    finally:
        engine.dispose()
    return Sample(username, str(author), str(row.client_id), str(row.session_id))


def pages(s: Sample) -> list[Page]:
    return [
        Page("search", "client search (50 rows)", f"/clients?q={SEARCH}", FRONT_DESK, "/clients/"),
        Page("client", "client page", f"/clients/{s.client_id}", s.practitioner),
        Page("schedule", "schedule week, one practitioner",
             f"/schedule?view=week&date={WEEK_OF}&practitioner={s.practitioner_id}", FRONT_DESK),
        Page("session", "session page with its note", f"/sessions/{s.session_id}", s.practitioner),
        Page("dashboard", "dashboard", "/", FRONT_DESK),
    ]


def get(base: str, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET, redirects not followed (a redirect to /sign-in is a failure, not a page)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def sign_in(base: str, username: str, session_cookie: str = "pm_session", csrf_cookie: str = "pm_csrf") -> str:
    """Sign in through POST /sign-in as a browser does; the Cookie header that carries the session."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request("GET", "/sign-in")
        response = conn.getresponse()
        body = response.read().decode()
        cookies = _cookies(response)
        token = cookies.get(csrf_cookie) or re.search(r'name="_csrf" value="([^"]+)"', body)[1]
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "_csrf": token, "next": "/"})
        conn.request("POST", "/sign-in", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": base,
            "Cookie": f"{csrf_cookie}={token}"})
        response = conn.getresponse()
        response.read()
        session = _cookies(response).get(session_cookie)
        if response.status != 303 or not session:
            raise SystemExit(f"sign-in as {username} failed: HTTP {response.status}")
        return f"{session_cookie}={session}"
    finally:
        conn.close()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out
