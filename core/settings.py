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
    public_url: str = field(default_factory=lambda: os.environ.get("POLYMODAL_PUBLIC_URL", "").rstrip("/"))
    """Where staff and clients reach the site (links in messages); empty: messages carry no link to it."""
    audit_key: str = field(default_factory=lambda: os.environ.get("POLYMODAL_AUDIT_KEY", ""), repr=False)
    """The integrity key ring itself (``<id> <secret>`` entries, comma-separated); see ``polymodal.core.keys``."""
    audit_key_file: str = field(default_factory=lambda: os.environ.get("POLYMODAL_AUDIT_KEY_FILE", ""))
    """A file holding the key ring, one entry a line; empty with no ``audit_key``: the development key."""
    session_cache: float = field(default_factory=lambda: float(os.environ.get("POLYMODAL_SESSION_CACHE", "") or 1.0))
    """Seconds a signed-in session, once read, answers again without a database read; 0 reads it every page.
    Sign-out, disabling a user or changing their roles in one worker process takes effect there at once and in
    other processes within this time (``polymodal.core.services.signin``)."""
    audit_checkpoints: str = field(default_factory=lambda: os.environ.get("POLYMODAL_AUDIT_CHECKPOINTS", ""))
    """Where ``polymodal audit checkpoint`` writes (a file or folder): the admin's "verify the trail" checks
    against its newest checkpoint, as ``audit verify --checkpoint`` does; empty: no checkpoint is read."""
    hidden_modalities: tuple[str, ...] = field(default_factory=lambda: tuple(
        k.strip() for k in os.environ.get("POLYMODAL_HIDE_MODALITIES", "").split(",") if k.strip()))
    """Modality keys the center does not offer although a plugin provides them (e.g. one of two plugins'
    dance/movement therapy): left out of every list and refused at booking, their records still shown.
    The admin's plugin page lists them, so hiding is never silent."""
    smtp: SmtpSettings = field(default_factory=lambda: SmtpSettings())
    jobs: JobSettings = field(default_factory=lambda: JobSettings())

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


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


@dataclass(frozen=True)
class SmtpSettings:
    """The outgoing mail server. Empty ``host``: e-mail stays in the outbox, queued, until one is set."""

    host: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_HOST", ""))
    port: int = field(default_factory=lambda: _env_int("POLYMODAL_SMTP_PORT", 25))
    tls: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_TLS", "starttls"))
    """``starttls`` (upgrade when the server offers it), ``ssl`` (TLS from the first byte, port 465) or ``none``."""
    user: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_USER", ""))
    password: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_PASSWORD", ""), repr=False)
    sender: str = field(default_factory=lambda: os.environ.get("POLYMODAL_SMTP_SENDER", "") or "polymodal@localhost")
    timeout: int = field(default_factory=lambda: _env_int("POLYMODAL_SMTP_TIMEOUT", 15))


@dataclass(frozen=True)
class JobSettings:
    """The job queue (huey): where it keeps jobs, who runs them, how sending retries."""

    in_process: bool = field(default_factory=lambda: os.environ.get("POLYMODAL_JOBS_IN_PROCESS") == "1")
    """Run workers inside ``polymodal serve`` (it sets this unless told otherwise)."""
    workers: int = field(default_factory=lambda: _env_int("POLYMODAL_JOB_WORKERS", 2))
    channel: str = field(default_factory=lambda: os.environ.get("POLYMODAL_MESSAGE_CHANNEL", ""))
    """Force one channel for every message (``console`` in development); empty: each message's own."""
    retries: int = field(default_factory=lambda: _env_int("POLYMODAL_SEND_RETRIES", 3))
    retry_delay: int = field(default_factory=lambda: _env_int("POLYMODAL_SEND_RETRY_DELAY", 60))
    """Seconds before the first retry; each later wait doubles (60 s, 2 min, 4 min)."""
