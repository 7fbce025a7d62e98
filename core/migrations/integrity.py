"""Database triggers that make signed records and the audit trail immutable.

The services never change these rows; the triggers make sure nothing else
does either (a plugin with a database session, a hand-written SQL fix, a
future bug). Each entry: (name, table, events, condition, message).
"""

from __future__ import annotations

from alembic import op

RULES = (
    ("audit_append_only", "audit_events", ("UPDATE", "DELETE"), None, "audit events are append-only"),
    ("notes_signed_locked", "notes", ("UPDATE", "DELETE"), "OLD.status = 'signed'",
     "a signed note cannot change; add an addendum"),
    ("addenda_append_only", "note_addenda", ("UPDATE", "DELETE"), None, "addenda are append-only"),
    ("cosign_final", "note_cosignatures", ("UPDATE", "DELETE"), None, "a co-signature cannot be changed or undone"),
    ("consent_signed_fixed", "consent_records", ("UPDATE",),
     "OLD.revoked_at IS NOT NULL OR NEW.document_key <> OLD.document_key "
     "OR NEW.document_version <> OLD.document_version OR NEW.text_hash <> OLD.text_hash "
     "OR NEW.signer_name <> OLD.signer_name OR NEW.signed_at <> OLD.signed_at OR NEW.client_id <> OLD.client_id",
     "a signed consent can only be revoked, once"),
    ("consent_no_delete", "consent_records", ("DELETE",), None, "consent records cannot be deleted"),
)


BILLING_RULES = (
    ("invoices_issued_fixed", "billing_invoices", ("UPDATE", "DELETE"), None,
     "an issued invoice cannot change; issue a credit note"),
    ("invoice_lines_fixed", "billing_invoice_lines", ("UPDATE", "DELETE"), None,
     "an issued invoice cannot change; issue a credit note"),
    ("payments_append_only", "billing_payments", ("UPDATE", "DELETE"), None,
     "a payment cannot change; record a refund"),
)
"""Added by revision 0006: money, once issued or received, is corrected by new rows, never edited."""


def create(rules: tuple = RULES) -> None:
    """Create ``rules``; the PostgreSQL function they share comes with the first set (revision 0001)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql" and rules is RULES:
        op.execute(
            "CREATE FUNCTION polymodal_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
    for name, table, events, condition, message in rules:
        if dialect == "postgresql":
            when = f"WHEN ({condition}) " if condition else ""
            op.execute(
                f"CREATE TRIGGER trg_{name} BEFORE {' OR '.join(events)} ON {table} FOR EACH ROW "
                f"{when}EXECUTE FUNCTION polymodal_refuse('{message}')"
            )
        else:
            for event in events:
                cond = condition if event == "UPDATE" else (condition or "").replace("NEW.", "OLD.")
                when = f"WHEN {cond} " if cond else ""
                op.execute(
                    f"CREATE TRIGGER trg_{name}_{event.lower()} BEFORE {event} ON {table} "
                    f"{when}BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )


def drop(rules: tuple = RULES) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, events, _condition, _message in rules:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
        else:
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS trg_{name}_{event.lower()}")
    if dialect == "postgresql" and rules is RULES:
        op.execute("DROP FUNCTION IF EXISTS polymodal_refuse()")
