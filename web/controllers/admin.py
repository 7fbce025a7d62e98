"""Administration: users and roles, credentials, rooms, center settings, plugins, a client's access history.

Admins manage the center, not clinical content: nothing here reads a note,
an answer or a score. Each route declares the admin action it needs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from polymodal.core.access import Actor, Role
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.practice import Practice, Work
from polymodal.core.safety import crisis
from polymodal.core.services import center, clients, privacy, users
from polymodal.core.timeutil import to_local
from polymodal.web.controllers._shared import AnyForm, go, one
from polymodal.web.rendering import render

ROLE_LABELS = {Role.admin: "Admin", Role.front_desk: "Front desk", Role.practitioner: "Practitioner",
               Role.supervisor: "Supervisor"}
USER_FIELDS = ("username", "display_name", "email", "password", "disciplines", "supervisor")
CREDENTIAL_FIELDS = ("type", "number", "jurisdiction", "expires_on")
CENTER_FIELDS = ("name", "timezone", "jurisdiction", "age_of_majority", "minor_consent_age")


def _crisis(rows: list[dict[str, str]], errors: dict[str, str] | None = None, saved: bool = False) -> dict[str, Any]:
    """What the crisis-text form shows: its rows (the fixed ones, the center's own, a blank one to add)."""
    return {"crisis_rows": rows, "crisis_errors": errors or {}, "crisis_saved": saved,
            "crisis_elsewhere": crisis.ELSEWHERE, "crisis_max": crisis.MAX_TEXT}


def _listed(data: dict[str, Any], name: str) -> list[str]:
    raw = data.get(name, [])
    return [str(v)[:80] for v in (raw if isinstance(raw, list) else [raw]) if v]


def _field_errors(errors: dict[str, str]) -> dict[str, str]:
    # pydantic names list items "roles.0": the form has one field per list.
    out: dict[str, str] = {}
    for key, message in errors.items():
        out.setdefault(key.split(".", 1)[0], message)
    return out


def _uuid(value: str) -> uuid.UUID:
    # A hidden field names the record; anything else is a form nobody could have sent from the page.
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such record") from None


def _credential_types(work: Work) -> list[str]:
    """Credential types the installed modalities ask for, offered while typing (any other may be entered)."""
    return sorted({t for m in work.registry.modalities for rule in m.credentials for t in rule.types})


def _user_form_context(work: Work) -> dict[str, Any]:
    return {"role_labels": {r.value: label for r, label in ROLE_LABELS.items()},
            "modalities": [(m.key, m.name) for m in work.registry.modalities],
            "supervisors": users.supervisors(work)}


class AdminController(Controller):
    path = "/admin"

    # --- users and credentials ---------------------------------------------------------

    @get("/users", opt={"action": "user.manage"}, sync_to_thread=True)
    def user_list(self, request: HTMXRequest, practice: NamedDependency[Practice],
                  actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            rows = users.list_users(work)
        return render(request, "admin/users.html", {"section": "users", "rows": rows,
                                                    "role_labels": {r.value: v for r, v in ROLE_LABELS.items()}},
                      block="user_rows")

    @get("/users/new", opt={"action": "user.manage"}, sync_to_thread=True)
    def user_new(self, request: HTMXRequest, practice: NamedDependency[Practice],
                 actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            context = _user_form_context(work)
        return render(request, "admin/user_form.html", {**context, "section": "users", "values": {"roles": []},
                                                        "errors": {}}, block="user_form")

    @post("/users", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def user_create(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    data: AnyForm) -> Response:
        values: dict[str, Any] = {name: one(data, name, 400) for name in USER_FIELDS}
        values["roles"], values["modalities"] = _listed(data, "roles"), _listed(data, "modalities")
        submitted = {**values, "username": values["username"].strip().lower(),
                     "disciplines": [d.strip() for d in values["disciplines"].split(",") if d.strip()],
                     "supervisor": values["supervisor"] or None}
        with practice.work(actor) as work:
            try:
                user = users.create_user(work, submitted)
                user_id = user.id
            except (ValidationFailed, Conflict) as exc:
                errors = _field_errors(exc.errors) if isinstance(exc, ValidationFailed) else {"username": str(exc)}
                context = _user_form_context(work)
                values["password"] = ""  # never echoed back
                return render(request, "admin/user_form.html", {**context, "section": "users", "values": values,
                                                                "errors": errors}, block="user_form", status_code=422)
        return go(request, f"/admin/users/{user_id}")

    def _user_page(self, request: HTMXRequest, work: Work, user_id: uuid.UUID, *, errors: dict[str, str],
                   values: dict[str, Any], status_code: int = 200, editing: str = "") -> Template:
        user = users.get_user(work, user_id)
        context = {
            "section": "users", "user": user, "credentials": users.credentials_of(work, user.id),
            "today": work.now.date(), "is_me": user.id == work.actor.user_id, "errors": errors, "values": values,
            "role_labels": {r.value: v for r, v in ROLE_LABELS.items()},
            "modality_names": [getattr(work.registry.modalities.get(k), "name", k) for k in user.modalities or ()],
            "all_disciplines": sorted(set(users.disciplines(work)) | set(user.disciplines or ())),
            "all_modalities": [(m.key, m.name, m.discipline) for m in work.registry.modalities],
            "credential_types": _credential_types(work), "editing": editing,
            # The add form shows only its own fields' errors, and none while a listed credential is being changed.
            "add_errors": {} if editing else {k: v for k, v in errors.items() if k in CREDENTIAL_FIELDS},
            "add_values": {} if editing else values,
        }
        return render(request, "admin/user.html", context, block="user_detail", status_code=status_code)

    @post("/users/{user_id:uuid}/practice", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def user_practice(self, request: HTMXRequest, practice: NamedDependency[Practice],
                      actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        chosen = {"disciplines": _listed(data, "disciplines"), "modalities": _listed(data, "modalities")}
        with practice.work(actor) as work:
            try:
                users.set_practice(work, user_id, chosen["disciplines"], chosen["modalities"])
            except ValidationFailed as exc:
                return self._user_page(request, work, user_id, errors=exc.errors, values=chosen, status_code=422)
        return go(request, f"/admin/users/{user_id}")

    @get("/users/{user_id:uuid}", opt={"action": "user.manage"}, sync_to_thread=True)
    def user_detail(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    user_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            return self._user_page(request, work, user_id, errors={}, values={})

    @post("/users/{user_id:uuid}/active", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def user_active(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        with practice.work(actor) as work:
            try:
                users.set_active(work, user_id, one(data, "active", 5) == "yes")
            except Conflict as exc:
                return self._user_page(request, work, user_id, errors={"active": str(exc)}, values={},
                                       status_code=422)
        return go(request, f"/admin/users/{user_id}")

    @post("/users/{user_id:uuid}/roles", opt={"action": "user.manage"}, status_code=200, sync_to_thread=True)
    def user_roles(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                   user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        roles = _listed(data, "roles")
        with practice.work(actor) as work:
            try:
                users.set_roles(work, user_id, roles)
            except ValidationFailed as exc:
                return self._user_page(request, work, user_id, errors=_field_errors(exc.errors),
                                       values={"roles": roles}, status_code=422)
        return go(request, f"/admin/users/{user_id}")

    def _credential_change(self, request: HTMXRequest, practice: Practice, actor: Actor, user_id: uuid.UUID,
                           data: dict[str, Any], change: Any) -> Response:
        """Run ``change(work, expires_on, values)``; the page again with the named errors (422) if refused."""
        values = {name: one(data, name, 100) for name in CREDENTIAL_FIELDS}
        editing = one(data, "credential", 40)
        with practice.work(actor) as work:
            try:
                expires = dt.date.fromisoformat(values["expires_on"]) if values["expires_on"].strip() else None
            except ValueError:
                return self._user_page(request, work, user_id, values=values, status_code=422, editing=editing,
                                       errors={"expires_on": "Enter the expiry date as YYYY-MM-DD, or leave it empty."})
            try:
                change(work, expires, values)
            except ValidationFailed as exc:
                return self._user_page(request, work, user_id, errors=exc.errors, values=values, status_code=422,
                                       editing=editing)
        return go(request, f"/admin/users/{user_id}")

    @post("/users/{user_id:uuid}/credentials", opt={"action": "user.manage"}, status_code=200,
          sync_to_thread=True)
    def credential_add(self, request: HTMXRequest, practice: NamedDependency[Practice],
                       actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        return self._credential_change(request, practice, actor, user_id, {**data, "credential": ""},
                                       lambda work, expires, v: users.add_credential(
                                           work, user_id, v["type"], v["number"], v["jurisdiction"], expires))

    # The credential is named in the form, not the path: the access matrix knows users, not credentials,
    # and the service checks that the credential is this user's.
    @post("/users/{user_id:uuid}/credentials/edit", opt={"action": "user.manage"}, status_code=200,
          sync_to_thread=True)
    def credential_edit(self, request: HTMXRequest, practice: NamedDependency[Practice],
                        actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        credential_id = _uuid(one(data, "credential", 40))
        return self._credential_change(request, practice, actor, user_id, data,
                                       lambda work, expires, v: users.update_credential(
                                           work, user_id, credential_id, v["type"], v["number"], v["jurisdiction"],
                                           expires))

    @post("/users/{user_id:uuid}/credentials/remove", opt={"action": "user.manage"}, status_code=200,
          sync_to_thread=True)
    def credential_remove(self, request: HTMXRequest, practice: NamedDependency[Practice],
                          actor: NamedDependency[Actor], user_id: FromPath[uuid.UUID], data: AnyForm) -> Response:
        credential_id = _uuid(one(data, "credential", 40))
        with practice.work(actor) as work:
            try:
                users.remove_credential(work, user_id, credential_id)
            except ValidationFailed as exc:
                return self._user_page(request, work, user_id, errors=exc.errors, values={}, status_code=422)
        return go(request, f"/admin/users/{user_id}")

    # --- rooms and center settings ----------------------------------------------------

    def _rooms_page(self, request: HTMXRequest, work: Work, *, values: dict[str, Any], errors: dict[str, str],
                    editing: str = "", status_code: int = 200) -> Template:
        return render(request, "admin/rooms.html", {
            "section": "rooms", "rows": center.rooms(work), "values": values, "errors": errors, "editing": editing,
            "locations": sorted({r.location for r in center.rooms(work)})}, block="room_form",
            status_code=status_code)

    @get("/rooms", opt={"action": "center.manage"}, sync_to_thread=True)
    def room_list(self, request: HTMXRequest, practice: NamedDependency[Practice],
                  actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            return self._rooms_page(request, work, values={}, errors={})

    @post("/rooms", opt={"action": "center.manage"}, status_code=200, sync_to_thread=True)
    def room_add(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                 data: AnyForm) -> Response:
        values = {name: one(data, name, 500) for name in ("location", "name", "address")}
        with practice.work(actor) as work:
            try:
                center.add_room(work, values["location"], values["name"], values["address"])
            except ValidationFailed as exc:
                return self._rooms_page(request, work, values=values, errors=exc.errors, status_code=422)
        return go(request, "/admin/rooms")

    # The room is named in the form, like a credential: see credential_edit.
    @post("/rooms/edit", opt={"action": "center.manage"}, status_code=200, sync_to_thread=True)
    def room_edit(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                  data: AnyForm) -> Response:
        values = {name: one(data, name, 500) for name in ("room", "location", "name", "address")}
        room_id = _uuid(values["room"])
        with practice.work(actor) as work:
            try:
                center.update_room(work, room_id, values["name"], values["location"], values["address"])
            except ValidationFailed as exc:
                return self._rooms_page(request, work, values=values, errors=exc.errors, editing=values["room"],
                                        status_code=422)
        return go(request, "/admin/rooms")

    @post("/rooms/retire", opt={"action": "center.manage"}, status_code=200, sync_to_thread=True)
    def room_retire(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], data: AnyForm) -> Response:
        room = one(data, "room", 40)
        room_id, restore = _uuid(room), one(data, "restore", 5) == "yes"
        with practice.work(actor) as work:
            try:
                (center.restore_room if restore else center.retire_room)(work, room_id)
            except Conflict as exc:
                return self._rooms_page(request, work, values={"room": room}, errors={"retire": str(exc)},
                                        editing=room, status_code=422)
        return go(request, "/admin/rooms")

    @get("/center", opt={"action": "center.manage"}, sync_to_thread=True)
    def center_form(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            c = work.center
            values = {name: "" if getattr(c, name) is None else str(getattr(c, name)) for name in CENTER_FIELDS}
            rows = crisis.settings_rows(work)
        return render(request, "admin/center.html", {"section": "center", "values": values, "errors": {},
                                                     "saved": False, **_crisis(rows)}, block="center_form")

    @post("/center/crisis", opt={"action": "center.manage"}, status_code=200, sync_to_thread=True)
    def crisis_save(self, request: HTMXRequest, practice: NamedDependency[Practice],
                    actor: NamedDependency[Actor], data: AnyForm) -> Template:
        """The crisis text the portal shows a client who reports suicidal thoughts, per jurisdiction."""
        # The page shows MAX_ROWS rows at most, plus a blank one to add; more is refused by the service.
        count = min(int(n) if (n := one(data, "rows", 4)).isdigit() else 0, crisis.MAX_ROWS + 2)
        # Read generously: an over-long text is refused by the service with its length, never cut silently.
        rows = [{"jurisdiction": one(data, f"jurisdiction_{i}", 40), "text": one(data, f"text_{i}", 4 * crisis.MAX_TEXT),
                 "fixed": "1" if one(data, f"jurisdiction_{i}", 40) in crisis.FIXED and i < len(crisis.FIXED) else ""}
                for i in range(count)]
        with practice.work(actor) as work:
            try:
                crisis.save_texts(work, rows)
            except ValidationFailed as exc:
                return render(request, "admin/center.html", {"section": "center", **_crisis(rows, exc.errors)},
                              block="crisis_form", status_code=422)
            saved = crisis.settings_rows(work)
        return render(request, "admin/center.html", {"section": "center", **_crisis(saved, saved=True)},
                      block="crisis_form")

    @post("/center", opt={"action": "center.manage"}, status_code=200, sync_to_thread=True)
    def center_save(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                    data: AnyForm) -> Template:
        values = {name: one(data, name, 200).strip() for name in CENTER_FIELDS}
        submitted = {**values, "jurisdiction": values["jurisdiction"].upper(),
                     "minor_consent_age": values["minor_consent_age"] or None}
        with practice.work(actor) as work:
            try:
                center.setup_center(work, submitted)
            except ValidationFailed as exc:
                return render(request, "admin/center.html", {"section": "center", "values": values,
                                                             "errors": exc.errors, "saved": False,
                                                             **_crisis(crisis.settings_rows(work))},
                              block="center_form", status_code=422)
            rows = crisis.settings_rows(work)
        return render(request, "admin/center.html", {"section": "center", "values": values, "errors": {},
                                                     "saved": True, **_crisis(rows)}, block="center_form")

    # --- plugins ------------------------------------------------------------------------

    @get("/plugins", opt={"action": "plugins.read"}, sync_to_thread=True)
    def plugins(self, request: HTMXRequest, practice: NamedDependency[Practice],
                actor: NamedDependency[Actor]) -> Template:
        with practice.work(actor, write=False) as work:
            tz = work.center.timezone
        errors = practice.recent_plugin_errors()
        by_plugin: dict[str, list[dict[str, str]]] = {}
        for e in errors:
            by_plugin.setdefault(e.plugin, []).append({"at": f"{to_local(e.at, tz):%d %b %Y %H:%M}", "hook": e.hook,
                                                       "error": e.error})
        def titles(kind: str, keys: list[str]) -> list[str]:
            # People read titles; keys are for plugin authors (`polymodal plugins list`).
            catalog = practice.registry.catalog(kind)
            return [getattr(catalog.get(k), "title", None) or getattr(catalog.get(k), "name", None) or k
                    for k in keys]

        pages, menu = practice.plugin_pages(), practice.plugin_menu_items()
        infos = [{"name": p.name, "version": p.version, "hooks": p.hooks, "modalities": p.modalities,
                  "contributions": {kind.replace("_", " "): titles(kind, keys) for kind, keys in p.contributions.items()
                                    if keys and kind != "modalities"},  # modalities are listed with their names
                  "errors": by_plugin.get(p.name, []), "pages": pages.get(p.name, []),
                  "menu": [item for plugin, item in menu if plugin == p.name]} for p in practice.plugin_info()]
        known = {p["name"] for p in infos}
        orphans = {name: rows for name, rows in by_plugin.items() if name not in known}
        return render(request, "admin/plugins.html", {"section": "plugins", "plugins": infos, "orphans": orphans,
                                                      "disabled": practice.disabled_plugins,
                                                      "overlaps": practice.plugin_overlaps(),
                                                      "hidden": practice.hidden_modalities()}, block="plugin_list")


class AccessHistoryController(Controller):
    """Who touched a client's record: the accounting of disclosures, for admins (audit.read)."""

    path = "/clients/{client_id:uuid}/access-history"

    @get("/", opt={"action": "audit.read"}, sync_to_thread=True)
    def history(self, request: HTMXRequest, practice: NamedDependency[Practice], actor: NamedDependency[Actor],
                client_id: FromPath[uuid.UUID]) -> Template:
        with practice.work(actor, write=False) as work:
            client = clients.get_client(work, client_id)
            tz = work.center.timezone
            events = [{"at": f"{to_local(e.at, tz):%d %b %Y %H:%M:%S}", "who": e.actor_name, "role": e.actor_role,
                       "action": e.action, "record": e.record_type, "outcome": e.outcome, "reason": e.reason,
                       "origin": e.origin} for e in privacy.access_history(work, client.id, limit=300)]
        return render(request, "admin/access_history.html", {"client": client, "events": events},
                      block="access_events")
