"""Small pieces the record areas (intake, assessments, consent, admin) share."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect

# A posted form with repeated names (checkboxes) kept as lists.
AnyForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def go(request: HTMXRequest, path: str) -> Response:
    """After a change: htmx loads the next page (HX-Redirect), a plain form follows a 303."""
    return ClientRedirect(redirect_to=path) if request.htmx else Redirect(path=path, status_code=303)


def one(data: dict[str, Any], name: str, limit: int = 1000) -> str:
    """A single posted value as text (the first, if a name was sent twice)."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)[:limit]


def base_url(request: HTMXRequest) -> str:
    """The start of links that leave the app (feeds, portal links): the configured public URL."""
    return request.app.state.web_settings.link_base
