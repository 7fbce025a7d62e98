"""The integrity key: kept outside the database, it keys the audit chain, checkpoints and note seals.

Whoever can write the database file could recompute an unkeyed hash chain after
editing it; without this key they cannot produce a hash that verifies. The key
ring comes from ``POLYMODAL_AUDIT_KEY`` (entries separated by commas) or the
file named by ``POLYMODAL_AUDIT_KEY_FILE`` (one entry a line, ``#`` comments).
An entry is ``<key id> <secret>``; the first entry signs new rows, the others
only verify the rows written under them (rotation: put a new entry first and
keep the old ones). Each row stores the id of the key it was written with.

With neither set, development (``make run``, tests) gets a key file beside the
database, made once with mode 0600 and announced loudly in the log;
``polymodal serve`` refuses that fallback outside development.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from polymodal.core.errors import StartupError

log = logging.getLogger("polymodal")
DEV_KEY_FILE = "audit.key"
"""The development key's name, in the data folder (beside the SQLite database)."""
MIN_SECRET_CHARS = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
SESSION_INFO = "polymodal_keys"
"""Where a database session made by ``Practice`` carries the key ring (``Session.info``)."""


class KeyProblem(StartupError):
    """The key ring is missing or malformed: nothing can be signed or verified."""


@dataclass(frozen=True)
class Keyring:
    """Secrets by key id; ``current`` signs, every one verifies. Subkeys are derived per purpose."""

    current: str
    secrets: Mapping[str, bytes] = field(repr=False)
    source: str = ""
    """Where the keys came from, for messages: the variable, the file, or ``development``."""
    _derived: dict[tuple[str, str], bytes] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Subkeys already derived: every page's audit event needs one, and verifying the trail one per event."""

    def __post_init__(self) -> None:
        if self.current not in self.secrets:
            raise KeyProblem(f"the current key {self.current!r} is not in the key ring")

    @property
    def development(self) -> bool:
        return self.source.startswith("development")

    def subkey(self, purpose: str, key_id: str | None = None) -> bytes | None:
        """The key for ``purpose`` (audit chain, note seal, ...) under ``key_id``; None if that id is unknown.

        Derived, so one secret serves every purpose without a MAC of one kind standing in for another.
        """
        key_id = key_id or self.current
        derived = self._derived.get((purpose, key_id))
        if derived is None:
            secret = self.secrets.get(key_id)
            if secret is None:
                return None
            derived = self._derived[(purpose, key_id)] = hmac.new(secret, f"polymodal/{purpose}/v1".encode(),
                                                                  hashlib.sha256).digest()
        return derived

    def mac(self, purpose: str, message: bytes, key_id: str | None = None) -> str | None:
        """Hex HMAC-SHA256 of ``message``; None if ``key_id`` is not in the ring."""
        key = self.subkey(purpose, key_id)
        return None if key is None else hmac.new(key, message, hashlib.sha256).hexdigest()

    def holds(self, purpose: str, message: bytes, key_id: str | None, expected: str | None) -> bool:
        """Whether ``expected`` is the MAC of ``message`` under ``key_id`` (compared in constant time)."""
        actual = self.mac(purpose, message, key_id) if key_id else None
        return bool(actual and expected) and hmac.compare_digest(actual, expected or "")

    @classmethod
    def from_text(cls, text: str, source: str) -> Keyring:
        entries: dict[str, bytes] = {}
        first = ""
        for number, raw in enumerate(re.split(r"[\n,]", text), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2 or not _KEY_ID.match(parts[0]):
                raise KeyProblem(f"{source}, entry {number}: write '<key id> <secret>' (id: letters, digits, . _ -)")
            key_id, secret = parts
            if len(secret) < MIN_SECRET_CHARS:
                raise KeyProblem(f"{source}, key {key_id!r}: the secret needs at least {MIN_SECRET_CHARS} "
                                "characters (make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
            if key_id in entries:
                raise KeyProblem(f"{source}: the key id {key_id!r} appears twice")
            entries[key_id] = secret.encode()
            first = first or key_id
        if not entries:
            raise KeyProblem(f"{source} holds no key")
        return cls(first, entries, source)


def new_entry(key_id: str) -> str:
    """A fresh key-file line: ``<key id> <random secret>``."""
    return f"{key_id} {secrets.token_urlsafe(32)}"


def configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether the operator named a key (variable or file), rather than relying on the development key."""
    env = os.environ if env is None else env
    return bool(env.get("POLYMODAL_AUDIT_KEY") or env.get("POLYMODAL_AUDIT_KEY_FILE"))


def load(data_dir: Path, key: str = "", key_file: str = "") -> Keyring:
    """The key ring from ``key`` (the variable's text), else ``key_file``, else the development key file."""
    if key:
        return Keyring.from_text(key, "POLYMODAL_AUDIT_KEY")
    if key_file:
        return _read_file(Path(key_file), f"key file {key_file}")
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        _create_dev_key(path)
    return _read_file(path, f"development key file {path}")


def _read_file(path: Path, source: str) -> Keyring:
    try:
        text = path.read_text()
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyProblem(f"cannot read the {source}: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the %s can be read by other users (mode %o): chmod 600 it", source, stat.S_IMODE(mode))
    return Keyring.from_text(text, source)


def _create_dev_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once must not each write their own key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write("# Development key made by polymodal: not for real records (set POLYMODAL_AUDIT_KEY_FILE).\n"
                  f"{new_entry('dev-1')}\n")
    log.warning("*** NO AUDIT KEY CONFIGURED: made a development key at %s (mode 0600). Outside development "
                "set POLYMODAL_AUDIT_KEY_FILE to a key kept away from the database; see docs/operations.md ***",
                path)
