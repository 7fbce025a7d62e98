"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.practice import Practice
from polymodal.core.services import signin
from polymodal.web.config import WebSettings
from polymodal.web.rendering import render
from polymodal.web.request_body import SIGN_IN_BODY, SIGN_IN_FIELDS
from polymodal.web.security import (
    anonymous_csrf,
    client_ip,
    expired_pending_cookie,
    expired_session_cookie,
    pending_cookie,
    session_cookie,
)

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
BAD_CREDENTIALS = "The username or password is not right."
THROTTLED = "Too many failed sign-ins. Wait {seconds} seconds, then try again."


SECOND_STEP_PATH = "/sign-in/second-step"


def opened(settings: WebSettings, signed_in: signin.SignedIn, next_path: str) -> Response:
    """The browser, signed in, on its way: to change a password an admin reset first, else where it was going."""
    path = "/account?reset=1" if signed_in.must_change_password else safe_next(next_path)
    return Redirect(path=path, status_code=303, cookies=[session_cookie(settings, signed_in.token),
                                                         expired_pending_cookie(settings)])


def safe_next(value: str | None) -> str:
    """Only a path on this site: never '//host', '/\\host' or a scheme (open-redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return "/"
    if any(ord(c) < 32 for c in value):
        return "/"
    return value


class AuthController(Controller):
    path = "/"

    @get("/sign-in", opt={"public": True}, sync_to_thread=False)
    def sign_in_page(self, request: HTMXRequest) -> Template:
        ended = request.query_params.get("ended") == "1"
        notice = "Your session ended. Sign in again to continue." if ended else ""
        if request.query_params.get("step") == "expired":
            notice = "That sign-in took too long. Sign in again."
        return self._form(request, next_=request.query_params.get("next", ""), notice=notice)

    def _form(self, request: HTMXRequest, *, next_: str = "", username: str = "", error: str = "",
              notice: str = "", status_code: int = 200, headers: dict[str, str] | None = None) -> Template:
        settings: WebSettings = request.app.state.web_settings
        token, cookie = anonymous_csrf(request, settings)
        request.state.csrf_token = token
        return render(request, "auth/sign_in.html",
                      {"next": safe_next(next_), "username": username, "error": error, "notice": notice},
                      block="sign_in_form", status_code=status_code, cookies=[cookie] if cookie else [],
                      headers=headers)

    @post("/sign-in", opt={"public": True, "max_fields": SIGN_IN_FIELDS}, status_code=303,
          request_max_body_size=SIGN_IN_BODY)
    async def sign_in(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      data: FormData) -> Response:
        settings: WebSettings = request.app.state.web_settings
        username, password = data.get("username", "")[:200], data.get("password", "")[:1024]
        previous = request.cookies.get(settings.session_cookie) or None
        next_path = safe_next(data.get("next"))
        try:
            signed_in = await anyio.to_thread.run_sync(
                lambda: signin.sign_in(practice, username, password, client_ip(request), replaces=previous,
                                       next_path=next_path))
        except signin.Throttled as wait:
            return self._form(request, next_=data.get("next", ""), username=username,
                              error=THROTTLED.format(seconds=wait.seconds), status_code=429,
                              headers={"Retry-After": str(wait.seconds)})
        if signed_in is None:
            return self._form(request, next_=data.get("next", ""), username=username, error=BAD_CREDENTIALS,
                              status_code=422)
        if isinstance(signed_in, signin.SecondStep):
            return Redirect(path=SECOND_STEP_PATH, status_code=303, cookies=[pending_cookie(settings, signed_in.token)])
        return opened(settings, signed_in, next_path)

    @post("/sign-out", opt={"authenticated": True}, status_code=303, sync_to_thread=True)
    def sign_out(self, request: HTMXRequest, practice: NamedDependency[Practice],
                 actor: NamedDependency[Actor]) -> Response:
        settings: WebSettings = request.app.state.web_settings
        signin.sign_out(practice, request.state.session_token, actor)
        # Clear-Site-Data drops cached pages and storage the browser kept for this site.
        return Redirect(path="/sign-in", status_code=303, cookies=[expired_session_cookie(settings)],
                        headers={"Clear-Site-Data": '"cache", "storage"'})
