"""/admin/audit: the center-wide trail, filtered by person, client, action and day, paged by keyset, and checked."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import func, select, text, update

from polymodal.core import audit
from polymodal.core.access import Actor
from polymodal.core.audit_trail import listing
from polymodal.core.models import AuditEvent, User
from tests.clocks import FIXED_NOW
from tests.tampering import without_triggers
from tests.web.conftest import HTMX

ROW = re.compile(r"<small>#(\d+)</small>")


def seqs(html: str) -> list[int]:
    return [int(s) for s in ROW.findall(html)]


def older_link(html: str) -> str | None:
    found = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"[^>]*rel="next"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def add_events(web_practice):
    """``count`` events by ``user`` (a username) on ``client_id``, one minute apart before ``start``."""

    def add(count: int, *, user: str = "maya", action: str = "note.read", client_id: str | None = None,
            start: dt.datetime = FIXED_NOW) -> None:
        with web_practice.work(Actor.system("test")) as work:
            who = Actor.of(work.db.scalars(select(User).where(User.username == user)).one())
            client = uuid.UUID(client_id) if client_id else None
            audit.chain(work.db, [audit.Pending(who, action, start - dt.timedelta(minutes=count - i),
                                                record_type="note", client_id=client) for i in range(count)])

    return add


def test_only_whoever_reads_the_audit_may_open_or_verify_the_trail(client, signed_in):
    for user in ("frontdesk", "rivera", "billing"):
        client.cookies.clear()
        csrf = signed_in(user)
        assert client.get("/admin/audit").status_code == 403
        assert client.post("/admin/audit/verify", data={"_csrf": csrf}).status_code == 403


def test_rows_say_who_did_what_to_which_client_when_in_the_centers_zone(client, signed_in, add_events, client_id):
    jordan = client_id("Ellis", "Jordan")
    add_events(1, user="rivera", action="note.read", client_id=jordan, start=FIXED_NOW + dt.timedelta(hours=1))
    signed_in("admin")
    page = client.get(f"/admin/audit?client_id={jordan}")
    assert page.status_code == 200
    first = page.text[page.text.index("<tbody>"):].split("</tr>")[0]
    # 08:59 in Los Angeles: FIXED_NOW is 15:00 UTC, the event a minute before an hour later.
    assert "Rivera" in first
    assert "Note: viewed" in first and "Jordan Ellis" in first and "08:59:00" in first and "PDT" in first
    assert "note.read" not in page.text.split("<tbody>")[1]  # keys are for the filter's values, not the rows


def test_filters_by_person_client_action_and_days(client, signed_in, add_events, client_id, web_practice):
    jordan, tom = client_id("Ellis", "Jordan"), client_id("Becker", "Tom")
    add_events(3, user="rivera", action="note.read", client_id=jordan, start=FIXED_NOW - dt.timedelta(days=3))
    add_events(2, user="maya", action="session.read", client_id=tom)
    signed_in("admin")
    with web_practice.work(Actor.system("test"), write=False) as work:
        rivera = work.db.scalar(select(User.id).where(User.username == "rivera"))

    by_person = client.get(f"/admin/audit?person={rivera}&action=note.read").text
    assert len(seqs(by_person)) >= 3 and "Session: viewed" not in by_person.split("<tbody>")[1]
    by_name = client.get("/admin/audit?client=Becker&action=session.read").text
    assert len(seqs(by_name)) == 2 and "Tom Becker" in by_name and "Jordan Ellis" not in by_name.split("<tbody>")[1]
    by_id = client.get(f"/admin/audit?client_id={jordan}").text
    assert "Tom Becker" not in by_id.split("<tbody>")[1] and "Jordan Ellis" in by_id
    three_days_ago = (FIXED_NOW - dt.timedelta(days=3)).date().isoformat()
    that_day = client.get(f"/admin/audit?action=note.read&since={three_days_ago}&until={three_days_ago}").text
    assert len(seqs(that_day)) == 3
    assert "No event matches" in client.get("/admin/audit?client=Nobodyatall").text


def test_wrong_filters_are_named_and_what_was_typed_is_kept(client, signed_in):
    signed_in("admin")
    page = client.get("/admin/audit", params={"since": "2026-13-45", "until": "", "client": "<script>x</script>",
                                             "person": "nobody"})
    assert page.status_code == 422
    assert "Enter a date as YYYY-MM-DD" in page.text and 'value="2026-13-45"' in page.text
    assert "Choose a person from the list." in page.text
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x</script>" not in page.text
    backwards = client.get("/admin/audit", params={"since": "2026-10-20", "until": "2026-10-01"})
    assert backwards.status_code == 422 and "on or after the first day" in backwards.text
    broken = client.get("/admin/audit?before=abc", headers=HTMX)
    assert broken.status_code == 422 and "start again from the first page" in broken.text
    assert "<html" not in broken.text


def test_paging_walks_every_event_once_newest_first_with_the_same_queries_per_page(
        client, signed_in, add_events, queries):
    add_events(130, action="session.read")
    signed_in("admin")
    client.get("/admin/audit")  # warm up: the session's last-seen write happens at most once a minute
    url, seen, counts = "/admin/audit?action=session.read", [], []
    while url:
        queries.reset()
        page = client.get(url)
        counts.append(queries.count)
        seen += seqs(page.text)
        url = older_link(page.text)
    assert len(seen) == 130 and len(set(seen)) == 130 and seen == sorted(seen, reverse=True)
    assert len(counts) == 3 and len(set(counts)) == 1, (counts, queries.statements)
    # session, user, the filter's people, the page (one statement), and the audit append.
    assert counts[0] <= 10, queries.statements


@pytest.mark.parametrize(("filters", "index"), [
    ({}, "ix_audit_events_at_seq"),
    ({"person": "person"}, "ix_audit_events_actor_at_seq"),
    ({"action": "note.read"}, "ix_audit_events_action_at_seq"),
    ({"client_ids": "client"}, "ix_audit_events_client_at_seq"),
    ({"since": FIXED_NOW.date(), "until": FIXED_NOW.date()}, "ix_audit_events_at_seq"),
])
def test_a_page_reads_an_index_in_order_never_sorting_the_trail(web_practice, web_engine, filters, index):
    if web_engine.dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite; bench/audit_page.py measures both databases")
    values = {k: (uuid.uuid4() if v == "person" else (uuid.uuid4(),) if v == "client" else v)
              for k, v in filters.items()}
    with web_practice.work(Actor.system("test"), write=False) as work:
        stmt = listing.statement(work, listing.Filters(**values), before=5)
        compiled = stmt.compile(web_engine, compile_kwargs={"literal_binds": True})
        plan = " | ".join(r[-1] for r in work.db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan


def test_verify_shows_intact_then_names_the_tampered_event_and_is_audited(client, signed_in, web_practice, queries):
    csrf = signed_in("admin")
    intact = client.post("/admin/audit/verify", data={"_csrf": csrf}, headers=HTMX)
    assert intact.status_code == 200 and "Intact." in intact.text and "<html" not in intact.text
    with web_practice.engine.connect() as conn:
        verified = conn.execute(select(AuditEvent.outcome, AuditEvent.reason, AuditEvent.actor_name)
                                .where(AuditEvent.action == "audit.verify")).all()
    assert [(v.outcome, v.actor_name) for v in verified] == [("success", "admin")]
    with web_practice.engine.connect() as conn:
        target = conn.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.action == "auth.login"))
    with without_triggers(web_practice.engine, "audit_events") as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == target).values(actor_name="nobody"))
    broken = client.post("/admin/audit/verify", data={"_csrf": csrf})
    assert broken.status_code == 200 and "The trail is broken: 1 problem found" in broken.text
    assert f"event {target}: altered" in broken.text
    assert "Older events" in broken.text or "<tbody>" in broken.text  # the plain form gets the whole page back
    with web_practice.engine.connect() as conn:
        outcomes = conn.execute(select(AuditEvent.outcome).where(AuditEvent.action == "audit.verify")
                                .order_by(AuditEvent.seq)).scalars().all()
    assert outcomes == ["success", "failed"]
