"""The portal for a minor: the demo's Sofia (12 on the suite's fixed clock, tests/clocks.py) in a California
center signs her psychotherapy consent herself but not the breathwork one; her mother answering the intake
is asked about Sofia by name."""

from __future__ import annotations

import re

from tests.web.portal.conftest import csrf, open_link


def test_a_guardian_answering_in_the_portal_is_asked_about_the_child(client, issue):
    token, _ = issue("Alvarez", "Sofia", ["talk/psychotherapy"], guardian=True)
    open_link(client, token)
    pages = [client.get(f"/portal/step?n={n}").text for n in range(1, 4)]
    intake = next(p for p in pages if "Talk therapy intake" in p)
    assert "What brings Sofi to us now?" in intake and "Has Sofi ever tried to end their life?" in intake


def test_in_the_portal_sofia_signs_her_therapy_consent_but_not_the_breathwork_one(client, issue):
    token, _ = issue("Alvarez", "Sofia", ["talk/psychotherapy", "breathwork/breathwork"])
    open_link(client, token)
    pages = {}
    for n in range(1, 7):
        page = client.get(f"/portal/step?n={n}").text
        title = re.search(r"<h1>(.*?)</h1>", page)
        pages[title.group(1) if title else n] = page
    notice = "A parent or guardian must sign this consent for you."
    assert notice in pages["Breathwork: risks and consent"]
    assert notice not in pages["Informed consent to services"]
    assert "Are you having thoughts of ending your life at present?" in pages["Talk therapy intake"]
    assert csrf(pages["Talk therapy intake"])
