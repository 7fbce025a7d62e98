"""Errors the core raises; each message is written for the person who must act on it."""

from __future__ import annotations


class PolymodalError(Exception):
    """Base of every error the core raises on purpose."""


class StartupError(PolymodalError):
    """The configuration or a plugin is wrong; the app refuses to start."""


class PluginConflictError(StartupError):
    """Two plugins contributed the same key (or entry-point name); ``plugin`` is the one named second."""

    def __init__(self, message: str, *, plugin: str = "") -> None:
        super().__init__(message)
        self.plugin = plugin


class PluginDefinitionError(StartupError):
    """A plugin returned a definition that does not validate; ``plugin`` names it."""

    def __init__(self, message: str, *, plugin: str = "") -> None:
        super().__init__(message)
        self.plugin = plugin


class AccessDenied(PolymodalError):
    """The actor may not do this. Web answers 404 for records, 403 for actions."""

    def __init__(self, action: str, reason: str = "not permitted") -> None:
        super().__init__(f"{action}: {reason}")
        self.action = action
        self.reason = reason


class NotFound(PolymodalError):
    """No such record, or one the actor may not know exists."""


class ValidationFailed(PolymodalError):
    """Input does not validate; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(PolymodalError):
    """The change contradicts the current state (a double booking, a stale draft, a locked note)."""


class IllegalTransition(Conflict):
    """A status change the lifecycle does not allow."""
