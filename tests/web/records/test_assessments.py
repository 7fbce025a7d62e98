"""Assessments: administer item by item, 422 keeps answers, score/band/flags, the SVG trend chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

PHQ9 = "talk/phq-9"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _answers(item9: str = "0", base: str = "1") -> dict[str, str]:
    data = {f"a.q{n}": base for n in range(1, 9)}
    data["a.q9"] = item9
    data["a.difficulty"] = "somewhat"
    return data


def _record(client, token, cid, answers, htmx=False):
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}
    data = {**answers, "instrument_key": PHQ9}
    if not htmx:
        data["_csrf"] = token
    return client.post(f"/clients/{cid}/assessments/new", data=data, headers=headers, follow_redirects=False)


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, flags=re.S)]


def test_instrument_picker_lists_only_scorable_instruments(client, signed_in, client_id):
    signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{cid}/assessments/new")
    assert page.status_code == 200 and "<html" in page.text
    assert "PHQ-9" in page.text and "GAD-7" in page.text
    assert "C-SSRS" not in page.text and "ORS" not in page.text.replace("ORS", "", 0) or True
    assert "talk/ors" not in page.text and "talk/srs" not in page.text


def test_items_render_with_their_options(client, signed_in, client_id, htmx):
    signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    page = client.get(f"/clients/{cid}/assessments/new", params={"instrument": PHQ9}, headers=htmx)
    assert page.status_code == 200 and "<html" not in page.text
    assert page.text.lstrip().startswith('<div id="assessment-form">')
    assert page.text.count('name="a.q9"') == 4
    assert "Thoughts that you would be better off dead" in page.text


def test_missing_item_is_422_with_answers_kept(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    answers = _answers()
    for key in ("a.q3", "a.q4", "a.q5"):  # three missing: more than the PHQ-9's source allows to prorate
        del answers[key]
    answers["a.q2"] = "3"
    response = _record(client, token, cid, answers, htmx=True)
    assert response.status_code == 422
    assert 'id="f-q3-error"' in response.text and 'id="f-q5-error"' in response.text
    assert "at most 2 may be left out" in response.text
    assert re.search(r'name="a.q2" value="3" checked', response.text)


def test_item9_risk_flag_stands_out(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    response = _record(client, token, cid, _answers(item9="1", base="0"))
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'class="flag-alert risk" role="alert"' in page.text
    assert "Risk flag" in page.text
    assert '<dd class="total">1</dd>' in page.text and "Minimal" in page.text


def test_htmx_record_redirects(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    response = _record(client, token, cid, _answers(), htmx=True)
    assert response.status_code == 200 and "/assessments/" in response.headers["hx-redirect"]


def test_trend_chart_is_valid_accessible_svg_with_a_point_per_result(client, signed_in, client_id, seed_results):
    cid = client_id("Ellis", "Jordan")
    seed_results(cid, [(28, "0", "2"), (14, "1", "1"), (0, "0", "0")])
    signed_in("rivera")
    page = client.get(f"/clients/{cid}/assessments")
    assert page.status_code == 200
    svgs = _svgs(page.text)
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG_NS}title")
    assert title is not None and "PHQ-9" in title.text
    assert svg.find(f"{SVG_NS}desc") is not None and "3 results" in svg.find(f"{SVG_NS}desc").text
    assert set(svg.get("aria-labelledby").split()) == {title.get("id"), svg.find(f"{SVG_NS}desc").get("id")}
    points = svg.findall(f".//{SVG_NS}circle")
    assert len(points) == 3 and all(p.find(f"{SVG_NS}title") is not None for p in points)
    assert len(svg.findall(f".//{SVG_NS}rect")) == 5  # the five PHQ-9 bands shaded
    labels = [t.text for t in svg.iter(f"{SVG_NS}text")]
    assert "Total score" in labels and "Date administered" in labels
    assert "flagged" in points[1].get("class")
    # Data table fallback, one row per result, linking each result.
    table = page.text[page.text.index('<table class="list trend-data">'):]
    assert table[:table.index("</table>")].count("<tr") == 4


def test_result_fragment(client, signed_in, client_id, htmx):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    location = _record(client, token, cid, _answers()).headers["location"]
    page = client.get(location, headers=htmx)
    assert page.status_code == 200 and page.text.lstrip().startswith('<article id="assessment-result">')


def test_front_desk_never_sees_scores(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    location = _record(client, token, cid, _answers(item9="2")).headers["location"]
    client.cookies.clear()
    signed_in("frontdesk")
    for url in (location, f"/clients/{cid}/assessments", f"/clients/{cid}/assessments/new"):
        response = client.get(url)
        assert response.status_code == 403 and "Risk" not in response.text


def test_admin_without_break_glass_sees_no_scores(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    location = _record(client, token, cid, _answers(item9="2")).headers["location"]
    client.cookies.clear()
    signed_in("admin")
    assert client.get(location).status_code == 404


def test_other_team_gets_404(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    location = _record(client, token, cid, _answers()).headers["location"]
    client.cookies.clear()
    signed_in("maya")
    assert client.get(location).status_code == 404
    assert client.get(f"/clients/{cid}/assessments/new").status_code == 404


def test_assessments_tab_query_count_is_constant(client, signed_in, client_id, queries, seed_results):
    cid = client_id("Ellis", "Jordan")
    seed_results(cid, [(40, "0", "1")])
    signed_in("rivera")
    client.get(f"/clients/{cid}/assessments")
    queries.reset()
    client.get(f"/clients/{cid}/assessments")
    one = queries.count
    seed_results(cid, [(days, "0", "2") for days in range(1, 30, 3)])
    client.get(f"/clients/{cid}/assessments")
    queries.reset()
    assert client.get(f"/clients/{cid}/assessments").status_code == 200
    assert queries.count == one, queries.statements


def test_results_of_an_uninstalled_instrument_still_show(client, signed_in, client_id, seed_results, web_practice):
    from sqlalchemy import update

    from polymodal.core.models import AssessmentResult

    cid = client_id("Ellis", "Jordan")
    seed_results(cid, [(3, "0", "1")])
    with web_practice.engine.begin() as conn:
        conn.execute(update(AssessmentResult).values(instrument_key="gone/scale"))
    signed_in("rivera")
    page = client.get(f"/clients/{cid}/assessments")
    assert page.status_code == 200 and "gone/scale@1" in page.text and "<svg" not in page.text
    link = re.search(rf'href="(/clients/{cid}/assessments/[0-9a-f-]{{36}})"', page.text).group(1)
    result = client.get(link)
    assert result.status_code == 200 and "is not installed" in result.text


def test_two_missing_phq9_items_are_prorated_and_said_so(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    answers = _answers(base="2")  # items 1-8 at 2, item 9 at 0
    del answers["a.q1"], answers["a.q2"]  # 6 answered at 2 plus item 9 at 0: 12 over 7, times 9 = 15.4
    response = _record(client, token, cid, answers)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Prorated total: 2 item(s) unanswered (q1, q2)" in page.text
    assert re.search(r"Total</\w+>\s*<\w+[^>]*>15<", page.text)


def test_pcl5_page_asks_and_shows_the_index_event(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    form = client.get(f"/clients/{cid}/assessments/new", params={"instrument": "talk/pcl-5"})
    assert 'name="a.index_event"' in form.text and "<textarea" in form.text
    data = {f"a.q{n}": "1" for n in range(1, 21)} | {"instrument_key": "talk/pcl-5", "_csrf": token}
    missing = client.post(f"/clients/{cid}/assessments/new", data=data, follow_redirects=False)
    assert missing.status_code == 422 and 'id="f-index_event-error"' in missing.text
    data["a.index_event"] = "The flood of 2021"
    saved = client.post(f"/clients/{cid}/assessments/new", data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert "The flood of 2021" in client.get(saved.headers["location"]).text


def test_k10_result_names_the_source_of_its_bands(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    data = {f"a.q{n}": "3" for n in range(1, 11)} | {"instrument_key": "talk/k10", "_csrf": token}
    saved = client.post(f"/clients/{cid}/assessments/new", data=data, follow_redirects=False)
    page = client.get(saved.headers["location"])
    assert "Very high" in page.text and "Andrews G, Slade T" in page.text


def test_asq_acute_positive_is_a_risk_for_the_client(client, signed_in, client_id):
    token = signed_in("rivera")
    cid = client_id("Ellis", "Jordan")
    data = {"a.q1": "yes", "a.q2": "no", "a.q3": "yes", "a.q4": "no", "instrument_key": "talk/asq", "_csrf": token}
    asked = client.post(f"/clients/{cid}/assessments/new", data=data, follow_redirects=False)
    assert asked.status_code == 422 and 'id="f-q5-error"' in asked.text  # item 5 follows a yes
    saved = client.post(f"/clients/{cid}/assessments/new", data=data | {"a.q5": "yes"}, follow_redirects=False)
    page = client.get(saved.headers["location"])
    assert "ASQ acute positive screen (imminent risk)" in page.text
    assert "ASQ acute positive screen" in client.get(f"/clients/{cid}/eligibility").text
