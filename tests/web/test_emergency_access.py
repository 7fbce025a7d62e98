"""Break the glass from the browser: justified, re-authenticated, time-boxed, audited, reviewed."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from polymodal.core.models import AuditEvent

HTMX = {"HX-Request": "true"}


def test_admin_breaks_the_glass_for_one_client_and_a_supervisor_reviews_it(client, signed_in, client_id,
                                                                           web_practice, web_clock, csrf_of):
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    csrf = signed_in("admin")
    assert client.get(f"/clients/{jordan}/notes").status_code in (403, 404)
    page = client.get(f"/clients/{jordan}/break-glass")
    assert page.status_code == 200 and "Emergency access to Jordan Ellis" in page.text
    fragment = client.get(f"/clients/{jordan}/break-glass", headers=HTMX)
    assert fragment.text.lstrip().startswith("<form") and "<html" not in fragment.text

    short = client.post(f"/clients/{jordan}/break-glass", data={"_csrf": csrf, "reason": "need",
                                                                 "minutes": "30", "password": "polymodal-demo-2026"})
    assert short.status_code == 422 and "at least 15 characters" in short.text and 'value="30"' in short.text
    wrong = client.post(f"/clients/{jordan}/break-glass", data={
        "_csrf": csrf, "reason": "Client in crisis, clinician unreachable", "minutes": "30", "password": "nope"})
    assert wrong.status_code == 422 and "not your password" in wrong.text
    assert "nope" not in wrong.text and "Client in crisis, clinician unreachable" in wrong.text
    ok = client.post(f"/clients/{jordan}/break-glass", follow_redirects=False, data={
        "_csrf": csrf, "reason": "Client in crisis, clinician unreachable", "minutes": "30",
        "password": "polymodal-demo-2026"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/clients/{jordan}/notes"
    assert client.get(f"/clients/{jordan}/notes").status_code == 200
    assert client.get(f"/clients/{tom}/notes").status_code in (403, 404)  # one client only
    web_clock.advance(minutes=31)
    client.cookies.clear()
    signed_in("admin")
    assert client.get(f"/clients/{jordan}/notes").status_code in (403, 404)  # time-boxed

    with web_practice.engine.connect() as conn:
        outcomes = [row.outcome for row in conn.execute(
            select(AuditEvent.outcome).where(AuditEvent.action == "break_glass.grant",
                                             AuditEvent.client_id == uuid.UUID(jordan)))]
    assert outcomes == ["denied", "success"]  # the failed re-authentication survived its rollback

    listed = client.get("/admin/emergency-access").text
    assert "Client in crisis" in listed and "Someone else reviews this" in listed
    client.cookies.clear()
    csrf = signed_in("rivera")
    listed = client.get("/admin/emergency-access")
    assert listed.status_code == 200 and "Mark reviewed" in listed.text
    grant_id = listed.text.split("/admin/emergency-access/")[1].split("/review")[0]
    done = client.post(f"/admin/emergency-access/{grant_id}/review", data={"_csrf": csrf}, headers=HTMX)
    assert done.status_code == 200 and "Nothing to review" in done.text


def test_front_desk_and_practitioners_cannot_break_the_glass(client, signed_in, client_id):
    jordan = client_id("Ellis", "Jordan")
    for user in ("frontdesk", "maya"):
        client.cookies.clear()
        signed_in(user)
        assert client.get(f"/clients/{jordan}/break-glass").status_code == 403
