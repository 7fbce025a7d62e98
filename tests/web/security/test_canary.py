"""A canary in a psychotherapy note appears in no other output: pages, export, audit, logs, plugin payloads."""

from __future__ import annotations

import json
import logging
import re
import types
import uuid

from sqlalchemy import select, text

from polymodal.core.access import Actor
from polymodal.core.api import hookimpl
from polymodal.core.models import Client, User
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.services import notes, privacy
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

CANARY = "CANARY-PSYNOTE-9F3A"
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def test_process_note_canary_leaks_nowhere(web_practice, client, signed_in, record_ids, caplog):
    caplog.set_level(logging.DEBUG)
    seen_by_plugins = []
    listener = types.ModuleType("listener")
    listener.polymodal_on_note_signed = hookimpl(lambda event: seen_by_plugins.append(event.model_dump_json()))
    pm = get_plugin_manager(plugins=[("listener", listener)])
    practice = Practice(pm, web_practice.settings, engine=web_practice.engine, clock=web_practice.clock)
    with practice.work(Actor.system("t")) as work:
        jordan = work.db.scalars(select(Client).where(Client.legal_last_name == "Ellis")).one()
        rivera = work.db.scalars(select(User).where(User.username == "rivera")).one()
    with practice.work(Actor.of(rivera)) as work:
        template = next(t for t in work.registry.note_templates if t.psychotherapy_note)
        case_id = uuid.UUID(record_ids["jordan"]["case_id"])
        note = notes.start_note(work, case_id, template.key)
        notes.save_draft(work, note.id, {s.key: CANARY for s in template.sections if not s.fields}, note.revision)
        notes.sign_note(work, note.id)
    assert seen_by_plugins and all(CANARY not in payload for payload in seen_by_plugins)

    app = create_app(practice, WebSettings(insecure_cookies=True))
    with practice.work(Actor.of(rivera)) as work:
        assert CANARY not in json.dumps(privacy.export_record(work, jordan.id))
    leaks = []
    for user in ("frontdesk", "admin", "trainee", "maya"):
        client.cookies.clear()
        signed_in(user)
        for route in app.routes:
            for handler in route.route_handlers:
                if "GET" not in handler.http_methods or handler.opt.get("public"):
                    continue
                url = PARAM.sub(lambda m: record_ids["jordan"].get(m.group(1), m.group(0)), route.path)
                url = url.replace(record_ids["jordan"].get("note_id", "-"), str(note.id))
                if "{" in url:
                    continue
                for headers in ({}, {"HX-Request": "true"}):
                    if CANARY in client.get(url, headers=headers).text:
                        leaks.append(f"{user} {url}")
    assert not leaks
    with practice.engine.connect() as conn:
        audit_text = " ".join(str(row) for row in conn.execute(text("SELECT * FROM audit_events")))
    assert CANARY not in audit_text
    assert CANARY not in caplog.text
