"""The sign-in's second step (a TOTP code, or enrolment when an admin requires one) and the account page:
password change and the user's own second factor."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import segno
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.services import account, signin
from polymodal.web.config import WebSettings
from polymodal.web.controllers.auth import THROTTLED, opened
from polymodal.web.rendering import render
from polymodal.web.request_body import SIGN_IN_BODY, SIGN_IN_FIELDS
from polymodal.web.security import anonymous_csrf, client_ip, expired_pending_cookie, session_cookie

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
WRONG_CODE = "That code is not right. Enter the 6 digits the app shows now, or a recovery code."
STEP = {"public": True, "max_fields": SIGN_IN_FIELDS}


def qr_code(uri: str) -> str:
    """The otpauth URI as an SVG data URI (the CSP allows data: images, never scripts)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#111", light="#fff")


def _text(data: dict[str, Any], name: str, limit: int = 300) -> str:
    value = data.get(name, "")
    return (value[0] if isinstance(value, list) and value else str(value))[:limit]


class SecondStepController(Controller):
    """Public pages, but only a pending-sign-in cookie (a right password, minutes ago) gets past the first line."""

    path = "/sign-in"

    def _page(self, request: HTMXRequest, template: str, context: dict[str, Any], status_code: int = 200,
              **kwargs: Any) -> Template:
        token, cookie = anonymous_csrf(request, request.app.state.web_settings)
        request.state.csrf_token = token
        cookies = [*kwargs.pop("cookies", []), *([cookie] if cookie else [])]
        return render(request, template, context, block="step_form", status_code=status_code, cookies=cookies,
                      **kwargs)

    def _token(self, request: HTMXRequest) -> str:
        return request.cookies.get(request.app.state.web_settings.pending_cookie, "")

    def _expired(self, request: HTMXRequest) -> Response:
        return Redirect(path="/sign-in?step=expired", status_code=303,
                        cookies=[expired_pending_cookie(request.app.state.web_settings)])

    @get("/second-step", opt={"public": True}, sync_to_thread=True)
    def step_page(self, request: HTMXRequest, practice: NamedDependency[Practice]) -> Response:
        token, origin = self._token(request), client_ip(request)
        step = signin.pending_step(practice, token, origin)
        if step is None:
            return self._expired(request)
        if step == "code":
            return self._page(request, "auth/second_step.html", {"error": ""})
        return self._enrol_page(request, practice, token, origin)

    def _enrol_page(self, request: HTMXRequest, practice: Practice, token: str, origin: str, *, error: str = "",
                    status_code: int = 200) -> Response:
        try:
            secret, uri = signin.start_enrolment(practice, token, origin)
        except LookupError:
            return self._expired(request)
        return self._page(request, "auth/enrol.html", {"secret": secret, "uri": uri, "qr": qr_code(uri),
                                                        "error": error, "action": "/sign-in/enrol"},
                          status_code=status_code)

    @post("/second-step", opt=STEP, status_code=303, request_max_body_size=SIGN_IN_BODY, sync_to_thread=True)
    def step(self, request: HTMXRequest, practice: NamedDependency[Practice], data: FormData) -> Response:
        settings: WebSettings = request.app.state.web_settings
        try:
            done = signin.second_step(practice, self._token(request), _text(data, "code", 40), client_ip(request))
        except LookupError:
            return self._expired(request)
        except signin.Throttled as wait:
            return self._page(request, "auth/second_step.html", {"error": THROTTLED.format(seconds=wait.seconds)},
                              status_code=429, headers={"Retry-After": str(wait.seconds)})
        if done is None:
            return self._page(request, "auth/second_step.html", {"error": WRONG_CODE}, status_code=422)
        signed_in, next_path = done
        return opened(settings, signed_in, next_path)

    @post("/enrol", opt=STEP, status_code=200, request_max_body_size=SIGN_IN_BODY, sync_to_thread=True)
    def enrol(self, request: HTMXRequest, practice: NamedDependency[Practice], data: FormData) -> Response:
        settings: WebSettings = request.app.state.web_settings
        token, origin = self._token(request), client_ip(request)
        try:
            signed_in, codes = signin.finish_enrolment(practice, token, _text(data, "code", 40), origin)
        except LookupError:
            return self._expired(request)
        except (ValidationFailed, Conflict) as exc:
            message = exc.errors.get("code", "") if isinstance(exc, ValidationFailed) else str(exc)
            return self._enrol_page(request, practice, token, origin, error=message, status_code=422)
        # Shown once: the session starts with this page, and the codes are stored only as hashes.
        return self._page(request, "auth/recovery_codes.html", {"codes": codes, "next": "/"},
                          cookies=[session_cookie(settings, signed_in.token), expired_pending_cookie(settings)])


class AccountController(Controller):
    """The signed-in user's own sign-in: password and second factor."""

    path = "/account"

    def _context(self, practice: Practice, actor: Actor, **extra: Any) -> dict[str, Any]:
        with practice.work(actor, write=False) as work:
            enrolled = account.has_second_factor(work, actor.user_id)
            required = account.second_factor_required(work, actor.user_id)
            must_change = account.must_change_password(work, actor.user_id)
        return {"enrolled": enrolled, "required": required, "must_change": must_change, "errors": {},
                "notice": "", **extra}

    @get("/", opt={"authenticated": True}, sync_to_thread=True)
    def page(self, request: HTMXRequest, practice: NamedDependency[Practice],
             actor: NamedDependency[Actor]) -> Template:
        return render(request, "account/index.html", self._context(practice, actor), block="password_form")

    @post("/password", opt={"authenticated": True}, status_code=200, sync_to_thread=True)
    def change_password(self, request: HTMXRequest, practice: NamedDependency[Practice],
                        actor: NamedDependency[Actor], data: FormData) -> Template:
        try:
            with practice.work(actor) as work:
                ended = account.change_password(work, _text(data, "current", 300), _text(data, "password", 300),
                                                _text(data, "confirm", 300),
                                                keep_token_hash=signin.hash_token(request.state.session_token))
        except ValidationFailed as exc:
            # No password is ever sent back into the form.
            return render(request, "account/index.html", self._context(practice, actor, errors=exc.errors),
                          block="password_form", status_code=422)
        notice = "Password changed." + (f" {ended} other session{'s' if ended != 1 else ''} ended." if ended else "")
        return render(request, "account/index.html", self._context(practice, actor, notice=notice),
                      block="password_form")

    @get("/second-factor", opt={"authenticated": True}, sync_to_thread=True)
    def second_factor(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor]) -> Response:
        return self._enrol(request, practice, actor)

    def _enrol(self, request: HTMXRequest, practice: Practice, actor: Actor, *, error: str = "",
               status_code: int = 200) -> Response:
        try:
            with practice.work(actor) as work:
                secret, uri = account.start_enrolment(work, actor.user_id)
        except Conflict:
            return Redirect(path="/account", status_code=303)
        return render(request, "auth/enrol.html", {"secret": secret, "uri": uri, "qr": qr_code(uri),
                                                    "error": error, "action": "/account/second-factor"},
                      block="step_form", status_code=status_code)

    @post("/second-factor", opt={"authenticated": True}, status_code=200, sync_to_thread=True)
    def confirm(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                data: FormData) -> Response:
        try:
            with practice.work(actor) as work:
                codes = account.confirm_enrolment(work, actor.user_id, _text(data, "code", 40))
        except ValidationFailed as exc:
            return self._enrol(request, practice, actor, error=exc.errors.get("code", ""), status_code=422)
        except Conflict:
            return Redirect(path="/account", status_code=303)
        return render(request, "auth/recovery_codes.html", {"codes": codes, "next": "/account"}, block="step_form")


class SignInAdminController(Controller):
    """An admin's hand on a user's sign-in: reset the password, reset or require the second factor."""

    path = "/admin"

    def _user_page(self, request: HTMXRequest, practice: Practice, actor: Actor, user_id: uuid.UUID,
                   **extra: Any) -> Template:
        with practice.work(actor, write=False) as work:
            user = account.users.get_user(work, user_id)
            context = {"user": user, "enrolled": account.has_second_factor(work, user_id),
                       "required": account.second_factor_required(work, user_id),
                       "required_here": account.factors_of(work, user_id).totp_required,
                       "for_all": bool(work.center.settings.get(account.CENTER_SETTING)),
                       "is_me": user_id == actor.user_id, "temporary": "", "notice": "", **extra}
        return render(request, "account/admin_user.html", context, block="sign_in_admin")

    @get("/users/{user_id:uuid}/sign-in", opt={"action": "user.manage"}, sync_to_thread=True)
    def user_sign_in(self, request: HTMXRequest, practice: NamedDependency[Practice],
                     actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID]) -> Template:
        return self._user_page(request, practice, actor, user_id)

    @post("/users/{user_id:uuid}/sign-in", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def change_user_sign_in(self, request: HTMXRequest, practice: NamedDependency[Practice],
                            actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: FormData) -> Template:
        what, temporary, notice = _text(data, "do", 40), "", ""
        try:
            with practice.work(actor) as work:
                if what == "reset-password":
                    temporary = account.reset_password(work, user_id)
                    notice = "Password reset; every session of theirs has ended."
                elif what == "reset-second-factor":
                    account.reset_second_factor(work, user_id)
                    notice = "Second factor reset; they set up a new one at their next sign-in if it is required."
                elif what in ("require", "do-not-require"):
                    account.require_second_factor(work, user_id, what == "require")
                    notice = "Saved."
                elif what in ("require-all", "do-not-require-all"):
                    account.require_second_factor_for_all(work, what == "require-all")
                    notice = "Saved for everyone."
        except Conflict as exc:
            notice = str(exc)
        return self._user_page(request, practice, actor, user_id, temporary=temporary, notice=notice)
