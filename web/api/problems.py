"""Errors of the API as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from litestar import Request, Response

API_PREFIX = "/api/"
PROBLEM = "application/problem+json"
TITLES = {404: "Not found", 403: "Not allowed", 401: "Token required"}
DETAILS = {
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "This token's user or scopes do not allow this.",
    404: "There is nothing here, or nothing this token has access to.",
    500: "The error has been logged.",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def problem(status: int, detail: str = "", *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response[bytes]:
    """One problem document; ``errors`` names each bad field (an extension member RFC 9457 allows)."""
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, HTTPStatus(status).phrase),
                            "status": status, "detail": detail or DETAILS.get(status, HTTPStatus(status).description)}
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body).encode(), status_code=status, media_type=PROBLEM, headers=headers)


def field_errors(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": name, "detail": message} for name, message in errors.items()]


def litestar_errors(extra: Any) -> list[dict[str, str]]:
    """Litestar's own parameter and body validation messages, as field errors."""
    found = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            found.append({"field": str(item.get("key", "")), "detail": str(item.get("message", ""))})
    return found
