"""Open data in a real browser: the export's progress and download, a client import, the API's Swagger page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from polymodal.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return problems


def _sign_in(page: Page, live_server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")


def test_the_admin_watches_an_export_finish_and_downloads_it(page: Page, live_server: str):
    problems = _watch(page)
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/export")
    page.get_by_role("button", name="Start an export").click()
    download_button = page.get_by_role("button", name="Download")
    expect(download_button).to_be_visible(timeout=30_000)  # the polled progress turns into a download
    with page.expect_download() as info:
        download_button.click()
    assert info.value.suggested_filename.endswith(".zip")
    assert not problems, problems


def test_the_front_desk_imports_a_file_after_its_preview(page: Page, live_server: str, tmp_path):
    problems = _watch(page)
    csv = tmp_path / "clients.csv"
    csv.write_text("First Name,Last Name,Date of Birth,Email\nRosa,Quintero,03/14/1988,rosa@example.org\n"
                   "Ivo,Marsh,13/40/1990,\n")
    _sign_in(page, live_server, "frontdesk")
    page.goto(f"{live_server}/clients/import")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#problems")).to_contain_text("Write the date as MM/DD/YYYY")
    expect(page.get_by_role("button", name="Import 1 clients")).to_have_count(0)
    assert not problems, problems


def test_the_schema_page_shows_the_api(page: Page, live_server: str):
    problems = _watch(page)
    page.goto(f"{live_server}/schema")
    expect(page.get_by_text("/api/v1/clients/{client_id}/notes", exact=True).first).to_be_visible(timeout=15_000)
    assert not problems, problems
