"""Results that behaviour hooks hand back to the core."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from polymodal.core.contributions._base import Frozen


class FindingLevel(StrEnum):
    info = "info"
    warning = "warning"
    block = "block"


class Finding(Frozen):
    """Something a practitioner must see: a screening result or a pre-flight check.

    ``block`` stops a session from starting; ``warning`` is shown and may be
    acknowledged. ``code`` is stable so dashboards and tests can match it.
    """

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_./-]*$", max_length=120)
    level: FindingLevel
    message: str = Field(min_length=1, max_length=1000)
    source: str = ""


class PermissionRule(Frozen):
    """A plugin's vote on an access decision; any deny wins, no vote means no."""

    allow: bool
    reason: str = Field(min_length=1, max_length=300)
