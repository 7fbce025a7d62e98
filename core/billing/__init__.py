"""Money: services and fees, invoices and credit notes, payments, packages, superbills and reports.

Amounts are integers in minor units (cents) with an ISO 4217 currency, never floats. An issued invoice is
immutable, like a signed note: a credit note corrects it. Billing staff see money and who, never notes.
"""
