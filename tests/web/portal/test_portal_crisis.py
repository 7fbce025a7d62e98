"""The crisis text: shown at once, on the page after submitting, to a client whose answers report suicidal
thoughts; never to one whose answers do not; set per jurisdiction by the admin on the center settings page."""

from __future__ import annotations

from polymodal.core.access import Actor
from polymodal.core.models import Center
from tests.web.conftest import HTMX
from tests.web.portal.conftest import csrf, minimal_answers, open_link


def submit_one_step(client, web_practice, token, answers):
    """Open the link, answer the packet's one step, submit: the page the client sees next."""
    open_link(client, token)
    page = client.get("/portal/step?n=1")
    saved = client.post("/portal/step?n=1", data={**answers, "_csrf": csrf(page.text), "go": "next"},
                        follow_redirects=False)
    assert saved.headers["location"] == "/portal/review", saved.text
    review = client.get("/portal/review")
    return client.post("/portal/submit", data={"_csrf": csrf(review.text)})


def phq9(web_practice, q9):
    items = web_practice.registry.assessments.get("talk/phq-9").items
    return {**{item.key: "0" for item in items if item.scored}, "q9": q9}


def crisis_box(html):
    return html.split('id="crisis-text"')[1].split("</section>")[0] if 'id="crisis-text"' in html else ""


def test_phq9_item9_above_zero_shows_the_crisis_text_on_the_next_page(client, web_practice, issue):
    token, _ = issue("Ellis", "Jordan", [], assessments=("talk/phq-9",))
    done = submit_one_step(client, web_practice, token, phq9(web_practice, "1"))
    assert done.status_code == 200 and "Thank you" in done.text
    box = crisis_box(done.text)
    assert "Call or text 988" in box and "call 911" in box and 'role="alert"' in done.text
    assert done.text.index('id="crisis-text"') < done.text.index('id="done-title"')  # first on the page


def test_a_positive_asq_shows_it_too(client, web_practice, issue):
    token, _ = issue("Ellis", "Jordan", [], assessments=("talk/asq",))
    answers = {"q1": "yes", "q2": "no", "q3": "no", "q4": "no", "q5": "no"}
    assert "988" in crisis_box(submit_one_step(client, web_practice, token, answers).text)


def test_suicidal_thoughts_now_on_the_intake_show_it(client, web_practice, issue):
    token, _ = issue("Ellis", "Jordan", ["talk/psychotherapy"])
    registry = web_practice.registry
    open_link(client, token)
    steps = [("form", "talk/intake", {"suicidal_thoughts_now": "yes", "presenting_concerns": "Low mood"}),
             ("consent", "talk/informed-consent", {"signer_name": "Jordan Ellis", "agree": "yes"})]
    for n, (kind, key, extra) in enumerate(steps, start=1):
        page = client.get(f"/portal/step?n={n}")
        spec = registry.forms.get(key) if kind == "form" else registry.consent_documents.get(key)
        client.post(f"/portal/step?n={n}", follow_redirects=False,
                    data={**minimal_answers(spec.fields), **extra, "_csrf": csrf(page.text), "go": "next"})
    review = client.get("/portal/review")
    done = client.post("/portal/submit", data={"_csrf": csrf(review.text)})
    assert done.status_code == 200 and "Call or text 988" in crisis_box(done.text)


def test_no_crisis_text_without_suicidal_thoughts(client, web_practice, issue):
    token, _ = issue("Ellis", "Jordan", [], assessments=("talk/phq-9",))
    done = submit_one_step(client, web_practice, token, phq9(web_practice, "0"))
    assert done.status_code == 200 and "Thank you" in done.text
    assert 'id="crisis-text"' not in done.text and "988" not in done.text


def test_the_admin_sets_the_text_and_the_portal_shows_it_escaped(client, signed_in, web_practice, issue):
    token = signed_in("admin")
    page = client.get("/admin/center").text
    assert "Crisis text in the portal" in page and "Call or text 988" in page
    rows = {"_csrf": token, "rows": "3", "jurisdiction_0": "US", "text_0": "", "jurisdiction_1": "*",
            "text_1": "x" * 1001, "jurisdiction_2": "California", "text_2": "<b>Call</b> the county line"}
    bad = client.post("/admin/center/crisis", data=rows, headers=HTMX)
    assert bad.status_code == 422 and bad.text.lstrip().startswith('<form id="crisis-form"')
    assert '<a href="#f-text_0">Write the text shown to clients here' in bad.text
    assert "under 1000 characters (it has 1001)" in bad.text and '<a href="#f-jurisdiction_2">' in bad.text
    assert "&lt;b&gt;Call&lt;/b&gt; the county line" in bad.text and 'value="California"' in bad.text
    good = {**rows, "text_0": "US: call or text 988.", "text_1": "Call 112.", "jurisdiction_2": "us-ca"}
    saved = client.post("/admin/center/crisis", data=good, headers=HTMX)
    assert saved.status_code == 200 and "Crisis texts saved" in saved.text and 'value="US-CA"' in saved.text
    desk = signed_in("frontdesk")
    assert client.post("/admin/center/crisis", data={**good, "_csrf": desk}).status_code == 403

    # The demo center is in the US: its state's text wins over the country's.
    with web_practice.work(Actor.system("test"), write=False) as work:
        assert work.db.query(Center).one().jurisdiction.startswith("US-")
        state = work.center.jurisdiction
    signed_in("admin")
    client.post("/admin/center/crisis", headers=HTMX, data={**good, "jurisdiction_2": state})
    portal_token, _ = issue("Ellis", "Jordan", [], assessments=("talk/phq-9",))
    box = crisis_box(submit_one_step(client, web_practice, portal_token, phq9(web_practice, "3")).text)
    assert "&lt;b&gt;Call&lt;/b&gt; the county line" in box and "<b>Call</b>" not in box


def test_a_guardian_is_told_about_the_child(client, web_practice, issue):
    token, _ = issue("Alvarez", "Sofia", [], guardian=True, assessments=("talk/phq-9",))
    done = submit_one_step(client, web_practice, token, phq9(web_practice, "2"))
    box = crisis_box(done.text)
    assert "If your child needs help now" in box and "Call or text 988" in box
    assert "If you need help now" not in done.text
