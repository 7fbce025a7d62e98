"""The clients area: list with active search, register, edit, the client page and its tabs."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from polymodal.core.models import AuditEvent, Client

HTMX = {"HX-Request": "true"}
GOOD = {"legal_first_name": "Ada", "legal_last_name": "Byron", "preferred_name": "", "pronouns": "she/her",
        "date_of_birth": "1990-05-17", "email": "ada@example.org", "phone": "+1 555 0100"}


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/clients/[0-9a-f-]{36}">([^<]+)</a>', html)


# --- list and active search ------------------------------------------------------------

def test_list_full_page(client, signed_in):
    signed_in("frontdesk")
    page = client.get("/clients")
    assert page.status_code == 200 and "<html" in page.text and 'id="client-rows"' in page.text
    assert page.headers["vary"] == "HX-Request"
    assert len(_names(page.text)) == 8
    assert 'hx-trigger="input changed delay:300ms, search"' in page.text and 'hx-target="#client-rows"' in page.text


def test_list_fragment_is_only_the_rows_block(client, signed_in):
    signed_in("frontdesk")
    fragment = client.get("/clients?q=nat", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="client-rows"')
    assert "<html" not in fragment.text and "<nav aria-label=\"Main\"" not in fragment.text
    assert _names(fragment.text) == ["Natarajan, Marcus", "Natarajan, Priya"]


def test_history_restore_gets_the_full_page(client, signed_in):
    signed_in("frontdesk")
    restore = client.get("/clients?q=nat", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_search_is_a_case_insensitive_prefix_and_escapes_input(client, signed_in):
    signed_in("frontdesk")
    assert _names(client.get("/clients?q=ELL").text) == ["Ellis, Jordan"]
    assert _names(client.get("/clients", params={"q": "Ellis, Jo"}).text) == ["Ellis, Jordan"]
    page = client.get("/clients", params={"q": "<script>x"})
    assert "<script>x" not in page.text and "&lt;script&gt;x" in page.text


def test_pagination(client, signed_in, add_clients):
    add_clients(30, last="Zed")
    signed_in("frontdesk")
    first = client.get("/clients?q=zed")
    assert len(_names(first.text)) == 25 and 'rel="next"' in first.text
    second = client.get("/clients?q=zed&page=2", headers=HTMX)
    assert len(_names(second.text)) == 5 and 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert client.get("/clients?page=0").status_code == 400


def test_practitioner_lists_only_their_care_teams_clients(client, signed_in):
    signed_in("maya")
    assert _names(client.get("/clients").text) == ["Becker, Tom"]


def test_supervisor_sees_their_supervisees_clients(client, signed_in):
    signed_in("rivera")
    names = _names(client.get("/clients").text)
    assert "Alvarez, Sofi" in names and "Moreau, Elena" in names and "Becker, Tom" not in names


def test_search_is_audited(client, signed_in, web_practice):
    signed_in("frontdesk")
    client.get("/clients?q=el")
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "client.search")).scalar() == 1


# --- register -----------------------------------------------------------------------------

def test_new_form_full_and_fragment(client, signed_in):
    signed_in("frontdesk")
    page = client.get("/clients/new")
    assert page.status_code == 200 and "<html" in page.text and 'id="client-form"' in page.text
    assert '<label for="f-date_of_birth">' in page.text
    fragment = client.get("/clients/new", headers=HTMX)
    assert fragment.text.lstrip().startswith("<form") and "<html" not in fragment.text


def test_register_redirects_to_the_client_page(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    response = client.post("/clients", data={**GOOD, "_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert re.fullmatch(r"/clients/[0-9a-f-]{36}", response.headers["location"])
    page = client.get(response.headers["location"])
    assert "<h1>Ada Byron</h1>" in page.text


def test_register_with_htmx_answers_with_hx_redirect(client, signed_in):
    csrf = signed_in("frontdesk")
    response = client.post("/clients", data=GOOD, headers={**HTMX, "X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.headers["hx-redirect"].startswith("/clients/")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_register_422_keeps_values_and_shows_messages_beside_fields(client, signed_in, headers, web_practice):
    csrf = signed_in("frontdesk")
    bad = {**GOOD, "legal_first_name": "", "date_of_birth": "2999-01-01", "email": "not-an-email",
           "preferred_name": "Lovelace <b>", "_csrf": csrf}
    response = client.post("/clients", data=bad, headers=headers)
    assert response.status_code == 422
    html = response.text
    assert ("<html" in html) is (not headers)
    assert 'id="f-legal_first_name-error"' in html and 'aria-invalid="true"' in html
    assert "Enter a date of birth in the past" in html
    assert 'id="f-email-error"' in html
    assert 'value="2999-01-01"' in html and 'value="Byron"' in html and 'value="not-an-email"' in html
    assert 'value="Lovelace &lt;b&gt;"' in html  # kept, and escaped
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Client)
                            .where(Client.legal_last_name == "Byron")).scalar() == 0


def test_register_ignores_fields_the_form_does_not_have(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    client.post("/clients", data={**GOOD, "_csrf": csrf, "active": "false", "search_key": "aaa",
                                  "id": "00000000-0000-0000-0000-000000000001"})
    with web_practice.engine.connect() as conn:
        row = conn.execute(select(Client.active, Client.search_key, Client.id)
                           .where(Client.legal_last_name == "Byron")).one()
    assert row.active is True and row.search_key == "byron ada" and str(row.id) != "00000000-0000-0000-0000-000000000001"


def test_admin_cannot_register_clients(client, signed_in):
    csrf = signed_in("admin")
    assert client.get("/clients/new").status_code == 403
    assert client.post("/clients", data={**GOOD, "_csrf": csrf}).status_code == 403


# --- edit ---------------------------------------------------------------------------------

def test_edit_form_prefilled_and_update(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    form = client.get(f"/clients/{cid}/edit")
    assert form.status_code == 200 and 'value="Jordan"' in form.text and 'value="1988-04-12"' in form.text
    fragment = client.get(f"/clients/{cid}/edit", headers=HTMX)
    assert fragment.text.lstrip().startswith("<form")
    version = re.search(r'name="_version" value="([0-9a-f]+)"', form.text).group(1)
    data = {"legal_first_name": "Jordan", "legal_last_name": "Ellis", "preferred_name": "Jo",
            "pronouns": "they/them", "date_of_birth": "1988-04-12", "_csrf": csrf, "_version": version}
    response = client.post(f"/clients/{cid}", data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/clients/{cid}"
    assert "<h1>Jo Ellis</h1>" in client.get(f"/clients/{cid}").text


def test_edit_422_keeps_values(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    version = re.search(r'name="_version" value="([0-9a-f]+)"', client.get(f"/clients/{cid}/edit").text).group(1)
    data = {"legal_first_name": "Jordan", "legal_last_name": "", "preferred_name": "Jo",
            "date_of_birth": "not a date", "_csrf": csrf, "_version": version}
    response = client.post(f"/clients/{cid}", data=data, headers=HTMX)
    assert response.status_code == 422
    assert 'id="f-legal_last_name-error"' in response.text and 'id="f-date_of_birth-error"' in response.text
    assert 'value="Jo"' in response.text and 'value="not a date"' in response.text
    assert "<h1>Jordan Ellis</h1>" in client.get(f"/clients/{cid}").text


def test_practitioner_cannot_edit_another_teams_client(client, signed_in, client_id, web_practice):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("maya")
    assert client.get(f"/clients/{cid}/edit").status_code == 404
    data = {**GOOD, "_csrf": csrf}
    assert client.post(f"/clients/{cid}", data=data).status_code == 404
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(Client.legal_first_name).where(Client.id == uuid.UUID(cid))).scalar() == "Jordan"


def test_a_concurrent_edit_is_never_silently_overwritten(client, signed_in, client_id, web_practice):
    from polymodal.core.access import Actor
    from polymodal.core.services import clients as client_service

    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    version = re.search(r'name="_version" value="([0-9a-f]+)"', client.get(f"/clients/{cid}/edit").text).group(1)
    # Meanwhile a colleague corrects the phone number.
    with web_practice.work(Actor.system("colleague")) as work:
        client_service.update_client(work, uuid.UUID(cid), {
            "legal_first_name": "Jordan", "legal_last_name": "Ellis", "pronouns": "they/them",
            "date_of_birth": "1988-04-12", "email": "jordan@example.org", "phone": "+1 555 0199"})
    mine = {"legal_first_name": "Jordan", "legal_last_name": "Ellis", "preferred_name": "Jo",
            "pronouns": "they/them", "date_of_birth": "1988-04-12", "email": "jordan@example.org",
            "_csrf": csrf, "_version": version}
    stale = client.post(f"/clients/{cid}", data=mine, headers=HTMX)
    assert stale.status_code == 409
    assert "Someone else changed these details" in stale.text and 'value="Jo"' in stale.text
    assert "+1 555 0199" in stale.text  # what is saved now is shown
    with web_practice.engine.connect() as conn:
        row = conn.execute(select(Client.preferred_name, Client.phone).where(Client.id == uuid.UUID(cid))).one()
    assert row.preferred_name == "" and row.phone == "+1 555 0199"
    # Saving again with the version the 409 carried is a deliberate overwrite.
    fresh = re.search(r'name="_version" value="([0-9a-f]+)"', stale.text).group(1)
    again = client.post(f"/clients/{cid}", data={**mine, "_version": fresh}, follow_redirects=False)
    assert again.status_code == 303


def test_an_edit_without_a_version_is_refused(client, signed_in, client_id):
    cid = client_id("Ellis", "Jordan")
    csrf = signed_in("frontdesk")
    data = {"legal_first_name": "J", "legal_last_name": "Ellis", "date_of_birth": "1988-04-12", "_csrf": csrf}
    assert client.post(f"/clients/{cid}", data=data).status_code == 409


# --- search the way the front desk types, and likely duplicates before registering ----------

@pytest.mark.parametrize("query, expected", [
    ("Jor", ["Ellis, Jordan"]),
    ("Sofia", ["Alvarez, Sofi"]),
    ("Sofi Alvarez", ["Alvarez, Sofi"]),
    ("alvarez sofía", ["Alvarez, Sofi"]),
    ("Marcus N", ["Natarajan, Marcus"]),
    ("(415) 555-0104", ["Becker, Tom"]),
    ("hana@example.org", ["Sato, Hana"]),
])
def test_search_finds_people_by_any_part_of_a_name_phone_or_email(client, signed_in, query, expected):
    signed_in("frontdesk")
    assert _names(client.get("/clients", params={"q": query}).text) == expected


def test_a_second_tom_becker_is_shown_the_first_before_being_made(client, signed_in, web_practice):
    csrf = signed_in("frontdesk")
    tom = {**GOOD, "legal_first_name": "tom", "legal_last_name": "BECKER", "date_of_birth": "1965-11-23",
           "email": "", "phone": "", "_csrf": csrf}
    shown = client.post("/clients", data=tom, headers={**HTMX, "X-CSRF-Token": csrf})
    assert shown.status_code == 200 and "hx-redirect" not in shown.headers
    assert "Is this someone already registered?" in shown.text and "same name and date of birth" in shown.text
    assert 'value="BECKER"' in shown.text  # nothing typed is lost
    assert re.search(r'<a href="/clients/[0-9a-f-]{36}">Tom Becker</a>', shown.text)
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Client).where(Client.legal_last_name.ilike("becker"))
                            ).scalar() == 1
    anyway = client.post("/clients", data={**tom, "_confirm_new": "1"}, headers={**HTMX, "X-CSRF-Token": csrf})
    assert anyway.headers["hx-redirect"].startswith("/clients/")
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Client).where(Client.legal_last_name.ilike("becker"))
                            ).scalar() == 2


def test_same_phone_is_a_likely_duplicate(client, signed_in):
    csrf = signed_in("frontdesk")
    shown = client.post("/clients", data={**GOOD, "phone": "415 555 0105", "_csrf": csrf})
    assert "same phone" in shown.text and "Hana Sato" in shown.text


@pytest.mark.parametrize("query, named", [("page=0", "page"), ("page=abc", "page"), ("q=" + "x" * 500, "q")])
def test_a_wrong_value_in_the_address_is_named(client, signed_in, query, named):
    signed_in("frontdesk")
    page = client.get(f"/clients?{query}")
    assert page.status_code == 400
    assert f"The address has a value this page cannot use: {named}." in page.text
