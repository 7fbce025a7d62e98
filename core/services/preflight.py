"""Pre-flight: the eligibility decision for one booked session, as its page shows it before it starts.

There is one decision (``polymodal.core.eligibility``); pre-flight is that
decision asked for a session, with what was confirmed in it.
"""

from __future__ import annotations

from polymodal.core.eligibility import Finding, decide_session
from polymodal.core.models import Session
from polymodal.core.practice import Work


def preflight(work: Work, session: Session) -> list[Finding]:
    """The session's findings, worst first (settled ones included, marked ``settled``)."""
    return list(decide_session(work, session).findings)
