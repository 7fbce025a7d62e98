"""Finding a client the way the front desk types: any part of any name in any order, phone, e-mail,
accents and case ignored, the best match first; and the likely duplicates shown before registering."""

import pytest
from sqlalchemy import text

from polymodal.core.services import clients

PEOPLE = [
    {"legal_first_name": "Sofía", "legal_last_name": "Álvarez", "preferred_name": "Sofi",
     "date_of_birth": "2014-06-01", "email": "lucia.alvarez@example.org", "phone": "+1 (415) 555-0103"},
    {"legal_first_name": "Marcus", "legal_last_name": "Natarajan", "date_of_birth": "1977-02-14",
     "email": "marcus@example.org", "phone": "415 555 0177"},
    {"legal_first_name": "Jordan", "legal_last_name": "Ellis", "date_of_birth": "1988-04-12",
     "email": "je@example.org"},
    {"legal_first_name": "Ellis", "legal_last_name": "Jordan", "date_of_birth": "1950-01-01",
     "email": "ellis@example.org"},
    {"legal_first_name": "Anna", "legal_last_name": "Smith", "date_of_birth": "1990-01-01",
     "email": "jordanfan@example.org"},
]


@pytest.fixture
def people(practice, staff):
    with practice.work(staff["desk"]) as work:
        return {p["legal_first_name"]: clients.register_client(work, p).id for p in PEOPLE}


def found(practice, actor, query):
    with practice.work(actor) as work:
        return [(r.legal_first_name, r.legal_last_name) for r in clients.search_clients(work, query)]


@pytest.mark.parametrize("query", ["Sofi", "sofi alv", "ALVAREZ SOFIA", "alvárez", "Álv", "so al",
                                   "555-0103", "(415) 555 0103", "0103", "lucia.alvarez@example.org"])
def test_any_part_of_a_name_phone_or_email_finds_the_client(practice, staff, people, query):
    assert ("Sofía", "Álvarez") in found(practice, staff["desk"], query)


def test_every_word_must_match_and_a_single_letter_narrows(practice, staff, people):
    assert found(practice, staff["desk"], "Marcus N") == [("Marcus", "Natarajan")]
    assert found(practice, staff["desk"], "Marcus Z") == []
    assert found(practice, staff["desk"], "nobody") == []


def test_a_name_match_ranks_above_an_email_match(practice, staff, people):
    results = found(practice, staff["desk"], "jordan")
    assert set(results[:2]) == {("Jordan", "Ellis"), ("Ellis", "Jordan")}
    assert results[2] == ("Anna", "Smith")  # only her e-mail says jordan


def test_edits_and_markup_are_searchable_at_once(practice, staff, people):
    with practice.work(staff["desk"]) as work:
        clients.update_client(work, people["Marcus"], {**PEOPLE[1], "legal_last_name": "O'Neil <b>"})
    assert found(practice, staff["desk"], "natarajan") == []
    assert found(practice, staff["desk"], "o neil marc") == [("Marcus", "O'Neil <b>")]


def test_search_syntax_typed_as_text_is_plain_words(practice, staff, people):
    for query in ['"', "NEAR(", "a*", "-", "sofi AND", "sofi:* | x", "'"]:
        found(practice, staff["desk"], query)  # neither FTS5 nor tsquery syntax errors reach the person
    assert found(practice, staff["desk"], 'sofi" OR "marcus') == []


def test_search_respects_care_teams(practice, staff, people):
    with practice.work(staff["trainee"]) as work:
        mine = clients.register_client(work, {"legal_first_name": "Sofia", "legal_last_name": "Mine",
                                              "date_of_birth": "1990-01-01"})
    assert found(practice, staff["trainee"], "sofia") == [("Sofia", "Mine")]
    assert mine


def test_search_reads_the_full_text_index(practice, staff, people):
    with practice.work(staff["desk"]) as work:
        bind = work.db.get_bind()
        stmt = clients.search_index.match(work.db, clients.select(clients.Client.id), ["sofi"]).limit(25)
        sql = str(stmt.compile(bind, compile_kwargs={"literal_binds": True}))
        sqlite = bind.dialect.name == "sqlite"
        if not sqlite:
            work.db.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: force the planner's hand
        plan = " ".join(str(r[-1]) for r in work.db.execute(text(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ")
                                                                  + sql)))
    assert ("VIRTUAL TABLE INDEX" in plan) if sqlite else ("ix_clients_search_text" in plan), plan


def test_a_broad_search_lists_every_match_once_and_still_needs_every_word(practice, staff, people, monkeypatch):
    monkeypatch.setattr(clients.search_index, "BROAD", 1)  # as "a" at 100,000 clients: too many to rank
    everyone = found(practice, staff["desk"], "example")
    assert sorted(everyone) == sorted((p["legal_first_name"], p["legal_last_name"]) for p in PEOPLE)
    with practice.work(staff["desk"]) as work:  # pages follow one stable order
        assert [(r.legal_first_name, r.legal_last_name) for r in clients.search_clients(work, "example", limit=2)
                + clients.search_clients(work, "example", limit=3, offset=2)] == everyone
    assert found(practice, staff["desk"], "example marc") == [("Marcus", "Natarajan")]


def test_a_broad_search_typed_again_is_not_counted_again_until_a_client_is_added(practice, staff, people,
                                                                                  monkeypatch):
    """Counting "s" reads up to BROAD matches on every keystroke; its answer is kept (issue 18). It only decides
    the order, and a client added here makes the next search count afresh: the new client is listed too."""
    from sqlalchemy import event

    monkeypatch.setattr(clients.search_index, "BROAD", 4)  # five clients match "example": broad
    counts: list[str] = []

    def spy(_conn, _cursor, statement, *_args):
        if "count(" in statement:
            counts.append(statement)

    def read(actor):  # as pages search: read-only work, on the engine pages read through
        with practice.work(actor, write=False) as work:
            return [(r.legal_first_name, r.legal_last_name) for r in clients.search_clients(work, "example")]

    event.listen(practice.engine, "before_cursor_execute", spy)
    try:
        first = read(staff["desk"])
        assert read(staff["desk"]) == first and len(first) == 5
        assert len(counts) == 1
        assert read(staff["trainee"]) == []  # kept broadness is no access: none on the team
        with practice.work(staff["desk"]) as work:
            clients.register_client(work, {"legal_first_name": "Nova", "legal_last_name": "Quist",
                                           "date_of_birth": "1999-09-09", "email": "nova@example.org"})
        counts.clear()
        assert ("Nova", "Quist") in read(staff["desk"])
        assert len(counts) == 1
    finally:
        event.remove(practice.engine, "before_cursor_execute", spy)


@pytest.mark.parametrize("entered, reason", [
    ({"legal_first_name": "sofia", "legal_last_name": "ALVAREZ", "date_of_birth": "2014-06-01"},
     "same name and date of birth"),
    ({"legal_first_name": "Lucia", "legal_last_name": "Other", "date_of_birth": "1970-01-01",
      "email": "Lucia.Alvarez@example.org"}, "same e-mail"),
    ({"legal_first_name": "Someone", "legal_last_name": "Else", "date_of_birth": "1970-01-01",
      "phone": "415-555-0103"}, "same phone"),
])
def test_likely_duplicates_name_the_reason(practice, staff, people, entered, reason):
    with practice.work(staff["desk"]) as work:
        matches = clients.likely_duplicates(work, entered)
    assert [(row.legal_last_name, why) for row, why in matches] == [("Álvarez", reason)]


def test_no_duplicates_for_a_namesake_with_another_birthday(practice, staff, people):
    with practice.work(staff["desk"]) as work:
        assert clients.likely_duplicates(work, {"legal_first_name": "Sofia", "legal_last_name": "Alvarez",
                                                "date_of_birth": "2015-06-01"}) == []


def test_a_search_repeated_follows_care_team_changes_and_is_each_practitioners_own(practice, staff, people):
    """Search statements are reused per person (core/services/clients.py): the care team is read each time,
    and one practitioner's statement never answers another's search."""
    with practice.work(staff["trainee"]) as work:
        mine = clients.register_client(work, {"legal_first_name": "Sofia", "legal_last_name": "Mine",
                                              "date_of_birth": "1990-01-01"}).id
    assert found(practice, staff["trainee"], "sofia") == [("Sofia", "Mine")]
    assert found(practice, staff["other"], "sofia") == []
    with practice.work(staff["admin"]) as work:
        clients.add_to_care_team(work, mine, staff["other"].user_id)
        clients.remove_from_care_team(work, mine, staff["trainee"].user_id, "Referred on")
    assert found(practice, staff["other"], "sofia") == [("Sofia", "Mine")]
    assert found(practice, staff["trainee"], "sofia") == []
    assert found(practice, staff["trainee"], "") == []  # the list without words, the same rule
