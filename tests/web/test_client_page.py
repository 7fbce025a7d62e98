"""The client page and its tabs: full page, fragment, and who may see which tab."""

from __future__ import annotations

import uuid

import pytest

HTMX = {"HX-Request": "true"}
TABS = ["", "/cases", "/sessions", "/intake", "/consents", "/notes", "/assessments"]
CLINICAL = ["/intake", "/notes", "/assessments"]


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_full_page_and_fragment(client, signed_in, client_id, tab):
    cid = client_id("Ellis", "Jordan")
    signed_in("rivera")
    page = client.get(f"/clients/{cid}{tab}")
    assert page.status_code == 200, page.text
    assert "<html" in page.text and "<h1>Jordan Ellis</h1>" in page.text and 'id="client-tab"' in page.text
    fragment = client.get(f"/clients/{cid}{tab}", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="client-tab"') and "<html" not in fragment.text
    assert "<h1>" not in fragment.text
    # Each tab link works without JavaScript and with htmx.
    assert f'href="/clients/{cid}/cases" hx-get="/clients/{cid}/cases"' in fragment.text
    assert 'hx-push-url="true"' in fragment.text


def test_overview_shows_care_team_and_guardians(client, signed_in, client_id):
    cid = client_id("Alvarez", "Sofia")
    signed_in("frontdesk")
    page = client.get(f"/clients/{cid}").text
    assert "Lucia Alvarez" in page and "Sam Okafor (associate)" in page and "minor" in page


def test_cases_and_sessions_tabs_list_the_clients_records(client, signed_in, client_id):
    cid = client_id("Natarajan", "Priya")
    signed_in("frontdesk")
    assert "Natarajan couple" in client.get(f"/clients/{cid}/cases").text
    assert client.get(f"/clients/{cid}/sessions").text.count("<tr>") >= 4


def test_front_desk_sees_no_clinical_tabs(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    signed_in("frontdesk")
    page = client.get(f"/clients/{cid}").text
    for tab in CLINICAL:
        assert f'href="/clients/{cid}{tab}"' not in page
        assert client.get(f"/clients/{cid}{tab}").status_code == 403
        assert client.get(f"/clients/{cid}{tab}", headers=HTMX).status_code == 403
    assert f'href="/clients/{cid}/consents"' in page


def test_practitioner_gets_404_for_a_client_outside_their_care_team(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    signed_in("maya")
    for tab in TABS:
        response = client.get(f"/clients/{cid}{tab}")
        assert response.status_code == 404, tab
        assert "Jordan" not in response.text and "Ellis" not in response.text


def test_unknown_and_malformed_ids(client, signed_in):
    signed_in("frontdesk")
    assert client.get(f"/clients/{uuid.uuid4()}").status_code == 404
    assert client.get("/clients/123").status_code in (400, 404)


def test_page_views_are_audited_per_client(client, signed_in, client_id, web_practice):
    from sqlalchemy import select

    from polymodal.core.models import AuditEvent

    cid = client_id("Ellis", "Jordan")
    signed_in("rivera")
    client.get(f"/clients/{cid}/assessments")
    with web_practice.engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action).where(AuditEvent.client_id == uuid.UUID(cid))
                               .order_by(AuditEvent.seq.desc()).limit(2)).scalars().all()
    assert set(actions) == {"client.view", "assessment.list"}


def test_admin_sees_clinical_tabs_only_during_break_the_glass(client, signed_in, client_id, web_practice):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from polymodal.core.access import Actor
    from polymodal.core.demo import DEMO_PASSWORD
    from polymodal.core.models import User
    from polymodal.core.services import privacy

    cid = client_id("Ellis", "Jordan")
    signed_in("admin")
    page = client.get(f"/clients/{cid}").text
    assert f'href="/clients/{cid}/notes"' not in page
    assert client.get(f"/clients/{cid}/notes").status_code == 404
    with Session(web_practice.engine) as db:
        admin = Actor.of(db.scalars(select(User).where(User.username == "admin")).one())
    with web_practice.work(admin) as work:
        privacy.break_glass(work, uuid.UUID(cid), "Client in crisis, on-call clinician unreachable", DEMO_PASSWORD)
    page = client.get(f"/clients/{cid}").text
    assert f'href="/clients/{cid}/notes"' in page
    assert client.get(f"/clients/{cid}/assessments").status_code == 200


def test_a_page_whose_audit_event_cannot_be_written_is_not_shown(client, signed_in, client_id, web_practice):
    """No record leaves the server unaccounted for: if the read cannot be logged, the reader gets an error page."""
    from sqlalchemy.exc import OperationalError

    cid = client_id("Ellis", "Jordan")
    signed_in("rivera")
    assert "Jordan Ellis" in client.get(f"/clients/{cid}").text

    def broken():
        raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))

    web_practice._read_audit_log._begin_write = broken
    for path in (f"/clients/{cid}", f"/clients/{cid}/notes", "/clients?q=ellis"):
        page = client.get(path)
        assert page.status_code == 500, path
        assert "Ellis" not in page.text and "Jordan" not in page.text
