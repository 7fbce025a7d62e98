"""List pages issue the same number of SQL statements whatever the number of rows."""

from __future__ import annotations


def test_clients_list_query_count_is_constant(client, signed_in, add_clients, queries):
    add_clients(2)  # 8 demo clients + 2
    signed_in("frontdesk")
    client.get("/clients")  # warm up: the session's last-seen write happens at most once a minute
    with_10 = queries.of_page(client, "/clients")
    fragment_10 = queries.of_page(client, "/clients?q=ex")
    add_clients(190)
    with_200 = queries.of_page(client, "/clients")
    fragment_200 = queries.of_page(client, "/clients?q=ex")
    assert with_10 == with_200 and fragment_10 == fragment_200
    # session lookup, search, and the audit append after it (last hash, insert): no per-row queries.
    assert with_200 <= 8, queries.statements  # 7 on SQLite (3 BEGINs), PostgreSQL adds its audit lock


def test_client_page_query_count_does_not_grow_with_sessions(client, signed_in, client_id, queries):
    signed_in("rivera")
    cid = client_id("Natarajan", "Priya")
    overview = queries.of_page(client, f"/clients/{cid}")
    sessions = queries.of_page(client, f"/clients/{cid}/sessions")
    assert overview <= 21 and sessions <= 21, queries.statements  # none per row: bounded, whatever the history


def test_dashboard_query_count(client, signed_in, queries):
    signed_in("rivera")
    # 8 for today's sessions and co-signing; up to 8 more for the records panels (flags, consents due,
    # each audited per client in one batch): tests/web/records/test_dashboard_panels.py keeps that constant.
    assert queries.of_page(client, "/") <= 20, queries.statements
