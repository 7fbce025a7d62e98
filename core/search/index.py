"""The client search index on each database, kept in step with every ORM write of a client.

SQLite: an FTS5 table ``client_search`` (names, contact) whose rowid is the client's ``search_rowid``, a
number derived from its id, so an edit replaces one row and a search joins on an integer. PostgreSQL: a GIN
index on the weighted 'simple' text-search vector of the two search columns (migration 0009), no extension.
Both match every typed word as a word prefix, in any order. A narrow search (up to BROAD matches) is ranked,
name matches above contact matches; a broad one ("a", "example.org") is listed in the index's order without
ranking tens of thousands of rows (bench/frontdesk.py measures both).
"""

from __future__ import annotations

import time
import uuid
import weakref
from typing import Any

from sqlalchemy import Connection, Uuid, bindparam, column, event, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from polymodal.core.models import Client, make_search_key
from polymodal.core.search.terms import contact_terms, fts_rowid, name_terms

FTS_DDL = ("CREATE VIRTUAL TABLE client_search USING fts5(names, contact, "
           "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')")
# The same expression in the PostgreSQL index (migration) and in the query, so the planner uses the index.
PG_VECTOR = ("(setweight(to_tsvector('simple'::regconfig, search_names), 'A') || "
             "setweight(to_tsvector('simple'::regconfig, search_contact), 'B'))")
BROAD = 2000
NAME_WEIGHT, CONTACT_WEIGHT = 10.0, 1.0  # bm25 column weights: a name match outranks an e-mail match
_FTS = table("client_search", column("rowid"))
_INSERT = text("INSERT INTO client_search (rowid, names, contact) VALUES (:r, :n, :c)")
_DELETE = text("DELETE FROM client_search WHERE rowid = :r")
_UPDATE = text("UPDATE clients SET search_names = :n, search_contact = :c, search_rowid = :r, search_key = :k "
               "WHERE id = :cid"
               ).bindparams(bindparam("cid", type_=Uuid()))


def _terms(first: str, last: str, preferred: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    return {"n": name_terms(first, last, preferred or ""), "c": contact_terms(email or "", phone or "")}


@event.listens_for(Client, "before_insert")
@event.listens_for(Client, "before_update")
def _before_write(_mapper: Any, _conn: Connection, client: Client) -> None:
    if client.id is None:  # the column default would come too late for search_rowid
        client.id = uuid.uuid4()
    terms = _terms(client.legal_first_name, client.legal_last_name, client.preferred_name, client.email,
                   client.phone)
    client.search_names, client.search_contact = terms["n"], terms["c"]
    client.search_rowid = fts_rowid(client.id)


@event.listens_for(Client, "after_insert")
@event.listens_for(Client, "after_update")
def _after_write(_mapper: Any, conn: Connection, client: Client) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(_DELETE, {"r": client.search_rowid})
        conn.execute(_INSERT, {"r": client.search_rowid, "n": client.search_names, "c": client.search_contact})
    _forget_broadness(conn)


@event.listens_for(Client, "after_delete")
def _after_delete(_mapper: Any, conn: Connection, client: Client) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(_DELETE, {"r": client.search_rowid})
    _forget_broadness(conn)


def rebuild(conn: Connection, *, terms: bool = True, batch: int = 5000) -> int:
    """Re-index every client (after bulk loads that bypass the ORM): recompute the search words unless
    ``terms`` is False (the loader wrote them), then refill SQLite's FTS5 table from them."""
    if terms:
        rows = conn.execute(text("SELECT id, legal_first_name, legal_last_name, preferred_name, email, phone "
                                 "FROM clients").columns(id=Uuid())).all()
        for start in range(0, len(rows), batch):
            conn.execute(_UPDATE, [{"cid": r.id, "r": fts_rowid(r.id), "k": make_search_key(r[2], r[1], r[3] or ""),
                                    **_terms(*r[1:])}
                                   for r in rows[start:start + batch]])
    _forget_broadness(conn)
    if conn.dialect.name != "sqlite":
        return 0
    conn.execute(text("DELETE FROM client_search"))
    conn.execute(text("INSERT INTO client_search (rowid, names, contact) "
                      "SELECT search_rowid, search_names, search_contact FROM clients"))
    return conn.execute(text("SELECT count(*) FROM client_search")).scalar_one()


_MATCH = literal_column("client_search").op("MATCH")
# Built once, with the typed words as a parameter: counting is the first query of every search.
_COUNT = {
    "sqlite": select(func.count()).select_from(
        select(_FTS.c.rowid).where(_MATCH(bindparam("words"))).limit(BROAD + 1).subquery()),
    "postgresql": select(func.count()).select_from(
        select(Client.id).where(literal_column(PG_VECTOR).op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("words")))).limit(BROAD + 1).subquery()),
}


def query_text(dialect: str, words: list[str]) -> str:
    """The words as the index's query language: every word a prefix, all required."""
    if dialect == "sqlite":
        return " ".join(f'"{w}"*' for w in words)  # words are [0-9a-z]+ only: nothing to escape
    return " & ".join(f"{w}:*" for w in words)


BROAD_KEPT_SECONDS = 300.0
"""How long a query's broadness is trusted without counting again (``is_broad``)."""
_broad: weakref.WeakKeyDictionary[Any, dict[str, tuple[bool, float]]] = weakref.WeakKeyDictionary()


def is_broad(db: Session, query: str) -> bool:
    """More than BROAD clients match ``query`` (``query_text``): too many to rank.

    Counting reads up to BROAD matches, so it costs most for the broad queries, the first letters typed
    ("s", "sm"), and those are the queries typed again and again: a sixth of the client search's CPU went to
    counting "sm" (issue 18). Each database's answers are kept for BROAD_KEPT_SECONDS, and forgotten when this
    process adds, changes or removes a client. The answer only orders the matches (ranked or in the index's order),
    never which clients match or may be seen, so one stale for a few minutes (clients added by another
    worker) shows the same clients in the other order. Kept per engine, so no database answers for another.
    """
    engine = db.get_bind()
    known = _broad.setdefault(engine, {})
    now = time.monotonic()
    kept = known.get(query)
    if kept is not None and kept[1] > now:
        return kept[0]
    # On the connection: the ORM adds only overhead to a count.
    broad = db.connection().execute(_COUNT[engine.dialect.name], {"words": query}).scalar() > BROAD
    if len(known) >= 4096:  # a bound on memory, not a policy: a day's distinct searches are fewer
        known.clear()
    known[query] = (broad, now + BROAD_KEPT_SECONDS)
    return broad


def _forget_broadness(_conn: Connection) -> None:
    # Every engine's: pages read through one engine and write through another (core/db.py writer_of).
    _broad.clear()


def matching(stmt: Any, dialect: str, query: Any, *, broad: bool) -> Any:
    """``stmt`` (a select over clients) narrowed to clients matching ``query`` (a ``query_text`` or a bound
    parameter standing for one), in the order to show them."""
    if dialect == "sqlite":
        stmt = stmt.join(_FTS, _FTS.c.rowid == Client.search_rowid).where(_MATCH(query))
        if broad:
            # Too many to rank (ranking reads every match) and too clustered to list by name ("sm" walks the
            # name index from "a" to "smith"): list them in the index's own stable order; more letters narrow it.
            return stmt.order_by(_FTS.c.rowid)
        return stmt.order_by(func.bm25(literal_column("client_search"), NAME_WEIGHT, CONTACT_WEIGHT),
                             Client.search_key, Client.id)
    vector = literal_column(PG_VECTOR)
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), query)
    stmt = stmt.where(vector.op("@@")(tsquery))
    if broad:
        return stmt.order_by(Client.search_rowid)
    return stmt.order_by(func.ts_rank(vector, tsquery).desc(), Client.search_key, Client.id)


def match(db: Session, stmt: Any, words: list[str]) -> Any:
    """``stmt`` (a select over clients) narrowed to clients matching every word, in the order to show them."""
    dialect = db.get_bind().dialect.name
    query = query_text(dialect, words)
    return matching(stmt, dialect, query, broad=is_broad(db, query))
