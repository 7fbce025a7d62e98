"""Portal fixtures: a packet and link prepared through the services, and a portal visitor's client."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Client, Guardian
from polymodal.core.practice import Practice
from polymodal.core.services import clients, portal

CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture
def issue(web_practice: Practice) -> Callable[..., tuple[str, str]]:
    """``issue(last, first, modalities, guardian=False, assessments=())`` → (token, packet id)."""

    def make(last: str, first: str, modalities: list[str], *, guardian: bool = False,
             assessments: tuple[str, ...] = (), days: int = 7) -> tuple[str, str]:
        with web_practice.work(Actor.system("test")) as work:
            client = work.db.scalars(select(Client).where(Client.legal_last_name == last,
                                                          Client.legal_first_name == first)).one()
            guardian_id = work.db.scalars(select(Guardian.id).where(Guardian.client_id == client.id)).first() \
                if guardian else None
            packet = portal.prepare_packet(work, client.id, modalities, list(assessments))
            link, token = portal.issue_link(work, packet.id, guardian_id=guardian_id, days=days)
            return token, str(packet.id)

    return make


@pytest.fixture
def child(web_practice: Practice) -> str:
    """A 10-year-old (below the demo center's minor-consent age of 12) with a guardian who may consent."""
    with web_practice.work(Actor.system("test")) as work:
        kid = clients.register_client(work, {"legal_first_name": "Mila", "legal_last_name": "Okafor",
                                             "date_of_birth": f"{work.now.year - 10}-01-15"})
        clients.add_guardian(work, kid.id, {"name": "Grace Okafor", "relationship": "mother",
                                            "email": "grace@example.org"})
        return str(kid.id)


def open_link(client: TestClient, token: str):
    """Follow a portal link like a browser: the exchange, then the redirect to /portal."""
    first = client.get(f"/p/{token}", follow_redirects=False)
    assert first.status_code == 303, first.text
    assert first.headers["location"] == "/portal"
    return first, client.get("/portal")


def csrf(html: str) -> str:
    return CSRF_FIELD.search(html).group(1)


def minimal_answers(fields) -> dict:
    """The smallest valid post for a definition's fields: a word, 'no', the first option, the minimum."""
    data: dict = {}
    for field in fields:
        if not field.required:
            continue
        kind = field.type.value
        if kind == "body_map":
            for region in field.regions[:2]:
                for item in field.item_fields:
                    data[f"{field.key}.{region.code}.{item.key}"] = item.options[0].value if item.options else "x"
            continue
        data[field.key] = {"yes_no": "no", "single_choice": field.options[0].value if field.options else "",
                           "multi_choice": field.options[0].value if field.options else "",
                           "scale": str(int(field.min or 0)), "number": str(field.min or 0),
                           "date": "2026-01-01"}.get(kind, "n/a")
    return data
