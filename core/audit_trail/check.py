"""One check of the whole trail, shared by ``polymodal audit verify`` and the admin's "verify the trail"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from polymodal.core import audit, seals
from polymodal.core.practice import Work


@dataclass(frozen=True)
class TrailCheck:
    """The chain's verification and one line per problem (chain events first, then broken seals)."""

    result: audit.Verification
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def checkpoint_at(path: str | Path | None) -> audit.Checkpoint | None:
    """The checkpoint in ``path`` (a file, or the newest of a folder's); None without a path."""
    return audit.read_checkpoint(Path(path)) if path else None


def check(work: Work, checkpoint: audit.Checkpoint | None = None) -> TrailCheck:
    """Walk the keyed chain (against ``checkpoint`` when given) and every signed note's and addendum's seal.

    Records nothing: ``polymodal audit verify`` runs it on restored copies, whose head must stay the one
    printed at backup.
    """
    result = audit.verify(work.db, checkpoint=checkpoint)
    broken = list(seals.scan(work.db, audit.keyring_of(work.db)))
    lines = [f"event {p.seq}: {p.kind}: {p.detail}" for p in result.problems]
    lines += [f"{b.record_type} {b.record_id}: altered: {b.detail}" for b in broken]
    return TrailCheck(result, tuple(lines))


def verify(work: Work) -> TrailCheck:
    """``check``, asked by someone: allowed by ``audit.read`` and audited (``audit.verify``) with its outcome,
    so the trail shows who checked it and what they were shown.

    Checks against the newest checkpoint where the center keeps them (``POLYMODAL_AUDIT_CHECKPOINTS``), the
    same as ``polymodal audit verify --checkpoint`` there. A checkpoint that cannot be read is itself a
    problem: the chain is still walked, but nobody may take a cut-off tail for an intact trail.
    """
    work.require("audit.read")
    try:
        checkpoint, unreadable = checkpoint_at(work.practice.settings.audit_checkpoints), ()
    except audit.CheckpointUnreadable as exc:
        checkpoint, unreadable = None, (f"checkpoint: {exc}",)
    found = check(work, checkpoint)
    found = TrailCheck(found.result, unreadable + found.problems)
    work.audit("audit.verify", record_type="audit", outcome="success" if found.intact else "failed",
               reason=f"intact, {found.result.events} events" if found.intact
               else f"{len(found.problems)} problems found")
    return found
