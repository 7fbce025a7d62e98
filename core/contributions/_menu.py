"""Menu entries a plugin adds for its pages."""

from __future__ import annotations

from pydantic import Field

from polymodal.core.contributions._base import Frozen


class MenuItem(Frozen):
    """An entry of the main menu leading to one of the plugin's pages (Since: API 1.2)."""

    label: str = Field(min_length=1, max_length=40)
    """What the menu shows, e.g. "Herd"."""
    path: str = Field(pattern=r"^/[A-Za-z0-9_./-]*$", max_length=200)
    """The page's path below ``/m/<plugin>``, as the route declares it (``/herd`` for ``/m/equine/herd``);
    the entry is left out while no route of the plugin answers GET on it."""
    action: str = Field(min_length=1, max_length=80)
    """A declared action (see ``polymodal.core.access.POLICY``, e.g. ``schedule.read``): the entry shows only
    to users whose roles grant it. Use the route's own action, so nobody is shown a page they cannot open."""
