"""Eligibility: the one decision every gate asks, and the records it reads.

``decide(work, Ask(...))`` weighs the client's screening results across
modalities, client facts, consents (body regions and telehealth included),
age and guardian authority, practitioners' credentials in the session's
jurisdiction, recorded clearances, overrides and risk acknowledgements, and
plugins' pre-flight checks. It returns ranked findings; ``BLOCKS`` says which
verdicts stop booking, moving, check-in and signing.
"""

from polymodal.core.eligibility._checks import confirm_location, set_region
from polymodal.core.eligibility._decision import (
    Ask,
    Refused,
    applies_in,
    ask_for,
    decide,
    decide_session,
    guardian_reason,
    qualified,
    refuse,
)
from polymodal.core.eligibility._records import (
    acknowledge_risk,
    announce_new_risk,
    clearances_of,
    open_risk_codes,
    open_risks,
    override,
    overrides_for,
    pending_reviews,
    record_clearance,
    review_screening,
    risk_board,
    risks_of,
)
from polymodal.core.eligibility._regions import region_problems, region_states, worked_regions
from polymodal.core.eligibility._screening import lowers
from polymodal.core.eligibility._verdicts import (
    BLOCKS,
    LABELS,
    OVERRIDABLE,
    RANK,
    Decision,
    Finding,
    Gate,
    Verdict,
)

__all__ = [
    "BLOCKS",
    "LABELS",
    "OVERRIDABLE",
    "RANK",
    "Ask",
    "Decision",
    "Finding",
    "Gate",
    "Refused",
    "Verdict",
    "acknowledge_risk",
    "announce_new_risk",
    "applies_in",
    "ask_for",
    "clearances_of",
    "confirm_location",
    "decide",
    "decide_session",
    "guardian_reason",
    "lowers",
    "open_risk_codes",
    "open_risks",
    "override",
    "overrides_for",
    "pending_reviews",
    "qualified",
    "record_clearance",
    "refuse",
    "region_problems",
    "region_states",
    "review_screening",
    "risk_board",
    "risks_of",
    "set_region",
    "worked_regions",
]
