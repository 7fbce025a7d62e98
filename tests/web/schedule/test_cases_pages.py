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


def _goal_id(web_practice, case_id, text: str):
    from sqlalchemy import select

    from polymodal.core.models import Goal

    with web_practice.engine.connect() as conn:
        return conn.execute(select(Goal.id).where(Goal.case_id == case_id, Goal.text == text)).scalar_one()


def test_a_goal_is_edited_given_a_baseline_and_target_and_marked_met(client, signed_in, ids, web_practice):
    token = signed_in("rivera")
    case = ids.case("Jordan: anxiety")
    client.post(f"/cases/{case}/goals", headers=HTMX, data={"_csrf": token, "text": "Sleep better"})
    goal = _goal_id(web_practice, case, "Sleep better")
    url = f"/cases/{case}/goals/{goal}"
    wrong = client.post(url, headers=HTMX, data={"_csrf": token, "text": "Sleep <b>through</b> the night",
                                                 "baseline": "2 nights a week", "target_on": "31/01/2027",
                                                 "status": "active"})
    assert wrong.status_code == 422 and f'id="g-{goal}-target_on-error"' in wrong.text
    assert "Enter the target date as a date" in wrong.text
    assert 'value="Sleep &lt;b&gt;through&lt;/b&gt; the night"' in wrong.text  # kept, and escaped
    assert 'value="2 nights a week"' in wrong.text
    bad_status = client.post(url, headers=HTMX, data={"_csrf": token, "text": "Sleep", "status": "won"})
    assert bad_status.status_code == 422 and "Choose active, met, revised or dropped." in bad_status.text
    saved = client.post(url, headers=HTMX, data={"_csrf": token, "text": "Sleep through the night",
                                                 "baseline": "2 nights a week", "target": "5 nights a week",
                                                 "target_on": "2027-01-31", "status": "met"})
    assert saved.status_code == 200 and "Goal saved." in saved.text
    item = saved.text.split(f'id="goal-{goal}"')[1].split("</li>")[0]
    assert "Sleep through the night" in item and '<span class="badge">Met</span>' in item
    assert "Baseline: 2 nights a week · Target: 5 nights a week" in item and "by 2027-01-31" in item
    other = ids.case("Tom: low back")
    assert client.post(f"/cases/{other}/goals/{goal}", data={"_csrf": token, "text": "x", "status": "met"}
                       ).status_code == 404


def test_a_case_closes_with_a_reason_only_without_sessions_to_come_and_reopens(client, signed_in, ids, client_id,
                                                                              web_practice):
    token = signed_in("rivera")
    busy = ids.case("Jordan: anxiety")
    refused = client.post(f"/cases/{busy}/status", headers=HTMX,
                          data={"_csrf": token, "action": "close", "reason": "Goals met"})
    assert refused.status_code == 409 and re.search(r"has \d+ sessions still to come", refused.text)
    assert 'value="Goals met"' in refused.text
    opened = _open(client, token, title="Jordan: follow-up", kind="individual",
                   client_ids=[client_id("Ellis", "Jordan")], practitioner_ids=[str(ids.user("rivera"))])
    case = opened.headers["location"].rsplit("/", 1)[1]
    empty = client.post(f"/cases/{case}/status", headers=HTMX, data={"_csrf": token, "action": "close",
                                                                     "reason": " "})
    assert empty.status_code == 422 and "Say why the case is closed." in empty.text
    closed = client.post(f"/cases/{case}/status", data={"_csrf": token, "action": "close",
                                                        "reason": "Goals met; ending by agreement"})
    page = client.get(f"/cases/{case}").text
    assert closed.status_code in (200, 303) and "Closed: Goals met; ending by agreement" in page
    assert "Book a session" not in page and "Reopen the case" in page
    from polymodal.core.access import Actor
    from polymodal.core.errors import ValidationFailed
    from polymodal.core.services import scheduling

    with web_practice.work(Actor.system("t")) as work:
        try:
            scheduling.schedule_session(work, {"case_id": case, "modality_key": "talk/psychotherapy",
                                               "starts_at": "2030-01-07T10:00:00+00:00", "delivery": "video"})
            raise AssertionError("a closed case took a booking")
        except ValidationFailed as exc:
            assert "This case is closed" in exc.errors["case_id"]
    reopened = client.post(f"/cases/{case}/status", data={"_csrf": token, "action": "reopen",
                                                          "reason": "New stressor at work"})
    assert reopened.status_code in (200, 303)
    page = client.get(f"/cases/{case}").text
    assert "Reopened: New stressor at work" in page and "Book a session" in page


def test_the_case_goals_sit_beside_the_note_being_written(client, signed_in, ids, start):
    token = signed_in("rivera")
    case = ids.case("Jordan: anxiety")
    for text in ("Sleep through the night", "Return to the gym"):
        client.post(f"/cases/{case}/goals", headers=HTMX, data={"_csrf": token, "text": text})
    note_id = start(token, "Ellis", "Jordan", "talk/soap")
    page = client.get(f"/notes/{note_id}").text
    goals = page.split('id="note-goals"')[1].split("</section>")[0]
    assert "Sleep through the night" in goals and "Return to the gym" in goals
