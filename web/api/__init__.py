"""The JSON API under /api/v1: one controller module per area, bearer tokens, problem details.

Every handler opens the same ``Work`` a page opens and calls the same core
services (through ``polymodal.core.interop.records``), so access, audit and
eligibility are the pages' own.
"""
