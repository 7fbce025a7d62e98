"""Form bodies: capped in size and field count per route, parsed once per request, never cached beyond it.

Litestar parses url-encoded bodies through an ``lru_cache`` keyed on the raw
bytes (``litestar._parsers.parse_url_encoded_form_data``): 1,024 distinct
bodies, each up to the body limit, stay in a worker's memory, together with
their parsed dictionaries. Posting distinct large bodies to /sign-in grew a
worker to gigabytes and it stayed there (issue 12). Litestar reads the parsed
form from the request's scope state when it is already there, so the guard
below parses it first, with our caps, and its own cached parser is never
called. tests/web/test_request_limits.py checks that the cache stays empty.

Limits per route: ``request_max_body_size`` (Litestar's own, checked while the
body streams in, 413) and ``opt["max_fields"]`` (400). Bidi controls are
dropped from every field here (core/text.py), so no form stores them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from polymodal.core.text import without_bidi_controls

MAX_BODY = 2_000_000
"""Any form of a staff page: a note of 200,000 characters, url-encoded, fits."""
MAX_FIELDS = 2_000
SIGN_IN_BODY, SIGN_IN_FIELDS = 8_192, 10
"""Anyone on the internet can post to /sign-in: room for a username, a password and the tokens."""
PORTAL_BODY, PORTAL_FIELDS = 262_144, 1_000
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class TooManyFields(ClientException):
    """A form with more fields than its page has."""


async def read_form(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A guard: parse an unsafe request's url-encoded body once, within this route's limits."""
    if connection.scope["method"] in SAFE or not isinstance(connection, Request):
        return
    if connection.content_type[0] != RequestEncodingType.URL_ENCODED:
        return
    state = ScopeState.from_scope(connection.scope)
    if state.form is not Empty:
        return
    body = await connection.body()  # raises 413 past the route's request_max_body_size
    state.form = parse_form(body, handler.opt.get("max_fields", MAX_FIELDS))


def parse_form(body: bytes, max_fields: int) -> dict[str, Any]:
    """``name=value&...`` as Litestar shapes it (a list only for a repeated name), without bidi controls."""
    try:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, separator="&",
                          max_num_fields=max_fields)
    except ValueError:
        raise TooManyFields(detail=f"The form has more than {max_fields} fields; nothing was saved.") from None
    values: defaultdict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        values[without_bidi_controls(name)].append(without_bidi_controls(value))
    return {name: found if len(found) > 1 else found[0] for name, found in values.items()}
