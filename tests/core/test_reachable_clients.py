"""access.reachable_client_ids: the clients an actor can reach, found from the actor's side (care teams,
supervisees, grants) so that statements over every client's records read only those clients' rows."""

import uuid

import pytest
from sqlalchemy import select

from polymodal.core.access import Actor, client_filter, reachable_client_ids
from polymodal.core.models import Client
from polymodal.core.services import cases, clients, privacy
from tests.conftest import PASSWORD

ACTIONS = ("clinical.read", "client.read", "consent.status", "session.manage", "break_glass.review",
           "portal.submit")


@pytest.fixture
def center(practice, staff):
    """Four clients: the trainee's (supervised by ``super``), ``other``'s, ``other``'s restricted one, and one on
    nobody's team that the admin broke the glass for."""
    made = {}
    with practice.work(staff["desk"]) as work:
        for key, practitioner in (("trainees", "trainee"), ("others", "other"), ("restricted", "other"),
                                  ("nobodys", None)):
            c = clients.register_client(work, {"legal_first_name": key.title(), "legal_last_name": "Client",
                                               "date_of_birth": "1990-01-01"})
            if practitioner:
                cases.open_case(work, title=key, kind="individual", client_ids=[c.id],
                                practitioner_ids=[staff[practitioner].user_id])
            made[key] = c.id
    with practice.work(Actor.system("test")) as work:
        work.db.get(Client, made["restricted"]).restricted = True
    with practice.work(staff["admin"]) as work:
        privacy.break_glass(work, made["nobodys"], "Client collapsed in the lobby, needs history", PASSWORD)
    return made


def _ids(practice, actor, action):
    with practice.work(Actor.system("test"), write=False) as work:
        now = practice.now()
        shown = set(work.db.scalars(select(Client.id).where(client_filter(actor, action, now))))
        reachable = reachable_client_ids(actor, action, now)
        within = None if reachable is None else set(work.db.scalars(reachable))
    return shown, within


@pytest.mark.parametrize("who", ["admin", "desk", "super", "trainee", "other", "masseur"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_client_the_filter_lets_through_is_reachable(practice, staff, center, who, action):
    shown, within = _ids(practice, staff[who], action)
    assert within is None or shown <= within, (who, action, shown - within)


def test_reachable_narrows_to_the_teams_supervisees_and_grants(practice, staff, center):
    assert _ids(practice, staff["trainee"], "clinical.read")[1] == {center["trainees"]}
    assert _ids(practice, staff["super"], "clinical.read")[1] == {center["trainees"]}  # a supervisee's client
    # The restricted client is reachable through the team; the filter, which still decides, keeps it out.
    shown, within = _ids(practice, staff["other"], "clinical.read")
    assert within == {center["others"], center["restricted"]} and shown == {center["others"]}
    assert _ids(practice, staff["admin"], "clinical.read")[1] == {center["nobodys"]}  # the grant only
    assert _ids(practice, staff["masseur"], "clinical.read")[1] == set()
    assert _ids(practice, staff["desk"], "client.read")[1] is None  # the front desk reaches every client


def test_a_portal_client_reaches_only_themselves(practice, staff, center):
    # portal.submit is the portal's one action, with the client's own record as its scope.
    me = Actor.portal(center["others"], None)
    assert _ids(practice, me, "portal.submit") == ({center["others"]}, {center["others"]})
    stranger = Actor.portal(uuid.uuid4(), None)
    assert _ids(practice, stranger, "portal.submit") == (set(), set())
