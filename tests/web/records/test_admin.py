"""Administration pages: users, credentials, rooms, center settings, plugins, access history; admins only."""

from __future__ import annotations

import re

import pytest

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/rooms", "/admin/center", "/admin/plugins"]


@pytest.mark.parametrize("who", ["frontdesk", "rivera", "maya"])
def test_admin_pages_refuse_non_admins(client, signed_in, who, client_id):
    signed_in(who)
    for url in [*ADMIN_PAGES, f"/clients/{client_id('Ellis', 'Jordan')}/access-history"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_full_and_fragment(client, signed_in, url, htmx):
    signed_in("admin")
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.text and 'aria-label="Administration"' in page.text
    fragment = client.get(url, headers=htmx)
    assert fragment.status_code == 200 and "<html" not in fragment.text and fragment.text.lstrip().startswith(("<div", "<form"))


def test_create_user_422_keeps_values_but_never_the_password(client, signed_in, htmx):
    token = signed_in("admin")
    headers = {**htmx, "X-CSRF-Token": token}
    bad = client.post("/admin/users", headers=headers, data={
        "display_name": "Nia Park", "username": "nia", "password": "short", "roles": ["practitioner"],
        "modalities": ["talk/psychotherapy"], "disciplines": "psychotherapy"})
    assert bad.status_code == 422
    assert 'id="f-password-error"' in bad.text and 'value="Nia Park"' in bad.text
    assert 'value="short"' not in bad.text
    assert re.search(r'value="practitioner" checked', bad.text) and re.search(r'value="talk/psychotherapy" checked',
                                                                              bad.text)
    no_role = client.post("/admin/users", headers=headers, data={"display_name": "Nia", "username": "nia",
                                                                 "password": "a-long-password-1"})
    assert no_role.status_code == 422 and 'id="f-roles-error"' in no_role.text
    taken = client.post("/admin/users", headers=headers, data={"display_name": "Dup", "username": "maya",
                                                               "password": "a-long-password-1", "roles": "admin"})
    assert taken.status_code == 422 and "taken" in taken.text


def test_create_user_then_add_credential_and_deactivate(client, signed_in, htmx):
    token = signed_in("admin")
    created = client.post("/admin/users", data={
        "_csrf": token, "display_name": "Nia Park", "username": "nia", "password": "a-long-password-1",
        "roles": ["practitioner"], "supervisor": "rivera", "disciplines": "psychotherapy"}, follow_redirects=False)
    assert created.status_code == 303
    user_url = created.headers["location"]
    headers = {**htmx, "X-CSRF-Token": token}
    bad = client.post(f"{user_url}/credentials", headers=headers, data={"type": "AMFT", "number": "",
                                                                       "jurisdiction": "US-CA",
                                                                       "expires_on": "2027-13-01"})
    assert bad.status_code == 422 and 'id="f-expires_on-error"' in bad.text and 'value="AMFT"' in bad.text
    missing = client.post(f"{user_url}/credentials", headers=headers, data={"type": "AMFT", "number": "",
                                                                           "jurisdiction": "US-CA"})
    assert missing.status_code == 422 and 'id="f-number-error"' in missing.text
    ok = client.post(f"{user_url}/credentials", headers=headers, data={"type": "AMFT", "number": "A-1",
                                                                      "jurisdiction": "us-ca",
                                                                      "expires_on": "2020-01-01"})
    assert ok.status_code == 200 and ok.headers["hx-redirect"] == user_url
    page = client.get(user_url)
    assert "A-1" in page.text and "US-CA" in page.text and "expired" in page.text
    off = client.post(f"{user_url}/active", data={"_csrf": token, "active": "no"}, follow_redirects=False)
    assert off.status_code == 303
    assert "deactivated" in client.get("/admin/users").text
    # The deactivated user cannot sign in.
    client.cookies.clear()
    login = client.get("/sign-in")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', login.text).group(1)
    response = client.post("/sign-in", data={"username": "nia", "password": "a-long-password-1", "_csrf": csrf},
                           follow_redirects=False)
    assert response.status_code != 303


def test_admin_cannot_deactivate_themselves(client, signed_in, web_practice):
    from sqlalchemy import select

    from polymodal.core.models import User

    token = signed_in("admin")
    with web_practice.engine.connect() as conn:
        admin_id = conn.execute(select(User.id).where(User.username == "admin")).scalar_one()
    page = client.get(f"/admin/users/{admin_id}")
    assert "Deactivate" not in page.text
    response = client.post(f"/admin/users/{admin_id}/active", data={"_csrf": token, "active": "no"})
    assert response.status_code == 422 and "your own account" in response.text


def test_rooms_add_and_422(client, signed_in, htmx):
    token = signed_in("admin")
    headers = {**htmx, "X-CSRF-Token": token}
    bad = client.post("/admin/rooms", headers=headers, data={"location": "Annex", "name": " "})
    assert bad.status_code == 422 and 'value="Annex"' in bad.text
    ok = client.post("/admin/rooms", data={"_csrf": token, "location": "Annex", "name": "Garden room"},
                     follow_redirects=False)
    assert ok.status_code == 303
    page = client.get("/admin/rooms")
    assert "Garden room" in page.text and "Willow" in page.text


def test_center_settings_save_and_422(client, signed_in, htmx):
    token = signed_in("admin")
    headers = {**htmx, "X-CSRF-Token": token}
    page = client.get("/admin/center")
    assert 'value="America/Los_Angeles"' in page.text and 'value="US-CA"' in page.text
    bad = client.post("/admin/center", headers=headers, data={
        "name": "Riverside", "timezone": "Mars/Olympus", "jurisdiction": "California", "age_of_majority": "18",
        "minor_consent_age": ""})
    assert bad.status_code == 422
    assert 'id="f-timezone-error"' in bad.text and 'value="Mars/Olympus"' in bad.text
    place = client.post("/admin/center", headers=headers, data={
        "name": "Riverside", "timezone": "UTC", "jurisdiction": "California", "age_of_majority": "9"})
    assert place.status_code == 422
    assert 'id="f-jurisdiction-error"' in place.text and 'id="f-age_of_majority-error"' in place.text
    ok = client.post("/admin/center", headers=headers, data={
        "name": "Riverside Health", "timezone": "America/New_York", "jurisdiction": "us-ny", "age_of_majority": "18",
        "minor_consent_age": ""})
    assert ok.status_code == 200 and "Settings saved" in ok.text
    assert 'value="US-NY"' in client.get("/admin/center").text


def test_plugins_page_lists_plugins_hooks_contributions_and_errors(client, signed_in, web_practice):
    web_practice.record_plugin_error("talk", "polymodal_screen_response", RuntimeError("boom in screening"))
    signed_in("admin")
    page = client.get("/admin/plugins")
    assert page.status_code == 200
    for info in web_practice.plugin_info():
        assert f'id="plugin-{info.name}-h"' in page.text
        assert info.version in page.text
    assert "polymodal_register_assessments" in page.text and "Patient Health Questionnaire-9" in page.text and "talk/phq-9" not in page.text
    assert "ecotherapy" in page.text  # the third-party plugin shows like the first-party ones
    talk = page.text[page.text.index('id="plugin-talk-h"'):]
    talk = talk[:talk.index("</section>")]
    assert "boom in screening" in talk and "1 recent error" in talk


def test_access_history_for_admins_from_the_client_page(client, signed_in, client_id, htmx):
    cid = client_id("Ellis", "Jordan")
    signed_in("rivera")
    client.get(f"/clients/{cid}/notes")
    client.cookies.clear()
    signed_in("admin")
    overview = client.get(f"/clients/{cid}")
    assert f'href="/clients/{cid}/access-history"' in overview.text
    page = client.get(f"/clients/{cid}/access-history")
    assert page.status_code == 200 and "rivera" in page.text and "client.view" in page.text
    fragment = client.get(f"/clients/{cid}/access-history", headers=htmx)
    assert fragment.text.lstrip().startswith('<div id="access-events">')
    client.cookies.clear()
    signed_in("frontdesk")
    assert "access-history" not in client.get(f"/clients/{cid}").text


def test_users_list_query_count_is_constant(client, signed_in, web_practice, queries):
    from polymodal.core.access import Actor
    from polymodal.core.services import users

    signed_in("admin")
    client.get("/admin/users")
    queries.reset()
    client.get("/admin/users")
    few = queries.count
    with web_practice.work(Actor.system("t")) as work:
        for i in range(15):
            users.create_user(work, {"username": f"extra{i}", "display_name": f"Extra {i}",
                                     "password": "a-long-password-1", "roles": ["front_desk"]})
    queries.reset()
    client.get("/admin/users")
    assert queries.count == few, queries.statements


def test_plugins_and_access_history_query_counts(client, signed_in, client_id, queries):
    cid = client_id("Ellis", "Jordan")
    signed_in("admin")
    client.get("/admin/plugins")
    queries.reset()
    client.get("/admin/plugins")
    assert queries.count <= 6, queries.statements
    client.get(f"/clients/{cid}/access-history")
    queries.reset()
    client.get(f"/clients/{cid}/access-history")
    first = queries.count
    for _ in range(5):
        client.get(f"/clients/{cid}")
    queries.reset()
    client.get(f"/clients/{cid}/access-history")
    assert queries.count == first


def test_change_roles_and_422_on_none(client, signed_in, web_practice, htmx):
    from sqlalchemy import select

    from polymodal.core.models import User

    token = signed_in("admin")
    with web_practice.engine.connect() as conn:
        maya_id = conn.execute(select(User.id).where(User.username == "maya")).scalar_one()
    headers = {**htmx, "X-CSRF-Token": token}
    none = client.post(f"/admin/users/{maya_id}/roles", headers=headers, data={})
    assert none.status_code == 422 and 'id="f-roles-error"' in none.text
    ok = client.post(f"/admin/users/{maya_id}/roles", headers=headers, data={"roles": ["practitioner", "supervisor"]})
    assert ok.status_code == 200
    page = client.get(f"/admin/users/{maya_id}")
    assert re.search(r'value="supervisor" checked', page.text)
