"""Notes in the browser's terms: start, autosave, conflicts, sign (422), locked, addenda, privacy, co-signing."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select, update

from polymodal.core.models import Note, NoteAddendum, Session
from tests.tampering import without_triggers

HTMX = {"HX-Request": "true"}


def stored(web_practice, note_id: str) -> Note:
    with web_practice.engine.connect() as conn:
        return conn.execute(select(Note.__table__).where(Note.id == uuid.UUID(note_id))).one()


def revision_in(html: str) -> int:
    return int(re.search(r'name="revision" value="(\d+)"', html).group(1))


def test_note_page_full_and_fragment_with_autosave_wiring(client, signed_in, start):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    page = client.get(f"/notes/{note_id}")
    assert page.status_code == 200 and "<html" in page.text and "<h1>SOAP note</h1>" in page.text
    assert 'hx-trigger="input changed delay:1s' in page.text and f'hx-post="/notes/{note_id}/draft"' in page.text
    assert 'hx-target="#note-save-status"' in page.text and revision_in(page.text) == 1
    for section in ("Subjective", "Objective", "Assessment", "Plan"):
        assert f"<legend>{section}</legend>" in page.text
    assert 'name="c.subjective"' in page.text
    fragment = client.get(f"/notes/{note_id}", headers=HTMX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="note-main"')
    assert "<html" not in fragment.text


def test_autosave_returns_the_status_with_the_new_revision(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    response = client.post(f"/notes/{note_id}/draft", headers=HTMX, data={
        "_csrf": token, "revision": "1", "c.subjective": "Slept 6 hours most nights."})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="note-save-status"')
    assert re.search(r"Draft saved at \d\d:\d\d", response.text) and revision_in(response.text) == 2
    row = stored(web_practice, note_id)
    assert row.revision == 2 and row.content["subjective"] == "Slept 6 hours most nights."
    # Without JavaScript, "Save draft" saves and comes back to the note.
    plain = client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "2", "c.plan": "Weekly."},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/notes/{note_id}"
    assert stored(web_practice, note_id).content["plan"] == "Weekly."


def test_two_editors_on_one_draft_get_a_conflict_panel_with_both_versions(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    # Tab A saves first; tab B still holds revision 1.
    client.post(f"/notes/{note_id}/draft", headers=HTMX,
                data={"_csrf": token, "revision": "1", "c.subjective": "Version from tab A"})
    response = client.post(f"/notes/{note_id}/draft", headers=HTMX,
                           data={"_csrf": token, "revision": "1", "c.subjective": "Version from tab B"})
    assert response.status_code == 409
    assert response.headers["Polymodal-Swap"] == "conflict" and response.headers["HX-Retarget"] == "#note-conflict"
    panel = response.text
    assert panel.lstrip().startswith('<div id="note-conflict"')
    assert "Version from tab A" in panel and "Version from tab B" in panel
    assert "Saved version (revision 2)" in panel and "Keep my version" in panel and "Keep the saved version" in panel
    assert stored(web_practice, note_id).content["subjective"] == "Version from tab A"  # nothing overwritten
    # Without JavaScript: the whole page, the panel, and the form still holding what B typed.
    plain = client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "1",
                                                         "c.subjective": "Version from tab B"})
    assert plain.status_code == 409 and "<html" in plain.text
    assert ">Version from tab B</textarea>" in plain.text and "Version from tab A" in plain.text
    # Keep mine: saved over the version now seen.
    mine = re.search(r'name="content" value="([^"]+)"', panel).group(1).replace("&#34;", '"').replace("&quot;", '"')
    kept = client.post(f"/notes/{note_id}/resolve", data={"_csrf": token, "revision": "2", "content": mine},
                       follow_redirects=False)
    assert kept.status_code == 303
    assert stored(web_practice, note_id).content["subjective"] == "Version from tab B"
    # A resolve that is itself stale is refused the same way.
    again = client.post(f"/notes/{note_id}/resolve", data={"_csrf": token, "revision": "2",
                                                           "content": json.dumps({"subjective": "x"})})
    assert again.status_code == 409 and stored(web_practice, note_id).content["subjective"] == "Version from tab B"


def test_sign_with_errors_is_422_beside_the_sections_values_kept(client, signed_in, start, web_practice,
                                                                 touch_consent):
    touch_consent("Becker", "Tom", low_back="consented", gluteal="declined")
    token = signed_in("maya")
    note_id = start(token, "Becker", "Tom", "bodywork/soap")
    page = client.get(f"/notes/{note_id}").text
    # Field types from the template: scale as radios, multi choice as checkboxes, body map regions.
    assert 'type="radio" name="c.subjective.pain" value="10"' in page
    assert 'type="checkbox" name="c.objective.positions" value="prone"' in page
    assert 'name="c.objective.body_map.shoulder"' in page and "Inner thigh" in page and "sensitive" in page
    data = {"_csrf": token, "revision": "1", "c.subjective.pain": "4", "c.objective.positions": ["prone", "supine"],
            "c.objective.body_map.low_back": "on", "c.objective.body_map.low_back.technique": "Effleurage",
            "c.plan.next": "Two weeks"}
    response = client.post(f"/notes/{note_id}/sign", headers=HTMX, data=data)
    assert response.status_code == 422
    html = response.text
    assert html.lstrip().startswith('<div id="note-editor"')
    assert "cannot be signed yet" in html
    assert 'id="f-c-subjective-complaint-error"' in html and "This field is required." in html
    assert 'id="f-c-subjective-medication_changes-error"' in html
    assert "Low back: consent: This field is required." in html
    # Everything entered is still there.
    assert 'name="c.subjective.pain" value="4" checked' in html
    assert 'value="prone" checked' in html and 'value="supine" checked' in html
    assert 'value="Effleurage"' in html and 'value="Two weeks"' in html
    row = stored(web_practice, note_id)
    assert row.status == "draft" and row.content["objective"]["body_map"]["low_back"]["technique"] == "Effleurage"
    # The saved draft took a revision; the editor carries it.
    assert revision_in(html) == row.revision == 2
    data.update({"revision": "2", "c.subjective.complaint": "Low back ache", "c.subjective.medication_changes":
                 "no change", "c.objective.body_map.low_back.consent": "consented"})
    done = client.post(f"/notes/{note_id}/sign", headers=HTMX, data=data)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == f"/notes/{note_id}"
    signed = client.get(f"/notes/{note_id}").text
    assert "Low back ache" in signed and "Regions treated: Low back" in signed and "Effleurage" in signed
    assert "<form" not in signed.split('id="note-addenda"')[0].split("<main")[1]  # no editor on a signed note


def test_repeating_rows_add_without_losing_anything(client, signed_in, start, web_practice):
    """No first-party note template has a repeating field; the shared macro is checked through a bodywork
    body map here and through the macro directly for repeating rows."""
    from jinja2 import Environment, FileSystemLoader

    from polymodal.core.contributions import FieldType, FormField
    from polymodal.web.app import HERE
    from polymodal.web.fields import parse_field

    rounds = FormField(key="rounds", label="Round", type=FieldType.repeating, item_fields=(
        FormField(key="minutes", label="Minutes", type=FieldType.number),
        FormField(key="felt", label="Felt")))
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    macro = env.get_template("_macros/fields.html").module.field
    html = str(macro(rounds, "c.log.rounds", [{"minutes": "3", "felt": "calm"}], "",
                     {"add_row_url": "/x", "extra_rows": {"c.log.rounds"}}))
    assert 'name="c.log.rounds.0.minutes"' in html and 'value="calm"' in html
    assert 'name="c.log.rounds.1.felt"' in html and 'name="add_row" value="c.log.rounds"' in html
    posted = {"c.log.rounds.0.minutes": "3", "c.log.rounds.0.felt": "calm", "c.log.rounds.1.felt": "tingling"}
    assert parse_field(rounds, "c.log.rounds", posted) == [{"minutes": "3", "felt": "calm"},
                                                          {"minutes": "", "felt": "tingling"}]


def test_a_signed_note_cannot_change_through_any_page_or_fragment(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    client.post(f"/notes/{note_id}/sign", data={"_csrf": token, "revision": "1", "c.subjective": "Original"})
    before = stored(web_practice, note_id)
    assert before.status == "signed"
    attempts = [
        (f"/notes/{note_id}/draft", {"revision": str(before.revision), "c.subjective": "Rewritten"}, HTMX),
        (f"/notes/{note_id}/draft", {"revision": str(before.revision), "c.subjective": "Rewritten"}, {}),
        (f"/notes/{note_id}/sign", {"revision": str(before.revision), "c.subjective": "Rewritten"}, HTMX),
        (f"/notes/{note_id}/sign", {"revision": str(before.revision), "c.subjective": "Rewritten"}, {}),
        (f"/notes/{note_id}/resolve", {"revision": str(before.revision),
                                       "content": json.dumps({"subjective": "Rewritten"})}, {}),
    ]
    for url, data, headers in attempts:
        response = client.post(url, data={"_csrf": token, **data}, headers=headers)
        assert response.status_code == 409, (url, headers, response.status_code)
        assert "signed and locked" in response.text and "Rewritten" not in response.text
    after = stored(web_practice, note_id)
    assert (after.content, after.content_hash, after.revision, after.status) == (
        before.content, before.content_hash, before.revision, before.status)


def test_a_note_altered_in_the_database_shows_a_warning_on_its_page(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    client.post(f"/notes/{note_id}/sign", data={"_csrf": token, "revision": "1", "c.subjective": "Slept well."})
    assert "note-seal-warning" not in client.get(f"/notes/{note_id}").text
    table = Note.__table__
    with without_triggers(web_practice.engine, "notes") as conn:
        conn.execute(update(table).where(table.c.id == uuid.UUID(note_id))
                     .values(content={"subjective": "Reports no sleep problems at all."}))
    page = client.get(f"/notes/{note_id}")
    assert page.status_code == 200 and 'id="note-seal-warning" role="alert"' in page.text
    assert "This note may not be what was signed" in page.text and "changed after it was signed" in page.text


def test_addendum_422_then_added_and_the_note_unchanged(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/dap")
    client.post(f"/notes/{note_id}/sign", data={"_csrf": token, "revision": "1", "c.data": "Said X."})
    empty = client.post(f"/notes/{note_id}/addenda", data={"_csrf": token, "text": "   "}, headers=HTMX)
    assert empty.status_code == 422 and empty.text.lstrip().startswith('<section class="card" id="note-addenda"')
    assert 'id="f-addendum-error"' in empty.text
    added = client.post(f"/notes/{note_id}/addenda", data={"_csrf": token, "text": "Correction: said Y."},
                        headers=HTMX)
    assert added.status_code == 200 and "Correction: said Y." in added.text and "Dr. Dana Rivera" in added.text
    assert stored(web_practice, note_id).content["data"] == "Said X."
    plain = client.post(f"/notes/{note_id}/addenda", data={"_csrf": token, "text": "Second."},
                        follow_redirects=False)
    assert plain.status_code == 303
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(NoteAddendum.text).where(NoteAddendum.note_id == uuid.UUID(note_id))
                            .order_by(NoteAddendum.created_at)).scalars().all() == ["Correction: said Y.", "Second."]


def test_process_note_is_invisible_to_every_other_user(client, signed_in, start, client_id):
    token = signed_in("trainee")
    shared = start(token, "Alvarez", "Sofia", "talk/dap")
    private = start(token, "Alvarez", "Sofia", "talk/process-note")
    client.post(f"/notes/{private}/sign", data={"_csrf": token, "revision": "1", "c.process": "My countertransference"})
    client.post(f"/notes/{shared}/sign", data={"_csrf": token, "revision": "1", "c.data": "Shared content"})
    own = client.get(f"/notes/{private}").text
    assert "Private psychotherapy process note." in own and "My countertransference" in own
    cid = client_id("Alvarez", "Sofia")
    assert "private process note" in client.get(f"/clients/{cid}/notes").text
    for user in ("rivera", "maya", "leo", "ari"):
        token = signed_in(user)
        for headers in ({}, HTMX):
            response = client.get(f"/notes/{private}", headers=headers)
            assert response.status_code == 404, user
            assert "countertransference" not in response.text
        assert client.post(f"/notes/{private}/addenda", data={"_csrf": token, "text": "x"}).status_code == 404
        assert client.post(f"/notes/{private}/cosign", data={"_csrf": token}).status_code in (403, 404)
    # The supervisor reads the shared note, and sees neither the process note nor a trace of it.
    signed_in("rivera")
    assert "Shared content" in client.get(f"/notes/{shared}").text
    tab = client.get(f"/clients/{cid}/notes").text
    assert f"/notes/{shared}" in tab and f"/notes/{private}" not in tab and "process" not in tab.lower()
    assert f"/notes/{private}" not in client.get("/notes/cosign").text
    signed_in("admin")  # clinical access only through break-the-glass, which would not reach it either
    assert client.get(f"/notes/{private}").status_code == 404
    signed_in("frontdesk")  # no clinical role at all: refused before any record is looked up, for every id
    assert client.get(f"/notes/{private}").status_code == 403


def test_a_colleagues_draft_is_read_only(client, signed_in, start):
    token = signed_in("trainee")
    note_id = start(token, "Alvarez", "Sofia", "talk/dap")
    client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "1", "c.data": "Work in progress"})
    token = signed_in("rivera")
    page = client.get(f"/notes/{note_id}").text
    assert "Draft by Sam Okafor (associate)" in page and "Work in progress" in page and 'id="note-form"' not in page
    response = client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "2", "c.data": "Edited"})
    assert response.status_code == 404


def test_cosign_queue_page_fragment_and_cosigning(client, signed_in, start, web_practice):
    token = signed_in("trainee")
    note_id = start(token, "Alvarez", "Sofia", "talk/dap")
    client.post(f"/notes/{note_id}/sign", data={"_csrf": token, "revision": "1", "c.data": "Session content"})
    assert client.get("/notes/cosign").status_code == 403  # trainees do not co-sign
    token = signed_in("rivera")
    page = client.get("/notes/cosign")
    assert page.status_code == 200 and "<html" in page.text and f'href="/notes/{note_id}"' in page.text
    assert "Sofia: school stress" in page.text and "Sam Okafor (associate)" in page.text
    fragment = client.get("/notes/cosign", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="cosign-rows"') and "<html" not in fragment.text
    note_page = client.get(f"/notes/{note_id}").text
    assert "awaiting co-signature" in note_page and "Co-sign this note" in note_page
    assert "Co-signatures waiting" in client.get("/").text and f"/notes/{note_id}" in client.get("/").text
    done = client.post(f"/notes/{note_id}/cosign", data={"_csrf": token, "back": "queue"}, headers=HTMX)
    assert done.status_code == 200 and "Co-signed." in done.text and f"/notes/{note_id}" not in done.text
    assert re.search(r"co-signed by Dr\. Dana Rivera at \d\d \w{3} \d{4} \d\d:\d\d", client.get(f"/notes/{note_id}").text)
    again = client.post(f"/notes/{note_id}/cosign", data={"_csrf": token})
    assert again.status_code == 409 and "already co-signed" in again.text
    twice = client.post(f"/notes/{note_id}/cosign", data={"_csrf": token, "back": "queue"}, headers=HTMX)
    assert twice.status_code == 409 and twice.headers["Polymodal-Swap"] == "conflict"
    assert twice.text.lstrip().startswith('<div id="cosign-rows"') and "already co-signed" in twice.text


def test_dashboard_panel_lists_your_drafts(client, signed_in, start):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/girp")
    page = client.get("/").text
    assert "Notes waiting for your signature" in page and f'href="/notes/{note_id}"' in page and "GIRP note" in page
    assert "Notes waiting for your signature" in client.get("/notes").text
    assert client.get("/notes", headers=HTMX).text.lstrip().startswith('<div id="notes-panel"')
    signed_in("frontdesk")
    assert "Notes waiting for your signature" not in client.get("/").text


def test_note_rendered_after_its_template_is_gone(client, signed_in, start, web_practice):
    token = signed_in("trainee")
    note_id = start(token, "Alvarez", "Sofia", "talk/dap")
    client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "1", "c.data": "Kept forever"})
    with web_practice.engine.begin() as conn:  # as if the plugin that defined it had been removed
        conn.execute(Note.__table__.update().where(Note.id == uuid.UUID(note_id)).values(template_key="gone/dap"))
    signed_in("rivera")
    page = client.get(f"/notes/{note_id}").text
    assert "is not installed" in page and "Kept forever" in page
    token = signed_in("trainee")
    own = client.get(f"/notes/{note_id}").text
    assert "Kept forever" in own and 'id="note-form"' not in own  # shown, but no form it cannot map
    refused = client.post(f"/notes/{note_id}/draft", data={"_csrf": token, "revision": "2", "c.data": "x"})
    assert refused.status_code == 409 and "no longer installed" in refused.text


@pytest.fixture
def trainee_notes(web_practice, session_of):
    """Write ``count`` signed notes for Sofia's first session as the trainee, through the services."""
    from polymodal.core.access import Actor
    from polymodal.core.models import User
    from polymodal.core.services import notes

    with web_practice.engine.connect() as conn:
        user = conn.execute(select(User.__table__).where(User.username == "trainee")).one()
    actor = Actor(user_id=user.id, username="trainee", roles=frozenset(user.roles),
                  disciplines=frozenset(user.disciplines))
    sid = uuid.UUID(session_of("Alvarez", "Sofia"))

    def write(count: int) -> None:
        with web_practice.work(actor) as work:
            session = work.db.get(Session, sid)
            for i in range(count):
                note = notes.start_note(work, session.case_id, "talk/dap", session_id=sid)
                notes.save_draft(work, note.id, {"data": f"note {i}"}, note.revision)
                notes.sign_note(work, note.id)

    return write


def test_query_counts_do_not_grow_with_notes(client, signed_in, trainee_notes, queries, client_id, session_of):
    cid = client_id("Alvarez", "Sofia")
    sid = session_of("Alvarez", "Sofia")
    trainee_notes(1)
    signed_in("rivera")
    client.get("/")  # warm up: the session's last-seen write happens at most once a minute
    urls = ["/notes/cosign", f"/clients/{cid}/notes", f"/sessions/{sid}", "/", "/notes"]
    few = {url: queries.of_page(client, url) for url in urls}
    trainee_notes(12)
    many = {url: queries.of_page(client, url) for url in urls}
    assert few == many, (few, many)
    assert many["/notes/cosign"] <= 6 and many[f"/clients/{cid}/notes"] <= 21, many
    assert many[f"/sessions/{sid}"] <= 30 and many["/"] <= 20, many


def test_an_oversized_autosave_is_422_in_the_editor_not_the_status_line(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    response = client.post(f"/notes/{note_id}/draft", headers=HTMX, data={
        "_csrf": token, "revision": "1", "c.subjective": "x" * 59_000, "c.objective": "y" * 59_000,
        "c.assessment": "z" * 59_000, "c.plan": "w" * 59_000})
    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#note-editor"
    assert response.text.lstrip().startswith('<div id="note-editor"') and "at most 200,000 characters" in response.text
    assert "x" * 1000 in response.text  # what was typed is still in the form
    assert stored(web_practice, note_id).revision == 1


def test_resolve_with_unreadable_content_changes_nothing(client, signed_in, start, web_practice):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    response = client.post(f"/notes/{note_id}/resolve", data={"_csrf": token, "revision": "1", "content": "[1, 2"})
    assert response.status_code == 400 and stored(web_practice, note_id).revision == 1


def test_a_note_of_another_care_team_is_404_and_the_desk_is_refused(client, signed_in, start):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    client.post(f"/notes/{note_id}/sign", data={"_csrf": token, "revision": "1", "c.subjective": "Confidential"})
    for user in ("maya", "leo", "ari", "trainee"):
        token = signed_in(user)
        for headers in ({}, HTMX):
            response = client.get(f"/notes/{note_id}", headers=headers)
            assert response.status_code == 404 and "Confidential" not in response.text, user
        assert client.post(f"/notes/{note_id}/addenda", data={"_csrf": token, "text": "x"}).status_code == 404
    token = signed_in("frontdesk")
    for url in (f"/notes/{note_id}", "/notes", "/notes/cosign"):
        assert client.get(url).status_code == 403
    assert client.post(f"/notes/{note_id}/addenda", data={"_csrf": token, "text": "x"}).status_code == 403


def test_client_notes_tab_lists_readable_notes_with_links(client, signed_in, start, client_id, session_of):
    token = signed_in("rivera")
    note_id = start(token, "Ellis", "Jordan", "talk/birp")
    cid = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{cid}/notes")
    assert page.status_code == 200 and "BIRP note" in page.text and f'href="/notes/{note_id}"' in page.text
    assert f'href="/sessions/{session_of("Ellis", "Jordan")}"' in page.text
    fragment = client.get(f"/clients/{cid}/notes", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="client-tab"') and f"/notes/{note_id}" in fragment.text


def test_a_couple_session_and_its_note_reach_both_partners_records(client, signed_in, start, session_of, client_id):
    token = signed_in("rivera")
    sid = session_of("Natarajan", "Priya")
    page = client.get(f"/sessions/{sid}").text
    assert "Clients" in page and "Priya Natarajan" in page and "Marcus Natarajan" in page
    assert "Couple" in page
    note_id = start(token, "Natarajan", "Priya", "talk/dap")
    for first in ("Priya", "Marcus"):
        assert f"/notes/{note_id}" in client.get(f"/clients/{client_id('Natarajan', first)}/notes").text
