"""A session's log (breathwork's rounds) opens from the session page, keeps what was typed, and is listed there."""

from __future__ import annotations

LOG = "breathwork/session-log"
ROUNDS = {"a.review_result": "clear", "a.style": "rounds", "a.oriented": "yes", "a.steady": "yes",
          "a.rounds.0.breaths": "30", "a.rounds.0.retention_seconds": "90", "a.rounds.0.recovery_hold_seconds": "15",
          "a.rounds.1.breaths": "35", "a.rounds.1.retention_seconds": "125"}


def test_the_rounds_log_opens_from_a_breathwork_session_page(client, signed_in, session_of):
    signed_in("leo")
    sid = session_of("Sato", "Hana")
    page = client.get(f"/sessions/{sid}").text
    card = page.split('id="session-logs"')[1].split("</section>")[0]
    assert "No log for this session yet." in card
    link = f"/sessions/{sid}/log?form=breathwork/session-log&amp;client="
    assert link in card and "Open the breathwork session log" in card
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and "Breathwork session log" in form.text
    for key in ("f-rounds-0-breaths", "f-rounds-0-retention_seconds", "f-intention", "f-adverse_events", "f-oriented"):
        assert f'id="{key}' in form.text, key


def test_a_log_with_a_missing_answer_is_422_and_keeps_every_round(client, signed_in, session_of, htmx):
    token = signed_in("leo")
    sid = session_of("Sato", "Hana")
    data = {**ROUNDS, "a.intention": "<script>alert(1)</script> let go", "form_key": LOG}
    data.pop("a.steady")
    data.pop("a.rounds.1.retention_seconds")
    response = client.post(f"/sessions/{sid}/log", data=data, headers={**htmx, "X-CSRF-Token": token})
    assert response.status_code == 422 and response.text.lstrip().startswith('<div id="log-form">')
    assert 'id="f-steady-error"' in response.text and "Row 2: retention_seconds" in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; let go" in response.text and "<script>alert" not in response.text
    assert 'value="125"' not in response.text and 'value="35"' in response.text  # the typed rows are kept


def test_a_saved_log_is_listed_on_the_session_and_reads_back_each_round(client, signed_in, session_of):
    token = signed_in("leo")
    sid = session_of("Sato", "Hana")
    saved = client.post(f"/sessions/{sid}/log", data={**ROUNDS, "form_key": LOG, "_csrf": token},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/sessions/{sid}#session-logs"
    card = client.get(f"/sessions/{sid}").text.split('id="session-logs"')[1].split("</section>")[0]
    assert "Breathwork session log</a> · Hana Sato" in card
    href = card.split('<a href="')[1].split('"')[0]
    shown = client.get(href).text
    assert "125" in shown and "Rounds with retention" in shown


def test_only_a_log_of_the_sessions_modality_is_taken(client, signed_in, session_of, htmx):
    token = signed_in("leo")
    sid = session_of("Sato", "Hana")
    wrong = client.post(f"/sessions/{sid}/log", data={"form_key": "breathwork/screening", "_csrf": token})
    assert wrong.status_code == 404
    assert client.get(f"/sessions/{sid}/log?form=talk/intake").status_code == 404


def test_the_logs_address_without_a_form_lists_the_sessions_logs(client, signed_in, session_of):
    signed_in("leo")
    listed = client.get(f"/sessions/{session_of('Sato', 'Hana')}/log")
    assert listed.status_code == 200 and "?form=breathwork/session-log" in listed.text
    signed_in("rivera")
    none = client.get(f"/sessions/{session_of('Ellis', 'Jordan')}/log")
    assert none.status_code == 200 and "keeps no log beside its note" in none.text


def test_a_session_without_a_log_has_no_log_card_and_the_desk_cannot_open_one(client, signed_in, session_of):
    signed_in("rivera")
    assert 'id="session-logs"' not in client.get(f"/sessions/{session_of('Ellis', 'Jordan')}").text
    signed_in("frontdesk")
    sid = session_of("Sato", "Hana")
    assert 'id="session-logs"' not in client.get(f"/sessions/{sid}").text
    assert client.get(f"/sessions/{sid}/log?form={LOG}").status_code == 403


def test_the_session_page_costs_the_same_statements_however_many_logs(client, signed_in, session_of, queries,
                                                                      web_clock):
    token = signed_in("leo")
    sid = session_of("Sato", "Hana")
    url = f"/sessions/{sid}"
    client.post(f"/sessions/{sid}/log", data={**ROUNDS, "form_key": LOG, "_csrf": token})
    client.get(url)
    one_log = queries.of_page(client, url)
    for _ in range(5):
        web_clock.advance(minutes=1)
        client.post(f"/sessions/{sid}/log", data={**ROUNDS, "form_key": LOG, "_csrf": token})
    assert client.get(url).text.count("Breathwork session log</a>") == 6
    assert queries.of_page(client, url) == one_log
