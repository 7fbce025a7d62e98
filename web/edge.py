"""What every request meets before routing: a path the file system can take, HEAD, OPTIONS.

This wraps the whole application (``Litestar.asgi_handler``), outside the
router and its exception handlers, because the cases it handles never reach a
route handler in a usable shape: a NUL byte in a static file's path made the
file system raise, and a HEAD request was answered 405 by the router although
every page answers GET.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders

Scope = dict[str, Any]

CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(32), 127])
BAD_PATH = b"Bad request: the address contains a control character (such as a NUL byte)."


class Edge:
    """ASGI middleware around the app: refuses control characters in paths, serves HEAD as a bodiless GET."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if any(c in CONTROL_CHARACTERS for c in scope.get("path", "")):
            await _plain(send, 400, BAD_PATH)
            return
        method = scope["method"]
        if method == "HEAD":
            # RFC 9110 9.3.2: the same answer as GET, headers only. Pages are read-only on GET, so
            # running the GET handler is safe; its body is dropped here, never sent.
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
        elif method == "OPTIONS":
            await self.app(scope, receive, self._allow(scope, send))
        else:
            await self.app(scope, receive, send)

    def _allow(self, scope: Scope, send: Any) -> Any:
        """The router answers OPTIONS itself, but its ``Allow`` can miss methods whose handlers were
        declared apart (GET and POST /sign-in): it is rebuilt from the matched route, plus HEAD."""

        async def send_allow(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 204:
                methods = set(_methods_by_path(scope["litestar_app"]).get(scope.get("path_template"), ()))
                if methods:
                    if "GET" in methods:
                        methods.add("HEAD")
                    MutableScopeHeaders.from_message(message)["allow"] = ", ".join(sorted(methods))
            await send(message)

        return send_allow


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _without_body(send: Any) -> Any:
    async def send_headers_only(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            if not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})
            return
        await send(message)

    return send_headers_only


def _methods_by_path(app: Any) -> dict[str, set[str]]:
    known = getattr(app.state, "_methods_by_path", None)
    if known is None:
        known = {route.path: set(route.methods) for route in app.routes if hasattr(route, "methods")}
        app.state._methods_by_path = known
    return known
