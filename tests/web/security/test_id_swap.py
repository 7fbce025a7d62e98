"""The id-swap sweep: another client's ids in every path, query and form field change nothing.

OpenEMR's history is mostly one record read or changed by swapping an id
(SECURITY-PLAN.md §1). Maya treats Tom only; every unsafe route is sent
Jordan's ids, and Jordan's rows must come out exactly as they went in.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from polymodal.core.models import Base
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.api.helpers import bearer, token_for

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# Tables a request may legitimately touch whatever it names: its own session, throttles, the audit trail.
EXEMPT = {"audit_events", "web_sessions", "login_failures", "plugin_errors", "portal_sessions"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app):
    for route in app.routes:
        for handler in route.route_handlers:
            for method in handler.http_methods & UNSAFE:
                if handler.opt.get("public"):
                    continue
                yield route.path, method


def rows_of(engine, ids: set[str]) -> str:
    """A digest of every row, in every table, that mentions one of ``ids``."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in EXEMPT:
                continue
            for row in sorted(conn.execute(select(table)).all(), key=repr):
                if any(str(value) in ids for value in row):
                    digest.update(repr(row).encode())
    return digest.hexdigest()


def test_other_clients_ids_in_paths_queries_and_fields_are_refused(web_practice, client, signed_in, record_ids):
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    csrf = signed_in("maya")
    api = bearer(token_for(web_practice, "maya", ("read", "write")))  # the API takes a token, never the cookie
    theirs = record_ids["jordan"]
    before = rows_of(web_practice.engine, set(theirs.values()))
    tried, failures = 0, []
    for path, method in unsafe_routes(app):
        params = PARAM.findall(path)
        if not params:
            continue
        url = PARAM.sub(lambda m: theirs.get(m.group(1), m.group(0)), path)
        if "{" in url:
            continue  # Jordan has no record of that kind; the matrix test flags unknown parameters
        tried += 1
        if path.startswith("/api/"):
            response = client.request(method, url, params=theirs, json=theirs, headers=api)
        else:
            response = client.request(method, url, params=theirs, data={**theirs, "_csrf": csrf},
                                      headers={"X-CSRF-Token": csrf, "HX-Request": "true"}, follow_redirects=False)
        if response.status_code not in (403, 404):
            failures.append(f"{method} {url}: {response.status_code}")
    assert tried > 0
    assert not failures, "\n".join(failures)
    assert rows_of(web_practice.engine, set(theirs.values())) == before


def test_other_clients_ids_smuggled_into_own_requests_change_nothing_of_theirs(web_practice, client, signed_in,
                                                                                record_ids):
    app = create_app(web_practice, WebSettings(insecure_cookies=True))
    csrf = signed_in("maya")
    own, theirs = record_ids["tom"], record_ids["jordan"]
    before = rows_of(web_practice.engine, set(theirs.values()))
    tried = 0
    for path, method in unsafe_routes(app):
        url = PARAM.sub(lambda m: own.get(m.group(1), m.group(0)), path)
        if "{" in url or url in ("/sign-out",):
            continue
        tried += 1
        client.request(method, url, params=theirs, data={**theirs, "_csrf": csrf},
                       headers={"X-CSRF-Token": csrf, "HX-Request": "true"}, follow_redirects=False)
    assert tried > 0
    assert rows_of(web_practice.engine, set(theirs.values())) == before
