"""Right of access (JSON export) and erasure within retention, from the browser."""

from __future__ import annotations

import json


def test_the_practitioner_downloads_the_record_without_process_notes(client, signed_in, client_id):
    jordan = client_id("Ellis", "Jordan")
    signed_in("rivera")
    page = client.get(f"/clients/{jordan}")
    assert f'href="/clients/{jordan}/export.json"' in page.text
    download = client.get(f"/clients/{jordan}/export.json")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/json")
    assert download.headers["content-disposition"] == f'attachment; filename="record-{jordan}.json"'
    assert download.headers["cache-control"] == "no-store"
    record = json.loads(download.text)
    assert record["client"]["legal_last_name"] == "Ellis" and record["format"] == "polymodal-record/1"
    assert all(not note["psychotherapy_note"] for note in record["notes"])


def test_front_desk_and_other_teams_cannot_export(client, signed_in, client_id):
    jordan = client_id("Ellis", "Jordan")
    signed_in("frontdesk")
    assert client.get(f"/clients/{jordan}/export.json").status_code == 403
    client.cookies.clear()
    signed_in("maya")
    assert client.get(f"/clients/{jordan}/export.json").status_code == 404


def test_admin_erases_after_typing_the_name_and_the_client_disappears(client, signed_in, client_id):
    tom = client_id("Becker", "Tom")
    csrf = signed_in("admin")
    form = client.get(f"/clients/{tom}/erase")
    assert form.status_code == 200 and "restricted" in form.text
    wrong = client.post(f"/clients/{tom}/erase", data={"_csrf": csrf, "confirm_name": "Tom"})
    assert wrong.status_code == 422 and "legal first and last name" in wrong.text
    done = client.post(f"/clients/{tom}/erase", data={"_csrf": csrf, "confirm_name": "tom becker"},
                       follow_redirects=False)
    assert done.status_code == 303
    client.cookies.clear()
    signed_in("frontdesk")
    assert "Becker" not in client.get("/clients?q=becker").text
    assert client.get(f"/clients/{tom}").status_code == 404


def test_only_admins_erase(client, signed_in, client_id):
    tom = client_id("Becker", "Tom")
    for user in ("frontdesk", "maya"):
        client.cookies.clear()
        signed_in(user)
        assert client.get(f"/clients/{tom}/erase").status_code == 403
