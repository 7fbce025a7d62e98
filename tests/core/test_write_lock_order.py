"""Two writes to one client that take their locks in opposite orders, at once, on PostgreSQL.

A transaction that changes a record audits it, and auditing takes the audit chain's lock until the
transaction ends. Before: a portal packet filed a form (audited: chain lock held) and then signed a consent
(which locks the client's row), while the front desk's edit of that client had updated the row (row lock
held) and then audited (waiting for the chain lock). Each waited for the other; PostgreSQL ended one with
"deadlock detected", and that person's change was lost. Every write transaction now takes the chain lock
first (``Practice.work``), so the second waits for the first to finish. SQLite's write lock (BEGIN
IMMEDIATE) already orders writers this way.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from polymodal.core.models import Client, ConsentRecord
from polymodal.core.services import clients, consent


def test_a_client_edit_and_a_consent_signed_after_an_audit_both_land(practice, staff):
    if practice.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write lock orders writers already")
    desk = staff["desk"]
    with practice.work(desk) as work:
        client_id = clients.register_client(work, {"legal_first_name": "Lock", "legal_last_name": "Order",
                                                   "date_of_birth": "1990-01-01"}).id
    row_locked, chain_taken = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def edit() -> None:  # as update_client: the row's UPDATE is flushed, then the change is audited
        try:
            with practice.work(desk) as work:
                work.db.execute(update(Client).where(Client.id == client_id).values(pronouns="they/them"))
                row_locked.set()
                chain_taken.wait(1)  # with the fix the other transaction cannot audit before this one ends
                work.audit("client.update", record_type="client", record_id=client_id, client_id=client_id)
        except BaseException as exc:  # noqa: BLE001 - a deadlock must fail the test, not vanish
            errors.append(exc)

    def file_and_sign() -> None:  # as a portal packet: a form filed (audited), then a consent signed
        try:
            row_locked.wait(3)
            with practice.work(desk) as work:
                work.audit("portal.save_step", record_type="portal_packet", client_id=client_id)
                chain_taken.set()
                consent.record_consent(work, client_id, "clinic/informed", signer_name="Lock Order")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=edit), threading.Thread(target=file_and_sign)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    with practice.work(desk, write=False) as work:
        assert work.db.scalar(select(Client.pronouns).where(Client.id == client_id)) == "they/them"
        assert work.db.scalar(select(ConsentRecord.signer_name).where(ConsentRecord.client_id == client_id)) \
            == "Lock Order"
