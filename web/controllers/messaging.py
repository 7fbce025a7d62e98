"""Messaging pages: the admin's outbox and wording, a practitioner's calendar feed and video room, feeds.

A feed URL is the one public route: its token is the credential, checked by hash, and an unknown or
revoked token gets the same 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.messaging import feeds, meetings, outbox, preferences, templates
from polymodal.core.practice import Practice
from polymodal.core.services import center
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, base_url, go, one
from polymodal.web.rendering import render

MANAGE = {"action": "messages.manage"}
STATES = ("queued", "sending", "sent", "retrying", "failed", "cancelled")


class FeedController(Controller):
    path = "/feeds"

    @get("/{token:str}", opt={"public": True}, sync_to_thread=True)
    def feed(self, practice: NamedDependency[Practice], token: FromPath[str]) -> Response:
        # The token is the credential (like a portal link's): no session, the same 404 for unknown and revoked.
        token = token.removesuffix(".ics")
        try:
            body = feeds.render_feed(practice, token)
        except NotFound:
            return Response("No such calendar feed.", status_code=404, media_type="text/plain")
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})


class MyCalendarController(Controller):
    """A practitioner's own calendar feed and standing video room; the front desk's room feeds."""

    path = "/me/calendar"

    def _page(self, request: HTMXRequest, practice: Practice, actor: Actor, *, new_url: str = "",
              new_for: str = "", errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
        with practice.work(actor, write=False) as work:
            practitioner = bool({"practitioner", "supervisor"} & set(actor.roles))
            mine = feeds.feed_status(work, user_id=actor.user_id) if practitioner else None
            room_rows = []
            if work.may("room_feed.manage"):
                active = feeds.active_room_feeds(work)
                for room in center.rooms(work):
                    status = active.get(room.id)
                    room_rows.append({**room._mapping, "active": status is not None,
                                      "since": _when(work, status.created_at) if status else ""})
            context = {"practitioner": practitioner, "feed_active": mine is not None,
                       "feed_since": _when(work, mine.created_at) if mine else "",
                       "standing_room": meetings.standing_room(work, actor.user_id) if practitioner else "",
                       "rooms": room_rows, "new_url": new_url, "new_for": new_for, "errors": errors or {}}
        return render(request, "messaging/my_calendar.html", context, block="calendar_panel",
                      status_code=status_code)

    @get("/", opt={"authenticated": True}, sync_to_thread=True)
    def page(self, request: HTMXRequest, practice: NamedDependency[Practice],
             actor: NamedDependency[Actor]) -> Template:
        return self._page(request, practice, actor)

    @post("/feed", opt={"authenticated": True}, status_code=200, sync_to_thread=True)
    def new_feed(self, request: HTMXRequest, practice: NamedDependency[Practice],
                 actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor) as work:
            token = feeds.issue_feed(work, user_id=actor.user_id)
        return self._page(request, practice, actor, new_url=_feed_url(request, token), new_for="me")

    @post("/feed/revoke", opt={"authenticated": True}, status_code=200, sync_to_thread=True)
    def revoke(self, request: HTMXRequest, practice: NamedDependency[Practice],
               actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor) as work:
            feeds.revoke_feed(work, user_id=actor.user_id)
        return self._page(request, practice, actor)

    @post("/room-feed", opt={"action": "room_feed.manage"}, status_code=200, sync_to_thread=True)
    def new_room_feed(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], data: AnyForm) -> Template:
        room_id = _room(data)
        with practice.work(actor) as work:
            token = feeds.issue_feed(work, room_id=room_id)
        return self._page(request, practice, actor, new_url=_feed_url(request, token), new_for=str(room_id))

    @post("/room-feed/revoke", opt={"action": "room_feed.manage"}, status_code=200, sync_to_thread=True)
    def revoke_room_feed(self, request: HTMXRequest, practice: NamedDependency[Practice],
                         actor: NamedDependency[Actor], data: AnyForm) -> Template:
        room_id = _room(data)
        with practice.work(actor) as work:
            feeds.revoke_feed(work, room_id=room_id)
        return self._page(request, practice, actor)

    @post("/video-room", opt={"authenticated": True}, status_code=200, sync_to_thread=True)
    def video_room(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   data: AnyForm) -> Template:
        try:
            with practice.work(actor) as work:
                meetings.set_standing_room(work, actor.user_id, one(data, "meeting_url", 600))
        except ValidationFailed as exc:
            return self._page(request, practice, actor, errors=exc.errors, status_code=422)
        return self._page(request, practice, actor)


class OutboxController(Controller):
    """The admin's view of every message, its wording per kind, and the reminder settings."""

    path = "/admin/messages"

    @get("/", opt=MANAGE, sync_to_thread=True)
    def outbox_page(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor],
                    shown: Annotated[str, QueryParameter(name="state")] = "") -> Template:
        state = shown if shown in STATES else ""
        with practice.work(actor, write=False) as work:
            rows = [{"id": m.id, "kind": templates.LABELS.get(m.kind, m.kind), "channel": m.channel,
                     "recipient": m.recipient, "subject": m.subject, "state": m.state,
                     "when": _when(work, m.sent_at or m.send_after), "attempts": m.attempts,
                     "max_attempts": m.max_attempts, "error": m.last_error}
                    for m in outbox.outbox_page(work, state)]
        smtp = practice.settings.smtp.host
        return render(request, "messaging/outbox.html", {"section": "messages", "rows": rows, "state": state,
                                                          "states": STATES, "smtp": smtp},
                      block="outbox_rows")

    @post("/retry", opt=MANAGE, status_code=200, sync_to_thread=True)
    def retry(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
              data: AnyForm) -> Response:
        try:
            message_id = uuid.UUID(one(data, "message", 40))
        except ValueError:
            raise NotFound("no such message") from None
        try:
            with practice.work(actor) as work:
                outbox.retry_now(work, message_id)
        except Conflict as exc:
            return Response(str(exc), status_code=409, media_type="text/plain")
        return go(request, "/admin/messages")

    @get("/settings", opt=MANAGE, sync_to_thread=True)
    def settings_page(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor]) -> Template:
        return self._settings(request, practice, actor)

    def _settings(self, request: HTMXRequest, practice: Practice, actor: Actor, *,
                  values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                  kind_values: dict[str, dict[str, str]] | None = None, status_code: int = 200,
                  block: str = "messaging_settings") -> Template:
        with practice.work(actor, write=False) as work:
            current = preferences.center_messaging(work)
            wordings = templates.all_wordings(work)
        values = values or {"reminder_hours": ", ".join(str(h) for h in current.reminder_hours),
                            "detail": current.detail, "signature": current.signature,
                            "feed_client_names": current.feed_client_names}
        kinds = [{"kind": kind, "label": templates.LABELS[kind], "changed": changed,
                  "subject": wording.subject, "text_body": wording.text, "html_body": wording.html,
                  **(kind_values or {}).get(kind, {})} for kind, (wording, changed) in wordings.items()]
        return render(request, "messaging/settings.html",
                      {"section": "messages", "values": values, "errors": errors or {}, "kinds": kinds,
                       "fields": templates.FIELDS}, block=block, status_code=status_code)

    @post("/settings", opt=MANAGE, status_code=200, sync_to_thread=True)
    def save_settings(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], data: AnyForm) -> Response:
        values = {name: one(data, name, 600) for name in ("reminder_hours", "detail", "signature",
                                                           "feed_client_names")}
        try:
            with practice.work(actor) as work:
                preferences.save_center_messaging(work, values)
        except ValidationFailed as exc:
            errors = {k.split(".", 1)[0]: v for k, v in exc.errors.items()}
            return self._settings(request, practice, actor, values=values, errors=errors, status_code=422)
        return go(request, "/admin/messages/settings")

    @post("/templates", opt=MANAGE, status_code=200, sync_to_thread=True)
    def save_template(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], data: AnyForm) -> Response:
        kind = one(data, "kind", 40)
        if kind not in templates.BUILT_IN:
            raise NotFound("no such kind of message")
        values = {"subject": one(data, "subject", 400), "text_body": one(data, "text_body", 25000),
                  "html_body": one(data, "html_body", 45000)}
        try:
            with practice.work(actor) as work:
                if one(data, "reset"):
                    templates.reset_wording(work, kind)
                else:
                    templates.save_wording(work, kind, values["subject"], values["text_body"], values["html_body"])
        except ValidationFailed as exc:
            return self._settings(request, practice, actor, errors={f"{kind}.{k}": v for k, v in exc.errors.items()},
                                  kind_values={kind: values}, status_code=422)
        return go(request, "/admin/messages/settings")


def _when(work: Any, moment: Any) -> str:
    return f"{to_local(moment, work.center.timezone):%d %b %Y %H:%M}" if moment else ""


def _room(data: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(one(data, "room", 40))
    except ValueError:
        raise NotFound("no such room") from None


def _feed_url(request: HTMXRequest, token: str) -> str:
    return f"{base_url(request)}/feeds/{token}.ics"
