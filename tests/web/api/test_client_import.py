"""CSV import: a 10,000-row file with bad rows is reported by line and field, and nothing is written until
the preview is accepted; then every row is imported, or none."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from polymodal.core.interop import csv_import, jobs
from polymodal.core.models import AuditEvent, Client

SIMPLEPRACTICE = ["First Name", "Last Name", "Preferred Name", "Date of Birth", "Email", "Mobile Phone",
                  "Address", "City", "State", "Zip", "Emergency Contact Name", "Emergency Contact Phone"]


def sp_rows(count: int) -> tuple[list[list[str]], set[tuple[int, str]]]:
    """SimplePractice-style rows, some bad on purpose; returns them and the (line, field) problems expected."""
    rows, bad = [], set()
    for i in range(count):
        line = i + 2  # line 1 is the header
        row = [f"Given{i:05d}", f"Family{i % 97:02d}", "", f"{1 + i % 12:02d}/{1 + i % 28:02d}/{1950 + i % 60}",
               f"person{i}@example.org", "(555) 010-1234", f"{i} Main St", "Oakland", "CA", "94607",
               "", ""]
        if i % 997 == 5:
            row[3] = "31/02/1990"  # day and month swapped: not MM/DD/YYYY
            bad.add((line, "date_of_birth"))
        if i % 1499 == 7:
            row[1] = ""
            bad.add((line, "legal_last_name"))
        if i == 4321:
            row[4] = "not-an-email"
            bad.add((line, "email"))
        if i == 6000:
            row[5] = "call me <b>maybe</b>"
            bad.add((line, "phone"))
        rows.append(row)
    return rows, bad


def as_csv(rows: list[list[str]], headers: list[str] = SIMPLEPRACTICE) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, csrf: str, content: bytes, preset: str = "simplepractice") -> str:
    response = client.post("/clients/import", data={"preset": preset, "_csrf": csrf},
                           files={"file": ("clients.csv", content, "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    jobs.wait_all()
    return response.headers["location"].split("job=")[1]


def clients_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Client)).scalar()


def test_ten_thousand_rows_with_bad_ones_are_reported_by_line_and_field_and_nothing_is_written(
        client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    before = clients_count(web_practice.engine)
    rows, expected = sp_rows(10_000)
    job = upload(client, csrf, as_csv(rows))
    page = client.get(f"/clients/import?job={job}").text
    reported = {(int(line), field) for line, field in
                re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>", page)}
    labels = {label: key for key, label in csv_import.FIELDS.items()}
    assert {(line, labels[label]) for line, label in reported} == expected
    assert "10000 rows checked" in page and "Write the date as MM/DD/YYYY (&#39;31/02/1990&#39; is not)" in page
    assert 'action="/clients/import/commit"' not in page  # no import button while rows are bad
    refused = client.post("/clients/import/commit", data={"job": job, "_csrf": csrf})
    assert refused.status_code == 422 and "nothing has been imported" in refused.text
    jobs.wait_all()
    assert clients_count(web_practice.engine) == before


def test_a_clean_file_imports_every_row_once_and_duplicates_only_when_skipped(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    before = clients_count(web_practice.engine)
    rows, bad = sp_rows(10_000)
    bad_lines = {line for line, _field in bad}
    good = [r for i, r in enumerate(rows) if i + 2 not in bad_lines]
    good.append(["Tom", "Becker", "", "", "", "", "", "", "", "", "", ""])  # fixed below: a demo client
    with web_practice.engine.connect() as conn:
        tom_born = conn.execute(select(Client.date_of_birth).where(Client.legal_last_name == "Becker")).scalar()
    good[-1][3] = tom_born.strftime("%m/%d/%Y")
    good.append(list(good[0]))  # the file repeats a row
    job = upload(client, csrf, as_csv(good))
    page = client.get(f"/clients/import?job={job}").text
    assert "2 duplicates" in page and "same name and date of birth" in page and "repeats line 2" in page

    asked = client.post("/clients/import/commit", data={"job": job, "_csrf": csrf})
    assert asked.status_code == 422 and "skip them" in asked.text
    assert clients_count(web_practice.engine) == before

    done = client.post("/clients/import/commit", data={"job": job, "skip_duplicates": "yes", "_csrf": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    jobs.wait_all()
    assert f"Imported {len(good) - 2} clients." in client.get(f"/clients/import?job={job}").text
    assert clients_count(web_practice.engine) == before + len(good) - 2
    with web_practice.engine.connect() as conn:
        created = conn.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "client.create", AuditEvent.actor_name == "frontdesk")).scalar()
    assert created == len(good) - 2  # each client's registration is in the audit trail, as from the form


def test_an_import_is_refused_whole_when_the_clients_changed_since_the_preview(client, signed_in, web_practice,
                                                                               add_clients):
    csrf = signed_in("frontdesk")
    rows = [[f"Person{i:03d}", "Extra", "", "01/01/1980", "", "", "", "", "", "", "", ""] for i in range(3, 6)]
    rows += [["New", "Person", "", "02/02/1990", "", "", "", "", "", "", "", ""]]
    job = upload(client, csrf, as_csv(rows))
    add_clients(5)  # Person003..Person004 of 'Extra' now exist: the preview no longer holds
    before = clients_count(web_practice.engine)
    client.post("/clients/import/commit", data={"job": job, "_csrf": csrf})
    jobs.wait_all()
    page = client.get(f"/clients/import?job={job}").text
    assert "Nothing was imported" in page and "changed since the preview" in page
    assert clients_count(web_practice.engine) == before


def test_columns_can_be_matched_by_hand_and_a_missing_required_one_is_named(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    asked = client.post("/clients/import", data={"preset": "jane", "_csrf": csrf}, files={
        "file": ("c.csv", as_csv([["Ana", "Ruiz", "1990-04-05"]], headers=["Given", "Family", "Born"]), "text/csv")})
    assert asked.status_code == 422  # nothing guessed for 'Given': the page asks for the column
    assert "Choose the column that holds the legal first name." in asked.text
    job = re.search(r'name="job" value="([0-9a-f-]+)"', asked.text).group(1)
    mapped = client.post("/clients/import/mapping", data={
        "job": job, "map_legal_first_name": "Given", "map_legal_last_name": "Family", "map_date_of_birth": "Born",
        "date_format": "%Y-%m-%d", "_csrf": csrf}, follow_redirects=False)
    assert mapped.status_code == 303
    jobs.wait_all()
    assert "1 rows checked: 1 ready, 0 problems" in client.get(f"/clients/import?job={job}").text


def test_only_the_front_desk_imports_and_only_their_own_jobs(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    job = upload(client, csrf, as_csv([["Ana", "Ruiz", "", "04/05/1990"] + [""] * 8]))
    for user in ("maya", "admin"):
        client.cookies.clear()
        signed_in(user)
        assert client.get("/clients/import").status_code == 403
        assert client.get(f"/clients/import?job={job}").status_code == 403
