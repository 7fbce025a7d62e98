"""/admin/retention: the admin reviews records due for destruction, holds them, and destroys them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.models import AuditEvent, ConsentRecord
from polymodal.core.retention.models import Destruction
from tests.clocks import FIXED_NOW
from tests.web.conftest import HTMX

LATER = dt.timedelta(days=365 * 30)  # every demo record, the teenager's too, is past its California period


@pytest.fixture
def later(web_clock):
    web_clock.now = FIXED_NOW + LATER


def destroy_form(csrf, *clients, reason="Retention period ended; reviewed by the admin", confirm="destroy"):
    return {"_csrf": csrf, "client": list(clients), "reason": reason, "confirm": confirm}


def test_nothing_is_due_today_and_everything_thirty_years_on(client, signed_in, web_clock):
    signed_in("admin")
    today = client.get("/admin/retention")
    assert today.status_code == 200 and "No record is due for destruction today" in today.text
    assert "California" in today.text and "Bus. &amp; Prof. Code section 2919" in today.text
    web_clock.now = FIXED_NOW + LATER
    signed_in("admin")
    page = client.get("/admin/retention")
    assert "Jordan Ellis" in page.text and "Sofia Alvarez" in page.text
    assert 'name="client"' in page.text and "Type <strong>destroy</strong>" in page.text


def test_only_admins_review_hold_or_destroy(client, signed_in, client_id, later):
    jordan = client_id("Ellis", "Jordan")
    for user in ("frontdesk", "rivera", "billing"):
        client.cookies.clear()
        csrf = signed_in(user)
        assert client.get("/admin/retention").status_code == 403
        assert client.get(f"/admin/retention/hold?client={jordan}").status_code == 403
        assert client.post("/admin/retention/destroy", data=destroy_form(csrf, jordan)).status_code == 403


def test_a_hold_keeps_a_record_off_the_list_until_it_is_lifted(client, signed_in, client_id, web_practice, later):
    jordan = client_id("Ellis", "Jordan")
    csrf = signed_in("admin")
    form = client.get(f"/admin/retention/hold?client={jordan}")
    assert form.status_code == 200 and "The whole record" in form.text
    missing = client.post("/admin/retention/hold", data={"_csrf": csrf, "client": jordan, "target": "client",
                                                         "reason": "court"})
    assert missing.status_code == 422 and "at least 10 characters" in missing.text and ">court</textarea>" in missing.text
    placed = client.post("/admin/retention/hold", data={"_csrf": csrf, "client": jordan, "target": "client",
                                                        "reason": "Subpoena 24-CV-118 from county court"},
                         follow_redirects=False)
    assert placed.status_code == 303
    page = client.get("/admin/retention")
    assert f'value="{jordan}"' not in page.text  # not selectable for destruction
    assert "Held, otherwise due" in page.text and "Subpoena 24-CV-118 from county court" in page.text
    refused = client.post("/admin/retention/destroy", data=destroy_form(csrf, jordan))
    assert refused.status_code == 422 and "Not due for destruction" in refused.text
    hold = _hold_id(page.text)
    no_reason = client.post("/admin/retention/lift", data={"_csrf": csrf, "hold": hold, "lift_reason": ""},
                            headers=HTMX)
    assert no_reason.status_code == 422 and 'id="holds"' in no_reason.text and "<html" not in no_reason.text
    lifted = client.post("/admin/retention/lift", data={"_csrf": csrf, "hold": hold,
                                                        "lift_reason": "Matter closed; counsel confirmed by letter"},
                         follow_redirects=False)
    assert lifted.status_code == 303
    assert f'value="{jordan}"' in client.get("/admin/retention").text
    with web_practice.engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action).where(AuditEvent.action.like("legal_hold.%"))
                               .order_by(AuditEvent.seq)).scalars().all()
    assert actions == ["legal_hold.place", "legal_hold.lift"]


def _hold_id(html: str) -> str:
    marker = 'name="hold" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"reason": ""}, "reason", "at least 10 characters"),
    ({"reason": "<script>alert(1)</script> court order ended"}, "reason", "plain text"),
    ({"confirm": "yes"}, "confirm", "Type the word destroy"),
])
def test_destroying_with_wrong_input_is_refused_and_keeps_what_was_entered(client, signed_in, client_id,
                                                                          web_practice, later, change, field,
                                                                          message):
    jordan = client_id("Ellis", "Jordan")
    csrf = signed_in("admin")
    response = client.post("/admin/retention/destroy", data={**destroy_form(csrf, jordan), **change}, headers=HTMX)
    assert response.status_code == 422 and message in response.text and f'href="#f-{field}"' in response.text
    assert "<script>alert" not in response.text  # shown escaped, never run
    assert f'value="{jordan}"\n' in response.text or f'value="{jordan}" id=' in response.text
    assert "checked" in response.text  # the selection is kept
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Destruction)).scalar() == 0


def test_a_record_not_due_cannot_be_destroyed(client, signed_in, client_id, web_practice):
    jordan = client_id("Ellis", "Jordan")
    csrf = signed_in("admin")
    response = client.post("/admin/retention/destroy", data=destroy_form(csrf, jordan))
    assert response.status_code == 422 and "Not due for destruction today" in response.text and "Ellis" in response.text
    nothing = client.post("/admin/retention/destroy", data=destroy_form(csrf))
    assert nothing.status_code == 422 and "Select at least one record" in nothing.text


def test_destroying_removes_the_consents_and_leaves_a_tombstone_on_the_page(client, signed_in, client_id,
                                                                         web_practice, later):
    jordan = client_id("Ellis", "Jordan")
    consents_of_jordan = select(func.count()).select_from(ConsentRecord).where(
        ConsentRecord.client_id == uuid.UUID(jordan))
    with web_practice.engine.connect() as conn:
        assert conn.execute(consents_of_jordan).scalar() > 0
    csrf = signed_in("admin")
    done = client.post("/admin/retention/destroy", data=destroy_form(csrf, jordan), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/retention?destroyed=1"
    page = client.get("/admin/retention?destroyed=1")
    assert "1 record destroyed" in page.text and "Destroyed records" in page.text
    assert "Retention period ended; reviewed by the admin" in page.text and "US-CA" in page.text
    assert f'value="{jordan}"' not in page.text
    with web_practice.engine.connect() as conn:
        assert conn.execute(consents_of_jordan).scalar() == 0
    with web_practice.work(Actor.system("test"), write=False) as work:
        assert audit.verify(work.db).ok


def test_the_due_list_costs_the_same_queries_for_8_or_70_records(client, signed_in, add_clients, queries,
                                                                 web_clock):
    web_clock.now = FIXED_NOW + LATER
    signed_in("admin")
    client.get("/admin/retention")  # warm up the session's last-seen write
    few = queries.of_page(client, "/admin/retention")
    assert few <= 12, queries.statements
    web_clock.now = FIXED_NOW
    add_clients(62, "Older")
    web_clock.now = FIXED_NOW + LATER
    page = client.get("/admin/retention")
    assert page.text.count('name="client"') >= 70
    many = queries.of_page(client, "/admin/retention")
    assert many == few, queries.statements
