"""The session page: logistics, pre-flight, status steps, structure, notes; who sees what."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from polymodal.core.models import AuditEvent, Session

HTMX = {"HX-Request": "true"}


def status_of(web_practice, session_id: str) -> str:
    with web_practice.engine.connect() as conn:
        return conn.execute(select(Session.status).where(Session.id == uuid.UUID(session_id))).scalar_one()


def test_session_page_full_and_fragment(client, signed_in, session_of):
    sid = session_of("Ellis", "Jordan")
    signed_in("rivera")
    page = client.get(f"/sessions/{sid}")
    assert page.status_code == 200 and "<html" in page.text
    text = page.text
    assert "Psychotherapy" in text and "Jordan Ellis" in text and "Dr. Dana Rivera" in text
    assert "America/Los_Angeles" in text and "in person" in text
    # The modality's structure, as phases with minutes and guidance.
    assert "Check-in and risk check" in text and "Working phase" in text and "Typically 30-35 minutes." in text
    assert "Ready: consent, credentials and screening are in order." in text
    assert 'value="checked_in"' in text and "Cancel this session" in text
    assert "Start a note from a template" in text and "SOAP note" in text and "(private to you)" in text
    fragment = client.get(f"/sessions/{sid}", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section class="card" id="session-status"')


def test_preflight_block_refuses_check_in_and_says_why(client, signed_in, session_of, web_practice):
    sid = session_of("Becker", "Tom")  # bodywork, no consent to touch signed in the demo
    token = signed_in("maya")
    page = client.get(f"/sessions/{sid}").text
    assert "finding block" in page and "Needed before the session" in page and "Consent to touch" in page
    assert "cannot start until every block" in page
    response = client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token},
                           headers=HTMX)
    assert response.status_code == 409 and response.headers["Polymodal-Swap"] == "conflict"
    assert 'id="session-status"' in response.text and "Cannot start" in response.text
    assert status_of(web_practice, sid) == "scheduled"
    plain = client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token})
    assert plain.status_code == 409 and "<html" in plain.text and "Cannot start" in plain.text


def test_check_in_then_complete(client, signed_in, session_of, web_practice):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("rivera")
    response = client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token},
                           headers=HTMX)
    assert response.status_code == 200 and "checked in" in response.text
    assert 'value="completed"' in response.text and "Pre-flight" not in response.text
    assert status_of(web_practice, sid) == "checked_in"
    plain = client.post(f"/sessions/{sid}/status", data={"status": "completed", "_csrf": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/sessions/{sid}"
    assert status_of(web_practice, sid) == "completed"
    page = client.get(f"/sessions/{sid}").text
    assert 'name="status"' not in page  # a final status offers no more steps
    again = client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token}, headers=HTMX)
    assert again.status_code == 409 and "cannot become" in again.text


def test_cancel_needs_a_reason_422_keeps_the_form(client, signed_in, session_of, web_practice):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("frontdesk")
    response = client.post(f"/sessions/{sid}/status", data={"status": "cancelled", "reason": "Client is unwell",
                                                            "_csrf": token}, headers=HTMX)
    assert response.status_code == 422
    assert 'id="f-cancel-reason-error"' in response.text and 'aria-invalid="true"' in response.text
    assert "<details class=\"cancel\" open>" in response.text and "Client is unwell</textarea>" in response.text
    assert status_of(web_practice, sid) == "scheduled"
    done = client.post(f"/sessions/{sid}/status", data={"status": "cancelled", "cancel_reason": "illness",
                                                        "reason": "Client is unwell", "_csrf": token}, headers=HTMX)
    assert done.status_code == 200 and "Illness: Client is unwell" in done.text
    assert status_of(web_practice, sid) == "cancelled"


def test_unknown_status_is_422(client, signed_in, session_of):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("rivera")
    response = client.post(f"/sessions/{sid}/status", data={"status": "teleported", "_csrf": token}, headers=HTMX)
    assert response.status_code == 422


def test_front_desk_sees_logistics_never_notes(client, signed_in, session_of, web_practice):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("rivera")
    client.post(f"/sessions/{sid}/notes", data={"template_key": "talk/soap", "_csrf": token})
    signed_in("frontdesk")
    page = client.get(f"/sessions/{sid}").text
    assert "Jordan Ellis" in page and "Pre-flight" in page and 'value="checked_in"' in page
    assert "session-notes" not in page and "SOAP note" not in page and "/notes/" not in page
    assert client.post(f"/sessions/{sid}/notes", data={"template_key": "talk/soap",
                                                       "_csrf": token}).status_code == 403


def test_practitioner_outside_the_team_gets_404(client, signed_in, session_of):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("maya")
    assert client.get(f"/sessions/{sid}").status_code == 404
    assert client.get(f"/sessions/{sid}", headers=HTMX).status_code == 404
    assert client.post(f"/sessions/{sid}/status", data={"status": "checked_in", "_csrf": token}).status_code == 404
    assert client.get("/sessions/00000000-0000-4000-8000-000000000000").status_code == 404


def test_admin_sees_logistics_but_cannot_change_status(client, signed_in, session_of):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("admin")
    page = client.get(f"/sessions/{sid}").text
    assert "Jordan Ellis" in page and 'name="status"' not in page and "session-notes" not in page
    assert client.post(f"/sessions/{sid}/status", data={"status": "no_show", "_csrf": token}).status_code == 403


def test_viewing_a_session_is_audited(client, signed_in, session_of, web_practice):
    sid = session_of("Ellis", "Jordan")
    signed_in("frontdesk")
    client.get(f"/sessions/{sid}")
    with web_practice.engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action).where(AuditEvent.record_id == str(uuid.UUID(sid)))).scalars().all()
    assert "session.read" in actions


def test_start_note_from_the_session(client, signed_in, session_of):
    sid = session_of("Ellis", "Jordan")
    token = signed_in("rivera")
    response = client.post(f"/sessions/{sid}/notes", data={"template_key": "talk/dap", "_csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303 and re.fullmatch(r"/notes/[0-9a-f-]{36}", response.headers["location"])
    bad = client.post(f"/sessions/{sid}/notes", data={"template_key": "bodywork/soap", "_csrf": token})
    assert bad.status_code == 422 and "not for the session" in bad.text
    fragment = client.post(f"/sessions/{sid}/notes", data={"template_key": "nope/x", "_csrf": token}, headers=HTMX)
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith('<section class="card" id="session-notes"')
    page = client.get(f"/sessions/{sid}").text
    assert "DAP note" in page and "draft" in page


def test_dashboard_and_client_tab_link_to_the_session(client, signed_in, session_of, client_id):
    sid = session_of("Ellis", "Jordan")
    signed_in("rivera")
    assert f'href="/sessions/{sid}"' in client.get("/").text
    assert f'href="/sessions/{sid}"' in client.get(f"/clients/{client_id('Ellis', 'Jordan')}/sessions").text
