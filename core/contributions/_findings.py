"""Results that behaviour hooks hand back to the core."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from polymodal.core.contributions._base import Frozen


class FindingLevel(StrEnum):
    info = "info"
    """Shown; counts as eligible."""
    warning = "warning"
    """Shown; counts as modify."""
    block = "block"
    """Counts as excluded for the plugin's own modalities (refuses booking, moving and check-in unless a supervisor overrides), as modify for others'."""


class Finding(Frozen):
    """Something a practitioner must see: a screening result or a pre-flight check.

    ``block`` stops a session from starting; ``warning`` is shown and may be
    acknowledged. ``code`` is stable so dashboards and tests can match it.
    """

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_./-]*$", max_length=120)
    """A stable identifier such as ``equine/helmet``, for dashboards and tests to match."""
    level: FindingLevel
    """How much it weighs in the eligibility decision."""
    message: str = Field(min_length=1, max_length=1000)
    """Shown to the practitioner as is: say what is wrong and what to do."""
    source: str = ""
    """The guideline behind the check; empty shows "plugin <name>"."""


class PermissionRule(Frozen):
    """A plugin's vote on an access decision; any deny wins, no vote means no."""

    allow: bool
    """False denies; True is accepted but cannot widen what the core's rules allow."""
    reason: str = Field(min_length=1, max_length=300)
    """Why; required so each vote explains itself in the plugin's own tests and logs (the core does not show it:
    the user sees the usual "not allowed" page)."""
