"""What every API controller shares: read work, and the list envelope."""

from __future__ import annotations

from typing import Any

from polymodal.core.interop.records import Page


def listing(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A short list in the same envelope as a paged one: one shape for clients to read."""
    return {"data": rows, "next_cursor": None}


def paged(page: Page) -> dict[str, Any]:
    return {"data": page.data, "next_cursor": page.next_cursor}
