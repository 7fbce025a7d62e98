"""Dependencies handlers ask for: the practice and the signed-in actor."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from polymodal.core.access import Actor
from polymodal.core.practice import Practice


def provide_practice(state: State) -> Practice:
    return state.practice


def provide_actor(request: Request, practice: NamedDependency[Practice]) -> Actor:
    # Set by the authenticate guard from the server-side session, never from the request.
    # ``practice`` is named only to order the two: Litestar resolves independent dependencies concurrently,
    # in an anyio task group that cost more than both (2 % of the client search's CPU); one after the
    # other they need none.
    actor = getattr(request.state, "actor", None)
    if actor is None:
        raise RuntimeError("actor requested on a route without a signed-in user")
    return actor


DEPENDENCIES = {
    "practice": Provide(provide_practice, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
}
