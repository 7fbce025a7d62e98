"""The JSON API behaves like the pages: same records, same refusals, same audit; errors as problem details."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from polymodal.core.access import Actor
from polymodal.core.interop import tokens
from polymodal.core.models import ApiToken, AuditEvent, Client, User
from tests.web.api.helpers import bearer, signed_note, token_for, user_actor

PROBLEM = "application/problem+json"


def test_the_client_list_pages_by_cursor_through_every_visible_client(client, web_practice, add_clients):
    add_clients(7)
    headers = bearer(token_for(web_practice, "frontdesk"))
    seen, url, pages = [], "/api/v1/clients?limit=3", 0
    while url:
        body = client.get(url, headers=headers).json()
        seen += [c["id"] for c in body["data"]]
        pages += 1
        url = f"/api/v1/clients?limit=3&cursor={body['next_cursor']}" if body["next_cursor"] else None
    with web_practice.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Client).where(Client.restricted.is_(False))).scalar()
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 3)


def test_a_practitioner_token_lists_only_the_care_teams_clients(client, web_practice):
    body = client.get("/api/v1/clients", headers=bearer(token_for(web_practice, "maya"))).json()
    assert [(c["legal_first_name"], c["legal_last_name"]) for c in body["data"]] == [("Tom", "Becker")]


def test_a_forged_cursor_or_limit_is_a_problem_naming_the_field(client, web_practice):
    headers = bearer(token_for(web_practice, "frontdesk"))
    response = client.get("/api/v1/clients?cursor=bm90LW91cnM", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == "cursor"
    response = client.get("/api/v1/clients?limit=5000", headers=headers)
    assert response.status_code == 400 and response.headers["content-type"].startswith(PROBLEM)
    assert "limit" in response.text


def test_unknown_revoked_and_expired_tokens_are_turned_away(client, web_practice, web_clock, client_id):
    url = f"/api/v1/clients/{client_id('Becker', 'Tom')}"
    secret = token_for(web_practice, "maya", days=1)
    assert client.get(url, headers=bearer(secret)).status_code == 200
    assert client.get(url, headers=bearer(secret[:-2] + "xx")).status_code == 401
    web_clock.advance(days=1)
    expired = client.get(url, headers=bearer(secret))
    assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"
    assert expired.json()["title"] == "Token required"

    fresh = token_for(web_practice, "maya")
    with web_practice.work(user_actor(web_practice, "maya")) as work:
        token_id = work.db.scalar(select(ApiToken.id).where(ApiToken.token_hash == tokens.hash_token(fresh)))
        tokens.revoke(work, token_id)
    assert client.get(url, headers=bearer(fresh)).status_code == 401


def test_a_disabled_user_s_tokens_stop_working(client, web_practice, client_id):
    secret = token_for(web_practice, "maya")
    with web_practice.work(Actor.system("test")) as work:
        work.db.scalars(select(User).where(User.username == "maya")).one().active = False
    assert client.get("/api/v1/clients", headers=bearer(secret)).status_code == 401


def test_only_the_hash_is_stored_and_each_use_is_audited_with_the_token(client, web_practice, client_id):
    secret = token_for(web_practice, "maya")
    tom = client_id("Becker", "Tom")
    assert client.get(f"/api/v1/clients/{tom}", headers=bearer(secret)).status_code == 200
    with web_practice.engine.connect() as conn:
        row = conn.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.last_used_at)).one()
        assert row.token_hash == tokens.hash_token(secret) and secret not in row
        assert row.last_used_at is not None
        events = conn.execute(select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.origin)
                              .where(AuditEvent.origin.contains(row.prefix))).all()
    actions = {e.action for e in events}
    assert {"api_token.use", "client.view"} <= actions
    assert {e.actor_name for e in events} == {"maya"}


def test_a_read_only_token_cannot_book(client, web_practice, ids):
    response = client.post("/api/v1/sessions", headers=bearer(token_for(web_practice, "frontdesk")),
                           json={"case_id": str(ids.case("Tom: low back")), "modality_key": "bodywork/massage",
                                 "starts_at": "2026-11-02T10:00:00"})
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_booking_through_the_api_applies_the_booking_page_s_checks(client, web_practice, ids):
    headers = bearer(token_for(web_practice, "frontdesk", ("read", "write")))
    booking = {"case_id": str(ids.case("Tom: low back")), "modality_key": "bodywork/massage",
               "starts_at": "2026-11-02T10:00:00", "minutes": 60, "delivery": "in_person",
               "room_id": str(ids.room("Willow"))}
    first = client.post("/api/v1/sessions", headers=headers, json=booking)
    assert first.status_code == 201, first.text
    session = first.json()["data"][0]
    assert session["starts_at"] == "2026-11-02T18:00:00+00:00"  # 10:00 in Los Angeles
    assert client.get(f"/api/v1/sessions/{session['id']}", headers=headers).json()["status"] == "scheduled"

    clash = client.post("/api/v1/sessions", headers=headers, json=booking)
    assert clash.status_code == 409 and clash.headers["content-type"].startswith(PROBLEM)

    bad = client.post("/api/v1/sessions", headers=headers, json={**booking, "modality_key": "nope/none",
                                                                 "starts_at": "2026-11-03T10:00:00"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "modality_key", "detail": "Choose a modality offered here."}]

    malformed = client.post("/api/v1/sessions", headers=headers, json={**booking, "delivery": "carrier pigeon"})
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "delivery"


def test_a_practitioner_cannot_book_for_another_care_team(client, web_practice, ids):
    headers = bearer(token_for(web_practice, "maya", ("read", "write")))
    response = client.post("/api/v1/sessions", headers=headers, json={
        "case_id": str(ids.case("Jordan: anxiety")), "modality_key": "talk/psychotherapy",
        "starts_at": "2026-11-02T10:00:00"})
    assert response.status_code == 404
    assert not [s for s in ids.sessions_of("Jordan: anxiety") if s.starts_at.date() == dt.date(2026, 11, 2)]


def test_signed_notes_are_read_and_process_notes_never(client, web_practice, client_id):
    jordan = client_id("Ellis", "Jordan")
    shared = signed_note(web_practice, jordan, "rivera")
    process = signed_note(web_practice, jordan, "rivera", process_note=True)
    headers = bearer(token_for(web_practice, "rivera"))  # the process note's own author
    listed = {n["id"] for n in client.get(f"/api/v1/clients/{jordan}/notes", headers=headers).json()["data"]}
    assert str(shared.id) in listed and str(process.id) not in listed
    note = client.get(f"/api/v1/clients/{jordan}/notes/{shared.id}", headers=headers).json()
    assert note["content_hash"] == shared.content_hash and note["content"]
    assert client.get(f"/api/v1/clients/{jordan}/notes/{process.id}", headers=headers).status_code == 404


def test_the_schema_describes_every_api_route_and_nothing_else(client, app_routes):
    schema = client.get("/schema/openapi.json").json()
    described = {(path, method.upper()) for path, item in schema["paths"].items() for method in item}
    api = {(path, method) for path, method in app_routes if path.startswith("/api/v1")}
    assert api and api == described
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_schema_page_runs_swagger_from_our_own_files(client):
    page = client.get("/schema")
    assert page.status_code == 200
    assert '/static/vendor/swagger-ui/swagger-ui-bundle.js' in page.text and "<script>" not in page.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/schema-page.js").status_code == 200


def test_an_unknown_api_path_is_a_problem_document(client, web_practice):
    response = client.get("/api/v1/nothing-here", headers=bearer(token_for(web_practice, "admin")))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == 404
