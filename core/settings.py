"""Settings read from the environment once, at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("POLYMODAL_DATA_DIR", "data")).resolve())
    database_url: str = field(default_factory=lambda: os.environ.get("POLYMODAL_DATABASE_URL", ""))
    strict_plugins: bool = field(default_factory=lambda: os.environ.get("POLYMODAL_STRICT_PLUGINS") == "1")
    """Re-raise plugin errors instead of isolating them (tests)."""

    @property
    def url(self) -> str:
        if self.database_url:
            return normalise_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'polymodal.db'}"


def normalise_url(url: str) -> str:
    """Accept the plain ``postgresql://`` form operators paste, use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
