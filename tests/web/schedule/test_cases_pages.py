"""Cases: open one (individual, couple), its page and goals, the client page's link, access per role."""

from __future__ import annotations

import re

HTMX = {"HX-Request": "true"}


def _open(client, token: str, **fields):
    return client.post("/cases", data={"_csrf": token, **fields}, follow_redirects=False)


def test_open_case_form_page_and_fragment(client, signed_in, client_id):
    signed_in("frontdesk")
    cid = client_id("Ellis", "Jordan")
    page = client.get(f"/cases/new?client={cid}")
    assert page.status_code == 200 and "<html" in page.text
    assert re.search(rf'<option value="{cid}" selected>Ellis, Jordan</option>', page.text)
    fragment = client.get("/cases/new", headers=HTMX)
    assert fragment.text.lstrip().startswith('<form id="case-form"') and "<html" not in fragment.text


def test_open_a_couple_case_then_see_its_page(client, signed_in, client_id, ids):
    token = signed_in("frontdesk")
    a, b = client_id("Sato", "Hana"), client_id("Kapoor", "Ravi")
    response = _open(client, token, title="Sato and Kapoor", kind="couple", client_ids=[a, b],
                     practitioner_ids=[str(ids.user("rivera"))])
    assert response.status_code == 303 and re.fullmatch(r"/cases/[0-9a-f-]{36}", response.headers["location"])
    page = client.get(response.headers["location"]).text
    assert "<h1>Sato and Kapoor</h1>" in page and "Couple case" in page
    assert f'href="/clients/{a}">Hana Sato' in page and f'href="/clients/{b}">Ravi Kapoor' in page
    assert "Dr. Dana Rivera" in page and "No sessions yet." in page
    assert "Goals" not in page  # clinical: not for the front desk
    assert "Book a session" in page


def test_open_case_with_htmx_redirects(client, signed_in, client_id, ids):
    token = signed_in("frontdesk")
    response = client.post("/cases", headers=HTMX, data={
        "_csrf": token, "title": "Hana again", "kind": "individual", "client_ids": client_id("Sato", "Hana"),
        "practitioner_ids": str(ids.user("leo"))})
    assert response.status_code == 200 and response.headers["hx-redirect"].startswith("/cases/")


def test_open_case_422_keeps_every_value(client, signed_in, client_id, ids):
    token = signed_in("frontdesk")
    cid = client_id("Sato", "Hana")
    response = _open(client, token, title="Half a couple", kind="couple", client_ids=[cid],
                     practitioner_ids=[str(ids.user("leo"))])
    assert response.status_code == 422
    page = response.text
    assert 'id="f-client_ids-error"' in page and "A couple case has 2 clients" in page
    assert 'value="Half a couple"' in page and re.search(rf'<option value="{cid}" selected>', page)
    assert 'value="couple" checked' in page and f'value="{ids.user("leo")}" checked' in page
    missing = client.post("/cases", headers=HTMX, data={"_csrf": token, "title": "", "kind": "individual"})
    assert missing.status_code == 422 and missing.text.lstrip().startswith('<form id="case-form"')
    for name in ("title", "client_ids", "practitioner_ids"):
        assert f'id="f-{name}-error"' in missing.text, name


def test_a_practitioner_cannot_open_a_case_for_a_client_outside_their_team(client, signed_in, client_id, ids):
    token = signed_in("trainee")
    response = _open(client, token, title="Not mine", kind="individual", client_ids=[client_id("Becker", "Tom")],
                     practitioner_ids=[str(ids.user("trainee"))])
    assert response.status_code == 404
    page = client.get("/cases/new").text
    assert "Alvarez, Sofi" in page and "Becker" not in page  # only their own clients are offered


def test_case_page_full_and_goals_fragment_for_the_practitioner(client, signed_in, ids):
    token = signed_in("rivera")
    case = ids.case("Jordan: anxiety")
    page = client.get(f"/cases/{case}")
    assert page.status_code == 200 and "<h1>Jordan: anxiety</h1>" in page.text
    assert 'id="case-goals"' in page.text and "No goals yet." in page.text
    assert page.text.count("Individual psychotherapy and counselling") >= 4  # the demo's weekly sessions
    fragment = client.get(f"/cases/{case}", headers=HTMX)
    assert fragment.text.lstrip().startswith('<section class="card" id="case-goals"')
    added = client.post(f"/cases/{case}/goals", headers=HTMX,
                        data={"_csrf": token, "text": "Sleep through the night four nights a week"})
    assert added.status_code == 200 and added.text.lstrip().startswith('<section class="card" id="case-goals"')
    assert "Sleep through the night" in added.text and "Goal added." in added.text


def test_adding_a_goal_422_and_without_javascript(client, signed_in, ids):
    token = signed_in("rivera")
    case = ids.case("Jordan: anxiety")
    empty = client.post(f"/cases/{case}/goals", data={"_csrf": token, "text": "   "})
    assert empty.status_code == 422 and "<html" in empty.text and 'id="f-text-error"' in empty.text
    too_long = client.post(f"/cases/{case}/goals", headers=HTMX, data={"_csrf": token, "text": "x" * 1100})
    assert too_long.status_code == 422 and "x" * 1000 in too_long.text  # what was typed is kept
    plain = client.post(f"/cases/{case}/goals", data={"_csrf": token, "text": "Walk daily"},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/cases/{case}#case-goals"
    assert "Walk daily" in client.get(f"/cases/{case}").text


def test_front_desk_sees_the_case_but_never_its_goals(client, signed_in, ids, web_practice):
    from polymodal.core.access import Actor
    from polymodal.core.services import cases

    case = ids.case("Jordan: anxiety")
    with web_practice.work(Actor.system("test")) as work:
        cases.add_goal(work, case, "Reduce panic attacks")
    token = signed_in("frontdesk")
    page = client.get(f"/cases/{case}").text
    assert "Jordan Ellis" in page and "Reduce panic" not in page and "Goals" not in page
    assert "Reduce panic" not in client.get(f"/cases/{case}", headers=HTMX).text
    assert client.post(f"/cases/{case}/goals", data={"_csrf": token, "text": "x"}).status_code == 403


def test_another_practitioners_case_is_a_404(client, signed_in, ids):
    token = signed_in("maya")
    case = ids.case("Jordan: anxiety")
    assert client.get(f"/cases/{case}").status_code == 404
    assert client.post(f"/cases/{case}/goals", data={"_csrf": token, "text": "x"}).status_code == 404
    assert client.get("/cases/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_client_pages_cases_tab_links_to_the_case(client, signed_in, client_id, ids):
    signed_in("frontdesk")
    cid = client_id("Ellis", "Jordan")
    tab = client.get(f"/clients/{cid}/cases", headers=HTMX).text
    assert f'href="/cases/{ids.case("Jordan: anxiety")}">Jordan: anxiety</a>' in tab
    assert f'href="/cases/new?client={cid}"' in tab
    signed_in("admin")  # may read demographics, may not open cases
    assert "/cases/new" not in client.get(f"/clients/{cid}/cases").text


def test_admin_may_not_open_cases(client, signed_in):
    signed_in("admin")
    assert client.get("/cases/new").status_code == 403


def test_case_page_query_count_does_not_grow_with_sessions(client, signed_in, ids, book, queries):
    import datetime as dt

    signed_in("frontdesk")
    url = f"/cases/{ids.case('Tom: low back')}"
    client.get(url)
    queries.reset()
    client.get(url)
    before = queries.count
    book("Tom: low back", dt.datetime(2030, 1, 7, 8), count=30)
    queries.reset()
    assert client.get(url).status_code == 200
    assert queries.count == before, queries.statements
