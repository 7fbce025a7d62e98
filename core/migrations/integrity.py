"""Database triggers that make signed records and the audit trail immutable.

The services never change these rows; the triggers make sure nothing else
does either (a plugin with a database session, a hand-written SQL fix, a
future bug). Each entry: (name, table, events, condition, message).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect as sa_inspect

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


DESTRUCTION_GATED = ("notes_signed_locked", "addenda_append_only", "cosign_final", "consent_no_delete",
                     "safety_plans_fixed")
"""From revision 0013 on, the DELETE of these rules lets retention's destruction through; UPDATE stays refused.

``create`` builds them gated whenever the permit's table exists, so a later migration that lifts these rules
and puts them back (``drop`` then ``create``) keeps the gate without knowing of it."""
PERMIT_TABLE = "retention_destructions"
_PERMIT = "EXISTS (SELECT 1 FROM retention_destructions WHERE completed_at IS NULL)"
"""An unfinished tombstone: only the transaction destroying a record ever sees one (core/retention/models.py)."""


def _gated(rules: tuple, gated: bool | None) -> bool:
    if not any(rule[0] in DESTRUCTION_GATED for rule in rules):
        return False
    return sa_inspect(op.get_bind()).has_table(PERMIT_TABLE) if gated is None else gated


def create(rules: tuple = RULES, *, gated: bool | None = None) -> None:
    """Create ``rules``; the PostgreSQL function they share comes with the first set (revision 0001).

    ``gated``: whether the DESTRUCTION_GATED rules let a destruction permit through (default: once the
    permit's table exists).
    """
    dialect = op.get_bind().dialect.name
    gated = _gated(rules, gated)
    if dialect == "postgresql" and rules is RULES:
        op.execute(
            "CREATE FUNCTION polymodal_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
    for name, table, events, condition, message in rules:
        if gated and name in DESTRUCTION_GATED:
            _create_gated(name, table, events, condition, message)
            continue
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


def _create_gated(name: str, table: str, events: tuple, condition: str | None, message: str) -> None:
    kept = tuple(event for event in events if event != "DELETE")
    if kept:
        create(((name, table, kept, condition, message),), gated=False)
    old = (condition or "").replace("NEW.", "OLD.")
    if op.get_bind().dialect.name == "postgresql":
        when = f"WHEN ({old}) " if old else ""
        op.execute(f"CREATE TRIGGER trg_{name}_delete BEFORE DELETE ON {table} FOR EACH ROW "
                   f"{when}EXECUTE FUNCTION polymodal_refuse_unless_destroying('{message}')")
    else:
        when = f"WHEN {old + ' AND ' if old else ''}NOT {_PERMIT} "
        op.execute(f"CREATE TRIGGER trg_{name}_delete BEFORE DELETE ON {table} "
                   f"{when}BEGIN SELECT RAISE(ABORT, '{message}'); END")


def drop(rules: tuple = RULES) -> None:
    dialect = op.get_bind().dialect.name
    for name, table, events, _condition, _message in rules:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name} ON {table}")
            if name in DESTRUCTION_GATED:  # its gated DELETE half, from revision 0013 on
                op.execute(f"DROP TRIGGER IF EXISTS trg_{name}_delete ON {table}")
        else:  # gated or not, the names are trg_<name>_<event>
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS trg_{name}_{event.lower()}")
    if dialect == "postgresql" and rules is RULES:
        op.execute("DROP FUNCTION IF EXISTS polymodal_refuse()")


# --- Revision 0013: retention may destroy what is otherwise fixed -----------------------------------------

RETENTION_RULES = (
    ("tombstones_fixed", "retention_destructions", ("UPDATE",), "OLD.completed_at IS NOT NULL",
     "a destruction record cannot change"),
    ("tombstones_kept", "retention_destructions", ("DELETE",), None, "a destruction record cannot be deleted"),
    ("holds_lifted_once", "legal_holds", ("UPDATE",),
     "OLD.lifted_at IS NOT NULL OR NEW.reason <> OLD.reason OR NEW.placed_at <> OLD.placed_at",
     "a legal hold is only lifted, once"),
    ("holds_kept", "legal_holds", ("DELETE",), None, "a legal hold cannot be deleted; lift it"),
)


def _gated_rules() -> tuple:
    return tuple(rule for rule in RULES if rule[0] in DESTRUCTION_GATED)


def gate_deletes_on_destruction() -> None:
    """Revision 0013: rebuild the gated rules so their DELETE lets an open destruction permit through."""
    if op.get_bind().dialect.name == "postgresql":
        # A PostgreSQL trigger's WHEN cannot hold a subquery, so the permit is checked in the function.
        op.execute(
            "CREATE FUNCTION polymodal_refuse_unless_destroying() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN IF {_PERMIT} THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
    drop(_gated_rules())
    create(_gated_rules(), gated=True)


def ungate_deletes() -> None:
    """Back to revision 0011's triggers."""
    drop(_gated_rules())
    create(_gated_rules(), gated=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS polymodal_refuse_unless_destroying()")


# --- Revision 0014: a safety plan's versions ----------------------------------------------------------------

SAFETY_RULES = (
    ("safety_plans_fixed", "safety_plans", ("UPDATE", "DELETE"), None,
     "a safety plan version cannot change; write a revision"),
)
"""A revision is a new row: what the client was given on a day stays readable (only destruction removes it)."""
