"""Checks run on every route, in order (one guard, ``every_route``): who is signed in, is a change genuine, may they do it.

Each route declares its policy in ``opt``: ``{"public": True}`` (sign-in,
static files, health), ``{"authenticated": True}`` (any signed-in user), or
``{"action": "client.read"}`` (a declared action of ``core.access.POLICY``).
A route that declares none is refused, so a forgotten policy fails closed.
Client portal pages add ``{"portal": True}`` to their action: their identity
comes from the portal session cookie alone, never from a staff session.
"""

from __future__ import annotations

import hmac
import logging
import uuid

import anyio.to_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from polymodal.core.access import AccessRequest, decide
from polymodal.core.errors import AccessDenied
from polymodal.core.interop import tokens
from polymodal.core.practice import Practice
from polymodal.core.services import portal, signin
from polymodal.web.config import WebSettings
from polymodal.web.request_body import read_form
from polymodal.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, client_ip, portal_csrf, same_origin

log = logging.getLogger("polymodal.web")
PLUGIN_PREFIX = "/m"
"""Plugin pages are mounted here; none of them is public, whatever its ``opt`` says."""


class SignInRequired(NotAuthorizedException):
    """No valid session: the exception handler sends the browser to the sign-in page."""


class PortalRefused(PermissionDeniedException):
    """No usable portal session: a friendly page says why and that saved answers are kept."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


NO_PORTAL_SESSION = ("This page opens from the link the center sent you. Open that link again; "
                     "any answers you saved are kept.")


def policy_of(handler: BaseRouteHandler) -> str | None:
    """The declared policy: 'public', 'authenticated', an action name, or None if undeclared.

    The router's own OPTIONS answer (the methods a path allows, nothing else) is public.
    """
    opt = handler.opt
    if _router_options(handler):
        return "public"
    if opt.get("public") is True:
        return "public"
    if isinstance(opt.get("action"), str) and opt["action"]:
        return opt["action"]
    if opt.get("authenticated") is True:
        return "authenticated"
    return None


def _router_options(handler: BaseRouteHandler) -> bool:
    # Litestar adds one to every path; no page of ours answers OPTIONS.
    return getattr(handler, "http_methods", None) == {"OPTIONS"} and not handler.opt


async def authenticate(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    policy = policy_of(handler)
    if policy is None:
        log.error("route %s declares no access policy; refused", connection.scope.get("path"))
        raise PermissionDeniedException("no access policy")
    if policy == "public" and not connection.scope["path"].startswith(PLUGIN_PREFIX + "/"):
        return
    settings: WebSettings = connection.app.state.web_settings
    practice: Practice = connection.app.state.practice
    if handler.opt.get("portal") is True:
        await _authenticate_portal(connection, settings, practice)
        return
    if handler.opt.get("api") is True:
        await _authenticate_token(connection, handler, practice)
        return
    token = connection.cookies.get(settings.session_cookie, "")
    origin = client_ip(connection)
    if practice.quick_reads_inline:
        signed_in = signin.peek(practice, token, origin)
    elif not practice.plugins_vote_on_access and not isinstance(connection.path_params.get("client_id"), uuid.UUID):
        # PostgreSQL: a session this worker read in the last second, and an action the roles alone decide,
        # need neither the database nor a worker thread.
        signed_in = signin.remembered(practice, token, origin)
    else:
        signed_in = None
    if signed_in is not None and _allowed(connection, handler, practice, signed_in.actor):
        connection.state.actor = signed_in.actor
        connection.state.csrf_token = signed_in.csrf_token
        connection.state.session_token = token
        connection.state.action_checked = True
        return
    # A session to touch or end, a refusal to record, or no session: all of it in a worker thread.

    def sign_in_and_check() -> signin.SignedIn | None:
        # One trip to a worker thread for both: the thread hop costs about as much as the checks.
        signed_in = signin.resolve(practice, token, origin)
        if signed_in is not None:
            _check_action(connection, handler, practice, signed_in.actor)
        return signed_in

    signed_in = await anyio.to_thread.run_sync(sign_in_and_check)
    if signed_in is None:
        raise SignInRequired()
    connection.state.actor = signed_in.actor
    connection.state.csrf_token = signed_in.csrf_token
    connection.state.session_token = token


async def _authenticate_portal(connection: ASGIConnection, settings: WebSettings, practice: Practice) -> None:
    token = connection.cookies.get(settings.portal_cookie, "")
    if not token or len(token) > 100:
        raise PortalRefused(NO_PORTAL_SESSION, 403)
    try:
        actor, packet_id = await anyio.to_thread.run_sync(portal.resume, practice, token, client_ip(connection))
    except portal.LinkRefused as exc:
        raise PortalRefused(exc.reason, exc.status) from None
    connection.state.actor = actor
    connection.state.packet_id = packet_id
    connection.state.csrf_token = portal_csrf(token)
    connection.state.portal_token = token


class TokenRequired(NotAuthorizedException):
    """An API route without a usable bearer token: 401 with a problem document, never a sign-in page."""


async def _authenticate_token(connection: ASGIConnection, handler: BaseRouteHandler, practice: Practice) -> None:
    """The API's way in: a bearer token becomes the same ``Actor`` its user gets from signing in.

    A session cookie is not accepted here: an API call then never rides on a
    browser's ambient credentials, which is why API routes need no CSRF token.
    """
    scheme, _, secret = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise TokenRequired("Send a valid API token: Authorization: Bearer <token>.")
    needed = "read" if connection.scope["method"] in SAFE_METHODS else "write"

    def resolve_and_check() -> tokens.Resolved | None:
        resolved = tokens.resolve(practice, secret.strip(), client_ip(connection))
        if resolved is not None and needed in resolved.scopes:
            _check_action(connection, handler, practice, resolved.actor)
        return resolved

    resolved = await anyio.to_thread.run_sync(resolve_and_check)
    if resolved is None:
        raise TokenRequired("The token is unknown, expired or revoked.")
    if needed not in resolved.scopes:
        raise PermissionDeniedException(f"This token lacks the '{needed}' scope.")
    connection.state.actor = resolved.actor
    connection.state.api_token = True


async def check_csrf(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Every unsafe request carries the session's token (header from htmx, field from a plain form)."""
    if connection.scope["method"] in SAFE_METHODS or getattr(connection.state, "api_token", False):
        return
    if not same_origin(connection):
        log.warning("cross-site %s %s refused", connection.scope["method"], connection.scope.get("path"))
        raise PermissionDeniedException("cross-site request refused")
    expected = getattr(connection.state, "csrf_token", "")
    if not expected and policy_of(handler) == "public":
        # Before sign-in there is no session: the form's token must match the cookie's (double submit).
        expected = connection.cookies.get(connection.app.state.web_settings.csrf_cookie, "")
    sent = connection.headers.get(CSRF_HEADER, "")
    if not sent and isinstance(connection, Request):
        sent = (await connection.form()).get(CSRF_FIELD, "")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        log.warning("CSRF token missing or wrong: %s %s from %s", connection.scope["method"],
                    connection.scope.get("path"), client_ip(connection))
        raise PermissionDeniedException("missing or wrong CSRF token")


async def requires_action(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """May this actor do the route's action at all, and for the client its path names?

    A role without the action gets 403. A path naming a client outside the
    actor's reach gets 404, as the services answer, so the answer never
    confirms that the record exists. Checking the path's client here too means
    a page (a plugin's above all) cannot show someone else's record by
    forgetting to ask. Staff pages were checked in ``authenticate`` already.
    """
    if getattr(connection.state, "action_checked", False) or not hasattr(connection.state, "actor"):
        return
    practice: Practice = connection.app.state.practice
    await anyio.to_thread.run_sync(_check_action, connection, handler, practice, connection.state.actor)


def _action_to_check(connection: ASGIConnection, handler: BaseRouteHandler) -> str | None:
    action = handler.opt.get("action")
    plugin_page = connection.scope["path"].startswith(PLUGIN_PREFIX + "/")
    return None if not action or (policy_of(handler) == "public" and not plugin_page) else action


def _allowed(connection: ASGIConnection, handler: BaseRouteHandler, practice: Practice, actor) -> bool:
    """``_check_action`` without raising or recording: a refusal is decided again, and audited, by it."""
    action = _action_to_check(connection, handler)
    if action is None:
        return True
    client_id = connection.path_params.get("client_id")
    if not isinstance(client_id, uuid.UUID):
        # Roles alone decide an action without a client, and the caller made sure no plugin votes on access:
        # no transaction to open for it.
        return decide(None, actor, AccessRequest(action), practice.now()).allowed
    with practice.work(actor, write=False) as work:
        return work.may(action) and work.may(action, client_id)


def _check_action(connection: ASGIConnection, handler: BaseRouteHandler, practice: Practice, actor) -> None:
    action = _action_to_check(connection, handler)
    if action is not None:
        client_id = connection.path_params.get("client_id")
        try:
            with practice.work(actor, write=False) as work:
                work.require(action)
                if isinstance(client_id, uuid.UUID):
                    try:
                        work.require(action, client_id, record_type="client", record_id=client_id)
                    except AccessDenied:
                        raise NotFoundException() from None
        except AccessDenied:
            raise PermissionDeniedException("not permitted") from None
    connection.state.action_checked = True


async def every_route(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The app's one guard: the four checks in order. Litestar copies the route handler for each guard it
    calls, on every request; four guards cost four copies (3 % of the client search's CPU)."""
    await authenticate(connection, handler)
    await read_form(connection, handler)
    await check_csrf(connection, handler)
    await requires_action(connection, handler)


GUARDS = [every_route]
