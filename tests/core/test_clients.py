"""Clients: registration and validation, minors by the center's date, couples, search."""

import datetime as dt

import pytest

from polymodal.core.access import Actor
from polymodal.core.errors import ValidationFailed
from polymodal.core.services import cases, center, clients

ADULT = {"legal_first_name": "Ada", "legal_last_name": "Lovelace", "date_of_birth": "1990-01-01"}


def register(practice, actor, **overrides):
    with practice.work(actor) as work:
        return clients.register_client(work, {**ADULT, **overrides})


def test_minor_or_adult_is_decided_by_the_date_in_the_centers_zone(practice, staff, clock):
    # 18th birthday on 2026-03-08. At 2026-03-07 20:00 UTC it is already the 8th
    # in Auckland but still the 7th in Los Angeles.
    client = register(practice, staff["desk"], date_of_birth="2008-03-08")
    clock.now = dt.datetime(2026, 3, 7, 20, 0, tzinfo=dt.UTC)
    with practice.work(staff["desk"]) as work:
        assert clients.is_minor(work, work.db.merge(client)) is True
    with practice.work(Actor.system("test")) as work:
        center.setup_center(work, {"name": "Test Center", "timezone": "Pacific/Auckland", "jurisdiction": "NZ"})
    with practice.work(staff["desk"]) as work:
        assert clients.is_minor(work, work.db.merge(client)) is False


def test_age_of_majority_follows_the_center_setting(practice, staff, clock):
    client = register(practice, staff["desk"], date_of_birth="2007-06-01")  # 18 in March 2026
    with practice.work(staff["desk"]) as work:
        assert clients.is_minor(work, work.db.merge(client)) is False
    with practice.work(Actor.system("test")) as work:
        center.setup_center(work, {"name": "Test Center", "timezone": "America/Chicago",
                                   "jurisdiction": "US-AL", "age_of_majority": 19})
    with practice.work(staff["desk"]) as work:
        assert clients.is_minor(work, work.db.merge(client)) is True


@pytest.mark.parametrize("field, value, message", [
    ("date_of_birth", "31/12/1990", "date"),
    ("date_of_birth", "2999-01-01", "past"),
    ("legal_last_name", "", "enter the legal last name"),
    ("legal_first_name", "x" * 101, "the legal first name can be at most 100 characters"),
    ("email", "not-an-email", "e-mail in the form name@example.org"),
    ("phone", "<script>", "the phone is not in the expected form: use digits, spaces and + ( ) - . only"),
    ("date_of_birth", 12, "date"),
])
def test_bad_client_input_names_the_field(practice, staff, field, value, message):
    with pytest.raises(ValidationFailed) as err:
        register(practice, staff["desk"], **{field: value})
    assert field in err.value.errors
    assert message in err.value.errors[field].lower()


def test_markup_in_names_is_stored_as_text(practice, staff):
    client = register(practice, staff["desk"], preferred_name="<img src=x onerror=alert(1)>")
    assert client.preferred_name == "<img src=x onerror=alert(1)>"


def test_search_uses_a_case_insensitive_prefix_and_respects_care_teams(practice, staff):
    register(practice, staff["desk"], legal_last_name="Smith", legal_first_name="Ann")
    register(practice, staff["desk"], legal_last_name="smithers", legal_first_name="Bob")
    register(practice, staff["desk"], legal_last_name="Jones")
    mine = register(practice, staff["trainee"], legal_last_name="Smythe")
    with practice.work(staff["desk"]) as work:
        assert [r.legal_last_name for r in clients.search_clients(work, "SMITH")] == ["Smith", "smithers"]
        assert len(clients.search_clients(work, "")) == 4
    with practice.work(staff["trainee"]) as work:
        assert [r.id for r in clients.search_clients(work, "")] == [mine.id]
    with practice.work(staff["super"]) as work:  # supervises the trainee
        assert [r.id for r in clients.search_clients(work, "sm")] == [mine.id]


def test_search_query_uses_the_index_on_sqlite(practice, staff):
    if practice.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    with practice.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM clients WHERE search_key >= 'sm' AND search_key < 'sn' "
            "ORDER BY search_key LIMIT 50"))
    assert "USING INDEX ix_clients_search" in plan or "USING COVERING INDEX ix_clients_search" in plan


def test_a_couple_case_has_exactly_two_clients(practice, staff):
    a = register(practice, staff["desk"], legal_first_name="Pat")
    b = register(practice, staff["desk"], legal_first_name="Sam")
    with practice.work(staff["desk"]) as work:
        with pytest.raises(ValidationFailed) as err:
            cases.open_case(work, title="Couple", kind="couple", client_ids=[a.id],
                            practitioner_ids=[staff["super"].user_id])
        assert "2 clients" in err.value.errors["clients"]
    with practice.work(staff["desk"]) as work:
        case = cases.open_case(work, title="Couple", kind="couple", client_ids=[a.id, b.id],
                               practitioner_ids=[staff["super"].user_id])
        assert {link.client_id for link in case.clients} == {a.id, b.id}
    with practice.work(staff["super"]) as work:  # opening the case put them on both care teams
        assert {r.id for r in clients.search_clients(work)} == {a.id, b.id}
