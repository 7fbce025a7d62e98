"""Upcoming appointments from CSV: matched to clients, practitioners and cases here; booked through the
booking service, all or none."""

from __future__ import annotations

import re

from polymodal.core.interop import jobs
from tests.web.api.test_client_import import as_csv

JANE = ["Patient", "Date", "Start Time", "Duration", "Staff Member", "Treatment", "Room", "Delivery"]


def upload(client, csrf: str, rows: list[list[str]]) -> tuple[str, str]:
    response = client.post("/clients/import", data={"preset": "jane", "what": "appointments", "_csrf": csrf},
                           files={"file": ("appointments.csv", as_csv(rows, JANE), "text/csv")},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:800]
    jobs.wait_all()
    job = response.headers["location"].split("job=")[1]
    return job, client.get(f"/clients/import?job={job}").text


def problems_of(page: str) -> set[tuple[int, str]]:
    return {(int(line), field) for line, field in re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>", page)}


def test_rows_that_match_nothing_here_are_reported_by_line_and_field(client, signed_in):
    csrf = signed_in("frontdesk")
    _job, page = upload(client, csrf, [
        ["Tom Becker", "2026-11-10", "10:00", "60", "maya", "bodywork/massage", "Willow", ""],
        ["Nobody Here", "2026-11-10", "10:00", "60", "maya", "bodywork/massage", "Willow", ""],
        ["Tom Becker", "2026-01-05", "10:00", "60", "maya", "bodywork/massage", "Willow", ""],
        ["Tom Becker", "2026-11-11", "10:00", "60", "dr. nobody", "bodywork/massage", "Willow", ""],
        ["Tom Becker", "2026-11-12", "25:99", "60", "maya", "bodywork/massage", "Willow", ""],
    ])
    assert problems_of(page) == {(3, "Client (full name)"), (4, "Date"), (5, "Practitioner (name, username or email)"),
                                 (6, "Start time")}
    assert "5 rows checked: 1 ready" in page


def test_good_rows_are_booked_at_local_time_and_a_clash_books_none(client, signed_in, ids):
    csrf = signed_in("frontdesk")
    before_tom, before_jordan = len(ids.sessions_of("Tom: low back")), len(ids.sessions_of("Jordan: anxiety"))
    # Maya twice at the same hour: the preview cannot see it, the booking service refuses the second.
    job, page = upload(client, csrf, [
        ["Tom Becker", "2026-11-10", "10:00", "60", "maya", "bodywork/massage", "Willow", ""],
        ["Jordan Ellis", "2026-11-10", "10:30", "50", "maya", "talk/psychotherapy", "", "video"],
    ])
    assert "2 ready, 0 problems" in page
    client.post("/clients/import/commit", data={"job": job, "_csrf": csrf})
    jobs.wait_all()
    refused = client.get(f"/clients/import?job={job}").text
    assert "Nothing was imported: line 3" in refused
    assert len(ids.sessions_of("Tom: low back")) == before_tom

    job, page = upload(client, csrf, [
        ["Tom Becker", "2026-11-10", "10:00", "60", "maya", "bodywork/massage", "Willow", ""],
        ["Jordan Ellis", "2026-11-10", "2:30 PM", "50", "rivera", "talk/psychotherapy", "", "video"],
    ])
    assert "2 ready, 0 problems" in page
    client.post("/clients/import/commit", data={"job": job, "_csrf": csrf})
    jobs.wait_all()
    result = client.get(f"/clients/import?job={job}").text
    assert "Imported 2 appointments." in result, re.search(r'<p id="import-status">(.*?)</p>', result, re.S).group(1)
    toms = ids.sessions_of("Tom: low back")
    assert len(toms) == before_tom + 1
    assert any(s.starts_at.isoformat().startswith("2026-11-10T18:00") for s in toms)  # 10:00 in Los Angeles
    assert len(ids.sessions_of("Jordan: anxiety")) == before_jordan + 1

    _job, again = upload(client, csrf, [
        ["Tom Becker", "2026-11-10", "10:00", "60", "maya", "bodywork/massage", "Willow", ""]])
    assert "already booked at that time" in again
