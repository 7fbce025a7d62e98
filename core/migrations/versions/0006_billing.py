"""billing: services, charges, invoices, payments, packages, diagnoses

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 23:45:31
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate writes Text() inside JSONB)

from sqlalchemy.dialects import postgresql

import polymodal.core.models._base  # noqa: F401
from polymodal.core.migrations import integrity
revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('billing_invoice_counters',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('next_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', name=op.f('pk_billing_invoice_counters'))
    )
    op.create_table('billing_tax_rules',
    sa.Column('jurisdiction', sa.String(length=20), nullable=False),
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_tax_rules')),
    sa.UniqueConstraint('jurisdiction', 'modality_key', name=op.f('uq_billing_tax_rules_jurisdiction'))
    )
    op.create_table('billing_case_diagnoses',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_billing_case_diagnoses_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_case_diagnoses')),
    sa.UniqueConstraint('case_id', 'code', name=op.f('uq_billing_case_diagnoses_case_id'))
    )
    with op.batch_alter_table('billing_case_diagnoses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_case_diagnoses_case_id'), ['case_id'], unique=False)

    op.create_table('billing_invoices',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('payer_kind', sa.String(length=20), nullable=False),
    sa.Column('payer_name', sa.String(length=200), nullable=False),
    sa.Column('payer_address', sa.String(length=500), nullable=False),
    sa.Column('issued_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal_minor', sa.Integer(), nullable=False),
    sa.Column('tax_minor', sa.Integer(), nullable=False),
    sa.Column('total_minor', sa.Integer(), nullable=False),
    sa.Column('credits_id', sa.Uuid(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_billing_invoices_client_id_clients')),
    sa.ForeignKeyConstraint(['credits_id'], ['billing_invoices.id'], name=op.f('fk_billing_invoices_credits_id_billing_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_invoices')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_billing_invoices_kind'))
    )
    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_invoices_client_id'), ['client_id'], unique=False)

    op.create_table('billing_packages',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('sessions_total', sa.Integer(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('bought_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_billing_packages_client_id_clients')),
    sa.ForeignKeyConstraint(['invoice_id'], ['billing_invoices.id'], name=op.f('fk_billing_packages_invoice_id_billing_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_packages'))
    )
    with op.batch_alter_table('billing_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_packages_client_id'), ['client_id'], unique=False)

    op.create_table('billing_payments',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('received_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('refund_of', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_billing_payments_client_id_clients')),
    sa.ForeignKeyConstraint(['invoice_id'], ['billing_invoices.id'], name=op.f('fk_billing_payments_invoice_id_billing_invoices')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_billing_payments_recorded_by_users')),
    sa.ForeignKeyConstraint(['refund_of'], ['billing_payments.id'], name=op.f('fk_billing_payments_refund_of_billing_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_payments'))
    )
    with op.batch_alter_table('billing_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_payments_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_billing_payments_received', ['received_at'], unique=False)

    op.create_table('billing_services',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('modality_key', sa.String(length=120), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tiers', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_billing_services_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_services'))
    )
    with op.batch_alter_table('billing_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_services_modality_key'), ['modality_key'], unique=False)

    op.create_table('billing_client_rates',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('tier', sa.String(length=80), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_billing_client_rates_client_id_clients')),
    sa.ForeignKeyConstraint(['service_id'], ['billing_services.id'], name=op.f('fk_billing_client_rates_service_id_billing_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_client_rates')),
    sa.UniqueConstraint('client_id', 'service_id', name=op.f('uq_billing_client_rates_client_id'))
    )
    op.create_table('billing_charges',
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('tax_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('invoice_id', sa.Uuid(), nullable=True),
    sa.Column('package_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', polymodal.core.models._base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_billing_charges_client_id_clients')),
    sa.ForeignKeyConstraint(['invoice_id'], ['billing_invoices.id'], name=op.f('fk_billing_charges_invoice_id_billing_invoices')),
    sa.ForeignKeyConstraint(['package_id'], ['billing_packages.id'], name=op.f('fk_billing_charges_package_id_billing_packages')),
    sa.ForeignKeyConstraint(['service_id'], ['billing_services.id'], name=op.f('fk_billing_charges_service_id_billing_services')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_billing_charges_session_id_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_charges')),
    sa.UniqueConstraint('session_id', 'client_id', 'kind', name=op.f('uq_billing_charges_session_id'))
    )
    with op.batch_alter_table('billing_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_charges_client_id'), ['client_id'], unique=False)

    op.create_table('billing_invoice_lines',
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.Uuid(), nullable=True),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('service_date', sa.Date(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('tax_minor', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['charge_id'], ['billing_charges.id'], name=op.f('fk_billing_invoice_lines_charge_id_billing_charges')),
    sa.ForeignKeyConstraint(['invoice_id'], ['billing_invoices.id'], name=op.f('fk_billing_invoice_lines_invoice_id_billing_invoices')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_billing_invoice_lines_session_id_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_invoice_lines'))
    )
    with op.batch_alter_table('billing_invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_invoice_lines_invoice_id'), ['invoice_id'], unique=False)
    integrity.create(integrity.BILLING_RULES)


def downgrade() -> None:
    integrity.drop(integrity.BILLING_RULES)
    with op.batch_alter_table('billing_invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_invoice_lines_invoice_id'))

    op.drop_table('billing_invoice_lines')
    with op.batch_alter_table('billing_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_charges_client_id'))

    op.drop_table('billing_charges')
    op.drop_table('billing_client_rates')
    with op.batch_alter_table('billing_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_services_modality_key'))

    op.drop_table('billing_services')
    with op.batch_alter_table('billing_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_payments_received')
        batch_op.drop_index(batch_op.f('ix_billing_payments_client_id'))

    op.drop_table('billing_payments')
    with op.batch_alter_table('billing_packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_packages_client_id'))

    op.drop_table('billing_packages')
    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_invoices_client_id'))

    op.drop_table('billing_invoices')
    with op.batch_alter_table('billing_case_diagnoses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_case_diagnoses_case_id'))

    op.drop_table('billing_case_diagnoses')
    op.drop_table('billing_tax_rules')
    op.drop_table('billing_invoice_counters')
