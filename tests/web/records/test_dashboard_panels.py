"""The start page's records panels: screening and risk flags, consents missing or expiring."""

from __future__ import annotations

import uuid

from polymodal.core.access import Actor
from polymodal.core.services import forms


def _flag_intake(client, token, cid, sample_post, web_practice):
    form = web_practice.registry.forms.get("talk/intake")
    data = sample_post(form.fields, suicidal_thoughts_now="yes")
    response = client.post(f"/clients/{cid}/intake/new", data={**data, "form_key": "talk/intake", "_csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303


def test_practitioner_sees_flags_and_missing_consents(client, signed_in, client_id, seed_results, sample_post,
                                                     web_practice):
    jordan = client_id("Ellis", "Jordan")
    seed_results(jordan, [(2, "1", "1")])
    token = signed_in("rivera")
    _flag_intake(client, token, jordan, sample_post, web_practice)
    page = client.get("/")
    assert page.status_code == 200
    assert "Screening and risk flags" in page.text and "Consents missing or expiring" in page.text
    flags = page.text[page.text.index('id="flags-h"'):page.text.index('id="consents-due-h"')]
    assert "Jordan Ellis: PHQ-9" in flags and "attention-risk" in flags
    assert "screening: risk" in flags
    # Elena's psychedelic-integration sessions need a consent she has not signed (she is the trainee's client).
    consents = page.text[page.text.index('id="consents-due-h"'):]
    assert "Elena Moreau" in consents and "missing" in consents


def test_front_desk_sees_consents_but_never_flags(client, signed_in, client_id, seed_results):
    seed_results(client_id("Ellis", "Jordan"), [(1, "2", "2")])
    signed_in("frontdesk")
    page = client.get("/")
    assert "Consents missing or expiring" in page.text
    assert "Screening and risk flags" not in page.text and "PHQ-9" not in page.text
    assert "Tom Becker" in page.text  # massage without consent to touch


def test_admin_sees_neither_panel(client, signed_in):
    signed_in("admin")
    page = client.get("/")
    assert page.status_code == 200
    assert "Screening and risk flags" not in page.text and "Consents missing" not in page.text


def test_panels_query_count_does_not_grow(client, signed_in, client_id, seed_results, queries):
    jordan, priya = client_id("Ellis", "Jordan"), client_id("Natarajan", "Priya")
    seed_results(jordan, [(1, "1", "1")])
    signed_in("rivera")
    client.get("/")
    queries.reset()
    client.get("/")
    few = queries.count
    seed_results(jordan, [(d, "2", "1") for d in range(2, 8)])
    seed_results(priya, [(d, "1", "0") for d in range(1, 8)])
    client.get("/")
    queries.reset()
    client.get("/")
    assert queries.count == few, queries.statements


def test_current_suicidal_thoughts_show_as_risk_above_an_exclusion_and_stay(client, signed_in, client_id,
                                                                             sample_post, web_practice, web_clock):
    jordan = client_id("Ellis", "Jordan")
    token = signed_in("rivera")
    _flag_intake(client, token, jordan, sample_post, web_practice)
    web_clock.advance(days=90)
    signed_in("rivera")
    answers = {f.key: f.key == "glaucoma" for f in web_practice.registry.forms.get("breathwork/screening").fields
               if f.type == "yes_no"} | {"blood_pressure": "normal", "asthma": "none"}
    with web_practice.work(Actor.system("test")) as work:
        forms.submit_form(work, uuid.UUID(jordan), "breathwork/screening", answers)
    flags = client.get("/").text
    flags = flags[flags.index('id="flags-h"'):flags.index('id="consents-due-h"')]
    items = flags.split("<li")[1:]
    assert "Jordan Ellis: Talk therapy intake" in items[0] and 'badge risk">risk<' in items[0]
    assert "Breathwork health screening" in items[1] and 'badge excluded">excluded<' in items[1]
