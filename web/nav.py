"""The role-aware main menu: an entry shows when its route exists and a role grants its action."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar

from polymodal.core.access import Actor, scopes_for


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    action: str


# Areas add their entry here when they add their pages; entries whose route is
# not mounted yet stay hidden, so the menu never links to a 404.
NAV: tuple[NavItem, ...] = (
    NavItem("Today", "/", "schedule.read"),
    NavItem("Clients", "/clients", "client.read"),
    NavItem("Schedule", "/schedule", "schedule.read"),
    NavItem("Waitlist", "/waitlist", "session.manage"),
    NavItem("Notes", "/notes", "clinical.read"),
    NavItem("Co-signing", "/notes/cosign", "note.cosign"),
    NavItem("Billing", "/billing", "billing.read"),
    NavItem("Fees", "/billing/settings", "billing.configure"),
    NavItem("Reports", "/billing/reports", "billing.report"),
    NavItem("My calendar", "/me/calendar", "schedule.read"),
    NavItem("Hours", "/availability", "schedule.read"),
    NavItem("Users", "/admin/users", "user.manage"),
    NavItem("Messages", "/admin/messages", "messages.manage"),
    NavItem("Audit", "/admin/audit", "audit.read"),
    NavItem("Plugins", "/admin/plugins", "plugins.read"),
    NavItem("Emergency access", "/admin/emergency-access", "break_glass.review"),
    NavItem("API tokens", "/profile/tokens", "api_token.own"),
)


def _mounted(app: Litestar) -> frozenset[str]:
    paths = app.state.get("_nav_paths")
    if paths is None:
        paths = frozenset(route.path for route in app.routes)
        app.state["_nav_paths"] = paths
    return paths


def nav_for(app: Litestar, actor: Actor, current: str) -> list[dict[str, object]]:
    mounted = _mounted(app)
    items = []
    for item in (*NAV, *app.state.get("plugin_nav", ())):
        if item.href in mounted and scopes_for(actor, item.action):
            active = current == item.href or (item.href != "/" and current.startswith(item.href + "/"))
            items.append({"label": item.label, "href": item.href, "current": active})
    return items
