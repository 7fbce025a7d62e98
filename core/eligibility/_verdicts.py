"""What the eligibility decision answers: ranked verdicts, the gates they stop, and the findings that carry them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum


class Verdict(StrEnum):
    """Ranked, worst first. Screening rules' outcomes map onto these by value."""

    risk = "risk"
    excluded = "excluded"
    clearance = "clearance"
    review = "review"
    screening = "screening"
    consent = "consent"
    modify = "modify"
    eligible = "eligible"


RANK = {v: len(Verdict) - i for i, v in enumerate(Verdict)}
LABELS = {
    Verdict.risk: "Risk", Verdict.excluded: "Excluded", Verdict.clearance: "Clearance needed",
    Verdict.review: "Needs review",
    Verdict.screening: "Screening needed", Verdict.consent: "Needed before the session",
    Verdict.modify: "Modify", Verdict.eligible: "Eligible",
}


class Gate(StrEnum):
    book = "book"
    move = "move"
    check_in = "check_in"
    sign = "sign"


BLOCKS: dict[Gate, frozenset[Verdict]] = {
    Gate.book: frozenset({Verdict.excluded}),
    Gate.move: frozenset({Verdict.excluded}),
    Gate.check_in: frozenset({Verdict.risk, Verdict.excluded, Verdict.clearance, Verdict.review, Verdict.screening,
                              Verdict.consent}),
    # Signing documents what happened; only the body regions worked on can stop it (eligibility.regions).
    Gate.sign: frozenset(),
}
"""Which unsettled verdicts stop each gate. ``clearance`` books (the session is marked pending clearance);
``review`` (a plugin's check failed, so nobody knows) books too, and waits at check-in for a person."""

OVERRIDABLE = frozenset({Verdict.excluded, Verdict.clearance, Verdict.review, Verdict.screening})
"""Blocks a clinician may override with a reason; consent, credentials and risk are never overridden."""


@dataclass(frozen=True)
class Finding:
    """One reason the answer is not simply 'eligible'.

    ``reason`` may quote clinical answers and is shown to readers of the
    clinical record; ``summary`` names the kind and source without them, for
    the front desk. ``settled`` says what answers it (a clearance, an
    override, a risk acknowledgement); a settled finding is shown, never blocks.
    """

    verdict: Verdict
    code: str
    reason: str
    source: str
    next_step: str
    summary: str = ""
    client_id: uuid.UUID | None = None
    client_name: str = ""
    clinical: bool = False
    overridable: bool = False
    since: dt.datetime | None = None
    settled: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    def blocks(self, gate: Gate) -> bool:
        return not self.settled and self.verdict in BLOCKS[gate]

    def settle(self, how: str) -> Finding:
        return replace(self, settled=how)

    def shown_to(self, clinical: bool) -> Finding:
        """The finding as a reader without clinical access sees it."""
        if clinical or not self.clinical:
            return self
        # The code and the rule's source can name the condition ("breathwork/pregnancy", a page about
        # lymphedema, "Pregnancy, found in ..."), so they go too; the summary names the form and its date.
        return replace(self, reason=self.summary or "A clinical check (details are visible to the care team).",
                       code=f"clinical/{self.verdict.value}", source="the client's clinical record",
                       settled="Settled (details are visible to the care team)." if self.settled else "")


@dataclass(frozen=True)
class Decision:
    findings: tuple[Finding, ...]

    @property
    def verdict(self) -> Verdict:
        open_ = [f.verdict for f in self.findings if not f.settled and f.verdict is not Verdict.eligible]
        return max(open_, key=RANK.__getitem__, default=Verdict.eligible)

    def blocking(self, gate: Gate) -> list[Finding]:
        return [f for f in self.findings if f.blocks(gate)]

    def of_verdict(self, verdict: Verdict, *, settled: bool | None = None) -> list[Finding]:
        return [f for f in self.findings if f.verdict is verdict and (settled is None or bool(f.settled) == settled)]


def ranked(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-RANK[f.verdict], bool(f.settled), f.client_name, f.code)))
