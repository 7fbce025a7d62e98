"""The client portal: a secure link opens a short session; one page per step; review; submit.

Identity is the portal session's alone (``request.state.actor`` and
``request.state.packet_id``, set by the guard from the cookie): no handler
reads a client, packet or guardian id from the request, and a request that
carries one is refused outright.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from polymodal.core.access import AccessRequest
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.practice import Practice
from polymodal.core.safety import crisis
from polymodal.core.services import portal
from polymodal.web.config import WebSettings
from polymodal.web.portal_steps import (
    Step,
    answers_from,
    labels_of,
    smuggled,
    steps_of,
    summary_rows,
)
from polymodal.web.request_body import PORTAL_BODY, PORTAL_FIELDS
from polymodal.web.security import client_ip, expired_portal_cookie, portal_cookie

PORTAL = {"portal": True, "action": "portal.submit", "max_fields": PORTAL_FIELDS}
StepNumber = Annotated[int, QueryParameter(ge=1, le=1000)]
TAMPERED = "This request was changed on the way and was refused. Nothing was saved; open the link again."


def _page(template: str, request: Request, context: dict[str, Any], status_code: int = 200,
          **kwargs: Any) -> Template:
    return Template(template_name=template, status_code=status_code, **kwargs,
                    context={"csrf_token": getattr(request.state, "csrf_token", ""),
                             "labels": labels_of(context["step"]) if "step" in context else {}, **context})


def _load(practice: Practice, request: Request) -> dict[str, Any]:
    """The own packet (its viewing audited), its steps, and which of them are complete."""
    with practice.work(request.state.actor) as work:
        view = portal.packet_view(work, request.state.packet_id)
        steps = steps_of(work.registry, view["items"])
        view["done"] = {s.id for s in steps
                        if s.id in view["drafts"] and not portal.step_errors(work, s.item, view["drafts"][s.id])}
        view["summaries"] = {s.id: summary_rows(work.registry, s, view["drafts"][s.id])
                             for s in steps if s.id in view["drafts"]}
    view["steps"] = steps
    return view


def _step(view: dict[str, Any], number: int) -> Step:
    if not 1 <= number <= len(view["steps"]):
        raise NotFound("no such step")
    return view["steps"][number - 1]


def _problems(steps: list[Step], errors: dict[str, str]) -> list[str]:
    """Submission errors named by step ("Talk therapy intake: ..."), each said once."""
    titles = {s.id: s.title for s in steps}
    problems: list[str] = []
    for key, message in errors.items():
        title = titles.get(key.split(".", 1)[0])
        text = f"{title}: {message}" if title else message
        if text not in problems:
            problems.append(text)
    return problems


def _refuse_tampering(practice: Practice, request: Request) -> Template:
    actor = request.state.actor
    practice.audit_denial(actor, AccessRequest("portal.submit", actor.client_id, record_type="portal_packet",
                                               record_id=str(request.state.packet_id)),
                          "identity parameter in a portal request")
    return _page("portal/error.html", request, {"title": "Request refused", "message": TAMPERED},
                 status_code=400)


class PortalController(Controller):
    path = "/"
    request_max_body_size = PORTAL_BODY  # clients' answers only: a tenth of a staff page's limit

    @get("/p/{token:str}", opt={"public": True}, sync_to_thread=True)
    def open_link(self, request: Request, practice: NamedDependency[Practice], token: FromPath[str]) -> Response:
        """Trade the link for a portal session cookie, then continue on a URL without the token."""
        settings: WebSettings = request.app.state.web_settings
        try:
            session_token, _link = portal.exchange_link(practice, token, client_ip(request))
        except portal.LinkRefused as exc:
            return _page("portal/refused.html", request, {"reason": exc.reason, "status": exc.status},
                         status_code=exc.status, cookies=[expired_portal_cookie(settings)])
        cookie = portal_cookie(settings, session_token)
        if request.headers.get("sec-fetch-site") == "cross-site":
            # Opened from a mail client or webmail: a browser withholds a SameSite=Strict cookie on a redirect
            # chain another site started, so continue from a page of our own (a same-site navigation).
            return _page("portal/opening.html", request, {}, cookies=[cookie])
        return Redirect(path="/portal", status_code=303, cookies=[cookie])

    @get("/portal", opt=PORTAL, sync_to_thread=True)
    def overview(self, request: Request, practice: NamedDependency[Practice]) -> Template:
        if smuggled(request.query_params):
            return _refuse_tampering(practice, request)
        view = _load(practice, request)
        following = next((s for s in view["steps"] if s.id not in view["done"]), None)
        return _page("portal/overview.html", request, {**view, "next_step": following})

    @get("/portal/step", opt=PORTAL, sync_to_thread=True)
    def step(self, request: Request, practice: NamedDependency[Practice], n: StepNumber = 1) -> Template:
        if smuggled(request.query_params):
            return _refuse_tampering(practice, request)
        view = _load(practice, request)
        step = _step(view, n)
        return _page("portal/step.html", request, {**view, "step": step, "values": view["drafts"].get(step.id, {}),
                                                   "errors": {}})

    @post("/portal/step", opt=PORTAL, status_code=303)
    async def save(self, request: Request, practice: NamedDependency[Practice], n: StepNumber = 1) -> Response:
        """Keep the step's answers as entered, whatever the button; move on only when they are complete."""
        form = await request.form()
        if smuggled(request.query_params, form):
            return await anyio.to_thread.run_sync(_refuse_tampering, practice, request)

        def save_step() -> tuple[dict[str, Any], Step, dict[str, Any], dict[str, str]]:
            view = _load(practice, request)
            step = _step(view, n)
            answers = answers_from(step, form)
            with practice.work(request.state.actor) as work:
                errors = portal.save_step(work, request.state.packet_id, step.id, answers)
            return view, step, answers, errors

        view, step, answers, errors = await anyio.to_thread.run_sync(save_step)
        go = form.get("go", "next")
        if go == "back":
            return Redirect(path=f"/portal/step?n={n - 1}" if n > 1 else "/portal", status_code=303)
        if go == "later":
            return _page("portal/saved.html", request, view, cookies=[expired_portal_cookie(
                request.app.state.web_settings)])
        if errors:
            return _page("portal/step.html", request, {**view, "step": step, "values": answers, "errors": errors},
                         status_code=422)
        last = n >= len(view["steps"])
        return Redirect(path="/portal/review" if last else f"/portal/step?n={n + 1}", status_code=303)

    @get("/portal/review", opt=PORTAL, sync_to_thread=True)
    def review(self, request: Request, practice: NamedDependency[Practice]) -> Template:
        if smuggled(request.query_params):
            return _refuse_tampering(practice, request)
        return _page("portal/review.html", request, {**_load(practice, request), "problems": []})

    @post("/portal/submit", opt=PORTAL, status_code=200)
    async def submit(self, request: Request, practice: NamedDependency[Practice]) -> Response:
        """File every step in one transaction; on any error nothing is filed and the review says why."""
        form = await request.form()
        if smuggled(request.query_params, form):
            return await anyio.to_thread.run_sync(_refuse_tampering, practice, request)

        def submit() -> str:
            """File the packet; the crisis text, if the answers just filed report suicidal thoughts."""
            with practice.work(request.state.actor) as work:
                filed = portal.submit_packet(work, request.state.packet_id)
                return crisis.text_for(work) if crisis.reports_suicidal_thoughts(work, filed) else ""

        try:
            crisis_text = await anyio.to_thread.run_sync(submit)
        except (ValidationFailed, Conflict) as exc:
            view = await anyio.to_thread.run_sync(_load, practice, request)
            errors = exc.errors if isinstance(exc, ValidationFailed) else {"": str(exc)}
            return _page("portal/review.html", request, {**view, "problems": _problems(view["steps"], errors)},
                         status_code=422)
        # Submitted: the session has nothing left to do (the link now answers "already submitted").
        # Shown on the page itself, first, not as a flash: the client may close the tab a second later.
        # A guardian answered about the child: the text is addressed to them, about the child.
        return _page("portal/done.html", request, {"crisis_text": crisis_text,
                                                   "for_guardian": request.state.actor.guardian_id is not None},
                     cookies=[expired_portal_cookie(request.app.state.web_settings)])


__all__ = ["PortalController"]
