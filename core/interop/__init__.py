"""Open data: API tokens, the FHIR R5 read model, the whole-center export and CSV import.

Everything here reads and writes through the same services and ``Work`` as the
pages (DESIGN.md, "The API is the pages' twin"): a token becomes an ``Actor``,
an export is built from services, never from raw tables.
"""
