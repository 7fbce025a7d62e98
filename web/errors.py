"""Error pages: generic, no stack traces; an unknown or forbidden record looks the same (404)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from polymodal.core.errors import AccessDenied, Conflict, NotFound, PolymodalError, ValidationFailed
from polymodal.web.api.problems import field_errors, is_api, litestar_errors, problem
from polymodal.web.guards import PortalRefused, SignInRequired
from polymodal.web.rendering import page_context
from polymodal.web.request_body import TooManyFields
from polymodal.web.security import expired_portal_cookie, expired_session_cookie

log = logging.getLogger("polymodal.web")

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your role does not give access to this page or action."),
    404: ("Not found", "There is nothing here, or nothing you have access to."),
    405: ("Not allowed", "This page does not accept that kind of request."),
    408: ("Too slow", "The request took too long to arrive. Try again."),
    409: ("Could not save", "The record changed or the change is not possible."),
    413: ("Too large", "What was sent is larger than this page accepts. Nothing was saved."),
    429: ("Slow down", "Too many requests. Wait a moment and try again."),
    500: ("Something went wrong", "The error has been logged. Your last change may not have been saved."),
}


def error_page(request: Request, status: int, detail: str = "") -> Template:
    title, message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    context = {**page_context(request), "status": status, "title": title, "message": detail or message}
    # Portal visitors get the portal's own plain layout, never the staff menu.
    template = "portal/error.html" if request.url.path.startswith(("/portal", "/p/")) else "errors/error.html"
    return Template(template_name=template, context=context, status_code=status)


def on_portal_refused(request: Request, exc: PortalRefused) -> Response:
    """No usable portal session (or link): say why, and that saved answers are kept."""
    return Template(template_name="portal/refused.html", context={"reason": exc.reason, "status": exc.status},
                    status_code=exc.status, cookies=[expired_portal_cookie(request.app.state.web_settings)])


def on_sign_in_required(request: Request, _exc: SignInRequired) -> Response:
    target = request.url.path
    if request.url.query and request.method == "GET":
        target += "?" + request.url.query
    settings = request.app.state.web_settings
    params = [f"next={quote(target, safe='/')}"] if target not in ("/", "/sign-in") else []
    if request.cookies.get(settings.session_cookie):
        params.append("ended=1")  # there was a session: say it timed out rather than look broken
    location = "/sign-in" + ("?" + "&".join(params) if params else "")
    cookie = expired_session_cookie(settings)
    if request.headers.get("hx-request"):
        # htmx follows a redirect inside the page; HX-Redirect makes the browser load the sign-in page.
        return Response(content="", status_code=401, headers={"HX-Redirect": location}, cookies=[cookie])
    return Redirect(path=location, status_code=303, cookies=[cookie])


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    if is_api(request):
        # Only our own 4xx reasons are worded for the caller; anything else gets the generic text.
        detail = exc.detail if exc.status_code in (400, 401, 403) and exc.detail != HTTPStatus(
            exc.status_code).phrase else ""
        return problem(exc.status_code, detail, errors=litestar_errors(exc.extra),
                       headers={"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None)
    # Our own refusals say what was wrong; Litestar's detail can name internals, so it is not shown. Its
    # validation names the declared parameters it refused ("page", "q"): those the person can put right.
    if isinstance(exc, TooManyFields):
        return error_page(request, exc.status_code, exc.detail)
    names = sorted({e["field"] for e in litestar_errors(exc.extra) if e["field"]})
    if exc.status_code == 400 and names:
        return error_page(request, 400, "The address has a value this page cannot use: "
                                        f"{', '.join(names)}. Go back and try again.")
    return error_page(request, exc.status_code)


def on_core_error(request: Request, exc: PolymodalError) -> Response:
    if is_api(request):
        return api_core_error(request, exc)
    if isinstance(exc, (NotFound, AccessDenied)):
        # A record the actor may not see is reported exactly like one that does not exist.
        return error_page(request, 404)
    if isinstance(exc, Conflict):
        return error_page(request, 409, str(exc))
    if isinstance(exc, ValidationFailed):
        return error_page(request, 400, " ".join(exc.errors.values()))
    return on_unexpected(request, exc)


def api_core_error(request: Request, exc: PolymodalError) -> Response:
    if isinstance(exc, (NotFound, AccessDenied)):
        return problem(404)
    if isinstance(exc, Conflict):
        return problem(409, str(exc))
    if isinstance(exc, ValidationFailed):
        return problem(422, " ".join(exc.errors.values()), errors=field_errors(exc.errors))
    return on_unexpected(request, exc)


def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500) if is_api(request) else error_page(request, 500)


EXCEPTION_HANDLERS = {
    SignInRequired: on_sign_in_required,
    PortalRefused: on_portal_refused,
    HTTPException: on_http_exception,
    PolymodalError: on_core_error,
    Exception: on_unexpected,
}
