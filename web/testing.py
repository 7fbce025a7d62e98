"""Testing a plugin's web side: a demo center with the app, sign-in per role, pre-flight and portal helpers,
and the authorization and injection sweeps, for a third party's own test suite.

Load it in the plugin's ``pyproject.toml``::

    [tool.pytest.ini_options]
    addopts = "-p polymodal.web.testing"

then ask for the ``polymodal_center`` fixture: ``center = polymodal_center()`` starts the app on a fresh copy
of a migrated SQLite database holding the demo center (its staff, clients, rooms and sessions), with every
installed plugin and any ``(name, module)`` pairs given, and a fixed clock (``center.clock``, 08:00 on
Wednesday 21 October 2026 in the demo center's Los Angeles) so no test reads the wall clock. ``polymodal plugins sweep NAME`` runs the two
sweeps on an installed plugin from the command line.

It lives in ``polymodal.web`` because it starts the web app; plugins' own code still imports only
``polymodal.core.api``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core import migrations
from polymodal.core.access import AccessRequest, Actor, decide, scopes_for
from polymodal.core.contributions import FieldType, FormField
from polymodal.core.db import make_engine
from polymodal.core.demo import DEMO_PASSWORD, load_demo
from polymodal.core.models import Case, CaseClient, Client, Session, SessionClient, User
from polymodal.core.plugins import ENTRY_POINT_GROUP, get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings
from polymodal.core.testing import FIXED_NOW, FixedClock, fixture, sample_answers
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

ROLES = {"admin": "admin", "front_desk": "frontdesk", "practitioner": "maya", "supervisor": "rivera",
         "biller": "billing"}
"""A demo user of each role (the supervisor is also a practitioner; each practitioner has their own clients)."""

CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")

PAYLOADS = (
    "<script>alert('pm-xss-1')</script>",
    "<img src=x onerror=alert('pm-xss-2')>",
    '"><svg onload=alert(\'pm-xss-3\')>',
    '" hx-get="/pm-xss-5" hx-trigger="load',
    "{{ 7 * 1234567 }}",  # evaluated it would read 8641969
)
"""What the injection sweep types into every text answer and query parameter."""
DANGEROUS = (re.compile(r"<script>alert\('pm-xss"), re.compile(r"<img src=x onerror"), re.compile(r"<svg onload"),
             re.compile(r'hx-get="/pm-xss-5"'), re.compile("8641969"))


@dataclass(frozen=True)
class PreflightResult:
    """One finding of the eligibility decision, as a test reads it."""

    verdict: str
    """``risk``, ``excluded``, ``review``, ``clearance``, ``consent``, ``modify``...: see the eligibility docs."""
    code: str
    """e.g. ``core/consent-missing``, or the plugin's own ``Finding.code``."""
    reason: str
    """The reason as shown to a reader of the clinical record."""
    settled: str
    """What settled it (a clearance, an override); empty while it still counts."""


class TestCenter:
    """A running demo center for one test: its practice, its app and clients of that app."""

    __test__ = False  # a helper, not a test class

    def __init__(self, practice: Practice, clock: FixedClock) -> None:
        self.practice = practice
        self.clock = clock
        self.app = create_app(practice, WebSettings(insecure_cookies=True))
    def close(self) -> None:
        self.practice.engine.dispose()

    # --- people ---------------------------------------------------------------------------------

    def _new_browser(self) -> TestClient:
        # Not entered as a context manager: that would run the app's lifespan once per browser, and the
        # test center starts no job workers, so each request's own portal is all a browser needs (nothing
        # to close: Litestar's test transport holds no connection).
        return TestClient(app=self.app)

    def browser(self, role: str | None = None, *, username: str | None = None) -> TestClient:
        """A new client of the app, signed in as the demo user of ``role`` (see ``ROLES``) or ``username``;
        with neither, signed out."""
        client = self._new_browser()
        name = username or (ROLES[role] if role else None)
        if name is not None:
            sign_in(client, name)
        return client

    def client_id(self, name: str = "Jordan Ellis") -> str:
        """The id of a demo client by first and last name (Jordan Ellis, Tom Becker, Sofia Alvarez...)."""
        first, last = name.split(" ", 1)
        with self.practice.engine.connect() as conn:
            return str(conn.execute(select(Client.id).where(Client.legal_first_name == first,
                                                            Client.legal_last_name == last)).scalar_one())

    def add_practitioner(self, username: str, *, discipline: str, modalities: tuple[str, ...] = (),
                         credentials: tuple[str, ...] = (), clients: tuple[str, ...] = ()) -> str:
        """A practitioner of ``discipline`` offering ``modalities``, holding ``credentials`` in the center's
        jurisdiction, on the care team of ``clients`` (names); signs in with the demo password. Returns the id."""
        from polymodal.core.services import clients as client_service
        from polymodal.core.services import users

        with self.practice.work(Actor.system("test")) as work:
            user = users.create_user(work, {
                "username": username, "display_name": username.capitalize(), "password": DEMO_PASSWORD,
                "roles": ["practitioner"], "disciplines": [discipline], "modalities": list(modalities)})
            for credential in credentials:
                users.add_credential(work, user.id, credential, "TEST-1", work.center.jurisdiction, None)
            for name in clients:
                client_service.join_care_team(work, uuid.UUID(self.client_id(name)), user.id)
            return str(user.id)

    # --- pre-flight and portal ------------------------------------------------------------------

    def preflight(self, modality: str, client: str = "Jordan Ellis", *, practitioner: str = "rivera",
                  delivery: str = "in_person", format: str = "individual",  # noqa: A002 - the core's word
                  starts_at: dt.datetime | None = None) -> list[PreflightResult]:
        """The eligibility decision for a session of ``modality`` (tomorrow at this hour unless ``starts_at``),
        as booking and check-in ask it: the core's checks and every plugin's ``polymodal_preflight_checks``."""
        from polymodal.core import eligibility

        with self.practice.work(Actor.system("test"), write=False) as work:
            practitioner_id = work.db.scalars(select(User.id).where(User.username == practitioner)).one()
            ask = eligibility.Ask(modality, (uuid.UUID(self.client_id(client)),), (practitioner_id,),
                                  starts_at or work.now + dt.timedelta(days=1), delivery, format)
            decision = eligibility.decide(work, ask)
        return [PreflightResult(f.verdict.value, f.code, f.reason, f.settled) for f in decision.findings]

    def portal(self, modality: str, client: str = "Jordan Ellis") -> PortalVisit:
        """A portal packet for ``modality`` issued to ``client`` (as the front desk would) and opened in a new
        browser, as the client follows the link."""
        from polymodal.core.services import portal

        with self.practice.work(Actor.system("test")) as work:
            packet = portal.prepare_packet(work, uuid.UUID(self.client_id(client)), [modality])
            _, token = portal.issue_link(work, packet.id)
        browser = self._new_browser()
        opened = browser.get(f"/p/{token}", follow_redirects=True)
        assert opened.status_code == 200, opened.text[:500]
        return PortalVisit(self, browser, [dict(item) for item in packet.items])

    # --- sweeps ---------------------------------------------------------------------------------

    def sweep(self, plugin: str) -> list[str]:
        """Both sweeps over ``plugin``'s pages; each problem is one line (empty: none found)."""
        return self.authorization_sweep(plugin) + self.injection_sweep(plugin)

    def authorization_sweep(self, plugin: str) -> list[str]:
        """Every page of ``plugin`` × signed out and each role × each demo client it can name, against the
        declared policy: 200 where the role's grant allows, 403/404 where not, sign-in when signed out, and
        every unsafe method refused without the CSRF token."""
        problems: list[str] = []
        handlers = self.practice.plugin_routes().get(plugin, [])
        clients = {name: self._records(name) for name in ("Jordan Ellis", "Tom Becker", "Sofia Alvarez")}
        signed_out = self.browser()
        for role, username in ROLES.items():
            browser = self.browser(role)
            actor = self._actor(username)
            for handler in handlers:
                action = (handler.opt or {}).get("action")
                for path in handler.paths:
                    url_path = f"/m/{plugin}{path if path != '/' else ''}"
                    for method in sorted(set(handler.http_methods) - {"HEAD", "OPTIONS"}):
                        for name, ids in clients.items() if PARAM.search(path) else [("", {})]:
                            url = PARAM.sub(lambda m, ids=ids: ids.get(m.group(1), m.group(0)), url_path)
                            if "{" in url:
                                problems.append(f"{method} {url_path}: the sweep cannot fill {url}; use client_id, "
                                                "case_id or session_id in paths")
                                continue
                            client_uuid = uuid.UUID(ids["client_id"]) if ids else None
                            allowed = self._allowed(actor, action, client_uuid)
                            problems += _check_call(browser, signed_out, method, url, role, allowed, name)
        return sorted(set(problems))

    def injection_sweep(self, plugin: str) -> list[str]:
        """Payloads typed into every text answer of ``plugin``'s forms (filed for Jordan Ellis) and into every
        query parameter of its pages; no page of the plugin, nor the core's page showing those answers, may
        render one as markup."""
        from polymodal.core.services import forms

        problems: list[str] = []
        jordan = uuid.UUID(self.client_id("Jordan Ellis"))
        responses = []
        with self.practice.work(self._actor("rivera")) as work:
            for form in work.registry.forms:
                if work.registry.forms.owner(form.key) == plugin:
                    answers = sample_answers(form.fields)
                    answers.update({f.key: " ".join(PAYLOADS) for f in form.fields
                                    if f.type in (FieldType.text, FieldType.long_text) and not f.max_length})
                    responses.append(forms.submit_form(work, jordan, form.key, answers).id)
        browser = self.browser("supervisor")
        urls = [f"/clients/{jordan}/intake/{r}" for r in responses]
        ids = self._records("Jordan Ellis")
        for handler in self.practice.plugin_routes().get(plugin, []):
            if "GET" not in handler.http_methods:
                continue
            in_path = {m.group(1) for p in handler.paths for m in PARAM.finditer(p)}
            query = "&".join(f"{n}={_quote(' '.join(PAYLOADS))}" for n in _text_parameters(handler)
                             if n not in in_path)
            for path in handler.paths:
                url = PARAM.sub(lambda m: ids.get(m.group(1), m.group(0)), f"/m/{plugin}{path if path != '/' else ''}")
                urls.append(f"{url}?{query}" if query else url)
        for url in urls:
            response = browser.get(url, follow_redirects=False)
            for pattern in DANGEROUS:
                if pattern.search(response.text):
                    problems.append(f"GET {url.split('?')[0]}: a payload renders as markup ({pattern.pattern})")
        return problems

    def _actor(self, username: str) -> Actor:
        with self.practice.work(Actor.system("test"), write=False) as work:
            return Actor.of(work.db.scalars(select(User).where(User.username == username)).one())

    def _allowed(self, actor: Actor, action: str | None, client_id: uuid.UUID | None) -> bool:
        if action is None:
            return True  # {"authenticated": True}: any signed-in user
        if client_id is None:
            return bool(scopes_for(actor, action))
        with self.practice.work(Actor.system("test"), write=False) as work:
            return decide(work.db, actor, AccessRequest(action, client_id), work.now).allowed

    def _records(self, name: str) -> dict[str, str]:
        client_id = uuid.UUID(self.client_id(name))
        with self.practice.engine.connect() as conn:
            case_id = conn.execute(select(CaseClient.case_id).join(Case, Case.id == CaseClient.case_id)
                                   .where(CaseClient.client_id == client_id)).scalars().first()
            session_id = conn.execute(select(Session.id).join(SessionClient, SessionClient.session_id == Session.id)
                                      .where(SessionClient.client_id == client_id)).scalars().first()
        return {"client_id": str(client_id), "case_id": str(case_id), "session_id": str(session_id)}


def _text_parameters(handler: Any) -> list[str]:
    """Names of a handler's parameters typed ``str`` (or ``str | None``): query parameters to type into."""
    names = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        annotation = field.raw
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        if annotation is str or annotation == (str | None):
            names.append(name)
    return names


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _check_call(browser: TestClient, signed_out: TestClient, method: str, url: str, role: str, allowed: bool,
                client: str) -> list[str]:
    who = f"{role}{f' about {client}' if client else ''}"
    problems = []
    outside = signed_out.request(method, url, follow_redirects=False)
    if outside.status_code not in (303, 401, 403):
        problems.append(f"{method} {url}: signed out got {outside.status_code}, expected sign-in or 403")
    if method == "GET":
        status = browser.get(url, follow_redirects=False).status_code
        ok = status < 400 if allowed else status in (403, 404)
        if not ok:
            problems.append(f"GET {url}: {who} got {status}, expected {'a page' if allowed else '403/404'}")
    else:
        status = browser.request(method, url, follow_redirects=False).status_code
        if status != 403:
            problems.append(f"{method} {url}: {who} without the CSRF token got {status}, expected 403")
    return problems


class PortalVisit:
    """A client in the portal: ``steps`` lists what the packet asks, ``fill`` answers every step, ``submit``
    files the packet in the client's record."""

    def __init__(self, center: TestCenter, browser: TestClient, items: list[dict[str, Any]]) -> None:
        self.center = center
        self.browser = browser
        self.steps = items
        """The packet's steps: ``{"kind": "form" | "consent" | "assessment", "key", "version", "title"}``."""

    def fill(self, answers: dict[str, dict[str, Any]] | None = None, *, signer: str = "Jordan Ellis") -> list[int]:
        """Post every step: answers built from the definition (``sample_answers``), overridden per key by
        ``answers[step key]``, a consent signed by ``signer``. Returns each step's status (303 when saved)."""
        registry = self.center.practice.registry
        statuses = []
        for number, step in enumerate(self.steps, start=1):
            page = self.browser.get(f"/portal/step?n={number}")
            given = (answers or {}).get(step["key"], {})
            if step["kind"] == "form":
                fields = registry.forms.get(step["key"], step["version"]).fields
                data = form_post(fields, {**sample_answers(fields), **given})
            elif step["kind"] == "consent":
                fields = registry.consent_documents.get(step["key"], step["version"]).fields
                data = {**form_post(fields, {**sample_answers(fields), **given}), "signer_name": signer,
                        "agree": "yes"}
            else:
                instrument = registry.assessments.get(step["key"], step["version"])
                data = {i.key: instrument.options_for(i)[0].value for i in instrument.items if i.scored}
                data.update(given)
            response = self.browser.post(f"/portal/step?n={number}", follow_redirects=False,
                                         data={**data, "_csrf": CSRF_FIELD.search(page.text).group(1), "go": "next"})
            statuses.append(response.status_code)
        return statuses

    def submit(self) -> Any:
        """Submit the packet (after ``fill``); the response's page thanks the client when everything is filed."""
        review = self.browser.get("/portal/review")
        return self.browser.post("/portal/submit", data={"_csrf": CSRF_FIELD.search(review.text).group(1)})


def form_post(fields: tuple[FormField, ...] | list[FormField], answers: dict[str, Any], prefix: str = "") -> dict:
    """Typed ``answers`` as a browser posts them (web/fields.py names): yes/no as yes or no, a multi choice
    as a list, body-map regions and repeating rows as ``key.region.item`` and ``key.row.item``."""
    data: dict[str, Any] = {}
    for field in fields:
        name = f"{prefix}.{field.key}" if prefix else field.key
        value = answers.get(field.key)
        if value is None:
            continue
        if field.type is FieldType.body_map:
            for region, entry in value.items():
                data[f"{name}.{region}"] = "on"
                data.update(form_post(field.item_fields, entry, f"{name}.{region}"))
        elif field.type is FieldType.repeating:
            for row, entry in enumerate(value):
                data.update(form_post(field.item_fields, entry, f"{name}.{row}"))
        elif field.type is FieldType.yes_no:
            data[name] = "yes" if value else "no"
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign ``client`` in through the real form; returns the session's CSRF token for later posts."""
    page = client.get("/sign-in")
    response = client.post("/sign-in", follow_redirects=False, data={
        "username": username, "password": password, "_csrf": CSRF_FIELD.search(page.text).group(1)})
    assert response.status_code == 303, f"signing in as {username} failed: {response.status_code}"
    return CSRF_META.search(client.get("/").text).group(1)


def demo_database(folder: Path) -> Path:
    """A migrated SQLite database holding the demo center, made with every installed plugin."""
    from argon2 import PasswordHasher

    from polymodal.core.services import users

    path = folder / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    # Real argon2id at test-sized cost for the demo staff's passwords, as polymodal's own suite does: the
    # production cost (about 0.1 s a hash, more on a busy machine) would make every sign-in the slow part.
    production, users._hasher = users._hasher, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        load_demo(Practice(get_plugin_manager(), Settings(data_dir=folder), engine=engine, clock=FixedClock()))
    finally:
        users._hasher = production
    engine.dispose()
    return path


def build_center(template: Path, folder: Path, *plugins: tuple[str, object], strict: bool = True) -> TestCenter:
    """A center on a copy of ``template`` (``demo_database``) with the installed plugins and ``plugins``.

    ``strict`` (the default) makes any plugin problem fail loudly, as in CI: one that cannot load, a route or
    menu entry naming an undeclared action. With ``strict=False`` the center starts as production would,
    leaving the faulty part out and recording it for the admin's plugin page.
    """
    path = folder / "center.db"
    shutil.copy(template, path)
    clock = FixedClock()
    # A plugin under test is often installed too (pip install -e .): its entry point loads it, and the same
    # name given as a module would be registered twice.
    installed = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    plugins = tuple(pair for pair in plugins if pair[0] not in installed)
    practice = Practice(get_plugin_manager(plugins=plugins, strict=strict),
                        Settings(data_dir=folder, strict_plugins=strict),
                        engine=make_engine(f"sqlite:///{path}"), clock=clock)
    return TestCenter(practice, clock)


@fixture(scope="session")
def polymodal_demo_database(tmp_path_factory: Any) -> Path:
    """The demo center's database, migrated and loaded once per test run (each test gets a copy)."""
    return demo_database(tmp_path_factory.mktemp("polymodal-demo"))


@fixture
def polymodal_center(polymodal_demo_database: Path, tmp_path: Path) -> Iterator[Callable[..., TestCenter]]:
    """Factory: ``polymodal_center()`` starts the app with the installed plugins (yours too, once installed);
    ``polymodal_center(("mine", module))`` adds a module. Plugins load strictly: one that fails, fails the test."""
    made: list[TestCenter] = []

    def build(*plugins: tuple[str, object], strict: bool = True) -> TestCenter:
        folder = tmp_path / f"center-{len(made)}"
        folder.mkdir()
        made.append(build_center(polymodal_demo_database, folder, *plugins, strict=strict))
        return made[-1]

    yield build
    for center in made:
        center.close()


def sweep_installed(plugin: str, folder: Path) -> list[str]:
    """``polymodal plugins sweep``: both sweeps on an installed plugin, in a demo center made in ``folder``."""
    # The sweeps' own test-client requests (hundreds, each logged at INFO once the app configures logging)
    # would bury the one line the command exists to print.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    center = build_center(demo_database(folder), folder)
    try:
        if plugin not in center.practice.plugin_routes() and center.practice.pm.get_plugin(plugin) is None:
            return [f"plugin '{plugin}' is not installed"]
        return center.sweep(plugin)
    finally:
        center.close()


__all__ = ["FIXED_NOW", "ROLES", "FixedClock", "PortalVisit", "PreflightResult", "TestCenter", "build_center",
           "demo_database", "form_post", "polymodal_center", "polymodal_demo_database", "sign_in",
           "sweep_installed"]
