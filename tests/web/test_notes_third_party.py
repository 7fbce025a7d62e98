"""A third party's note template (repeating rows) works through the same pages with no change to web/."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core.api import FieldType, FormField, NoteSection, NoteTemplate, SectionTag, hookimpl
from polymodal.core.models import Client, Note, Session, SessionClient
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.practice import Practice
from polymodal.core.settings import Settings
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings

HTMX = {"HX-Request": "true"}


def sign_in(client: TestClient, username: str) -> str:
    from polymodal.core.demo import DEMO_PASSWORD

    token = re.search(r'name="_csrf" value="([^"]+)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD, "_csrf": token})
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)


class ThirdParty:
    @hookimpl
    def polymodal_register_note_templates(self):
        rounds = FormField(key="rounds", label="Round", type=FieldType.repeating, required=True, item_fields=(
            FormField(key="minutes", label="Minutes", type=FieldType.number, min=0, max=60),
            FormField(key="felt", label="Felt")))
        return [NoteTemplate(key="thirdparty/log", name="Round log", modalities=("talk/psychotherapy",),
                             sections=(NoteSection(key="log", title="Log", tag=SectionTag.other, fields=(rounds,)),))]


@pytest.fixture
def tp_client(web_engine, web_clock, tmp_path):
    pm = get_plugin_manager(plugins=[("thirdparty", ThirdParty())])
    practice = Practice(pm, Settings(data_dir=tmp_path), engine=web_engine, clock=web_clock)
    with TestClient(app=create_app(practice, WebSettings(insecure_cookies=True))) as test_client:
        yield test_client


def test_repeating_rows_add_row_validate_and_sign(tp_client, web_engine):
    client = tp_client
    token = sign_in(client, "rivera")
    with web_engine.connect() as conn:
        sid = conn.execute(select(Session.id).join(SessionClient, SessionClient.session_id == Session.id)
                           .join(Client, Client.id == SessionClient.client_id)
                           .where(Client.legal_last_name == "Ellis").order_by(Session.starts_at).limit(1)).scalar_one()
    assert "Round log" in client.get(f"/sessions/{sid}").text
    started = client.post(f"/sessions/{sid}/notes", data={"template_key": "thirdparty/log", "_csrf": token},
                          follow_redirects=False)
    note_id = started.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/notes/{note_id}").text
    assert 'name="c.log.rounds.0.minutes"' in page and 'name="add_row" value="c.log.rounds"' in page
    assert 'name="c.log.rounds.1.minutes"' not in page
    # Without JavaScript: "Add a row" saves and shows the editor with one more row, values kept.
    added = client.post(f"/notes/{note_id}/draft", data={
        "_csrf": token, "revision": "1", "c.log.rounds.0.minutes": "3", "c.log.rounds.0.felt": "calm",
        "add_row": "c.log.rounds"})
    assert added.status_code == 200 and "<html" in added.text
    assert 'name="c.log.rounds.1.minutes"' in added.text and 'value="calm"' in added.text
    with web_engine.connect() as conn:
        row = conn.execute(select(Note.content, Note.revision).where(Note.id == uuid.UUID(note_id))).one()
    assert row.content == {"log": {"rounds": [{"minutes": "3", "felt": "calm"}]}} and row.revision == 2
    # With htmx the editor block comes back.
    fragment = client.post(f"/notes/{note_id}/draft", headers=HTMX, data={
        "_csrf": token, "revision": "2", "c.log.rounds.0.minutes": "3", "c.log.rounds.0.felt": "calm",
        "c.log.rounds.1.minutes": "many", "add_row": "c.log.rounds"})
    assert fragment.text.lstrip().startswith('<div id="note-editor"') and 'name="c.log.rounds.2.felt"' in fragment.text
    # Signing checks every row; the message names the row and the values stay.
    refused = client.post(f"/notes/{note_id}/sign", headers=HTMX, data={
        "_csrf": token, "revision": "3", "c.log.rounds.0.minutes": "3", "c.log.rounds.1.minutes": "many"})
    assert refused.status_code == 422 and "Row 2: minutes: Enter a number." in refused.text
    assert 'value="many"' in refused.text
    revision = int(re.search(r'name="revision" value="(\d+)"', refused.text).group(1))
    done = client.post(f"/notes/{note_id}/sign", data={
        "_csrf": token, "revision": str(revision), "c.log.rounds.0.minutes": "3", "c.log.rounds.1.minutes": "5",
        "c.log.rounds.1.felt": "tingling"}, follow_redirects=False)
    assert done.status_code == 303
    signed = client.get(f"/notes/{note_id}").text
    assert "Log: Round 1" in signed and "Felt: tingling" in signed
