"""The waitlist through the API: the same services as the page, the same checks, problems naming fields."""

from __future__ import annotations

import datetime as dt

from tests.web.api.helpers import bearer, token_for

PROBLEM = "application/problem+json"
SLOT = "2030-01-07T10:00:00"  # a Monday far from the demo's sessions, the center's wall-clock time


def test_add_list_match_and_book_a_waiting_client(client, web_practice, ids, client_id, book):
    headers = bearer(token_for(web_practice, "frontdesk", ("read", "write")))
    elena = client_id("Moreau", "Elena")
    added = client.post("/api/v1/waitlist", headers=headers, json={
        "client_id": elena, "modality_key": "bodywork/massage", "weekdays": [0, 2], "latest": "17:00",
        "note": "<b>short notice</b>"})
    assert added.status_code == 201, added.text
    entry = added.json()
    assert (entry["status"], entry["weekdays"], entry["latest"], entry["note"]) == ("waiting", [0, 2], "17:00",
                                                                                   "<b>short notice</b>")
    assert [e["id"] for e in client.get("/api/v1/waitlist", headers=headers).json()["data"]] == [entry["id"]]
    maya = str(ids.user("maya"))
    fits = client.get(f"/api/v1/waitlist/candidates?starts_at={SLOT}&practitioner_id={maya}", headers=headers)
    assert [(c["id"], c["minutes"]) for c in fits.json()["data"]] == [(entry["id"], 85)]  # a first visit

    book("Tom: low back", dt.datetime(2030, 1, 7, 10, 0), minutes=50, room="Willow")  # Maya is busy at 10:00
    clash = client.post(f"/api/v1/waitlist/{entry['id']}/book", headers=headers, json={
        "starts_at": SLOT, "practitioner_id": maya, "room_id": str(ids.room("Cedar"))})
    assert clash.status_code == 409 and clash.headers["content-type"].startswith(PROBLEM)
    booked = client.post(f"/api/v1/waitlist/{entry['id']}/book", headers=headers, json={
        "starts_at": "2030-01-07T14:00:00", "practitioner_id": maya, "room_id": str(ids.room("Cedar"))})
    assert booked.status_code == 201, booked.text
    assert booked.json()["data"][0]["modality_key"] == "bodywork/massage"
    assert client.get("/api/v1/waitlist", headers=headers).json()["data"] == []


def test_bad_fields_are_named_and_a_read_token_cannot_change_the_list(client, web_practice, client_id):
    headers = bearer(token_for(web_practice, "frontdesk", ("read", "write")))
    bad = client.post("/api/v1/waitlist", headers=headers, json={
        "client_id": client_id("Moreau", "Elena"), "modality_key": "", "earliest": "soon"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"modality_key", "earliest"}
    odd = client.get("/api/v1/waitlist/candidates?starts_at=tomorrow&practitioner_id=x", headers=headers)
    assert odd.status_code == 422 and odd.json()["errors"][0]["field"] == "starts_at"
    read_only = bearer(token_for(web_practice, "frontdesk"))
    assert client.post("/api/v1/waitlist", headers=read_only, json={}).status_code == 403
