"""Routes built from a table of (path, handler, methods) rows, one handler per documented call.

A path served by several handlers (GET and DELETE of `/renders/{id}`) becomes one route that knows
its handler per method, so a wrong method gets a 405 whose Allow header lists them all, and fault
rules (core/vendor.py), the journal and the OpenAPI document (core/openapi.py) can name the handler
that answers a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

Endpoint = Callable[[Request], Awaitable[Response]]
RouteTable = Iterable[tuple[str, Endpoint, list[str]]]


class MethodRoute(Route):
    """One path answered by a handler per method (`handlers`, HEAD included where GET is)."""

    def __init__(self, path: str, handlers: dict[str, Endpoint]) -> None:
        self.handlers = handlers

        async def dispatch(request: Request) -> Response:
            return await handlers[request.method](request)

        super().__init__(path, dispatch, methods=list(handlers))


def routes_from(table: RouteTable, prefixes: tuple[str, ...] = ("",)) -> list[BaseRoute]:
    """One route per path under each prefix, its methods gathered from every row of the table."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, endpoint, methods in table:
        for method in methods:
            by_path.setdefault(path, {})[method] = endpoint
    routes: list[BaseRoute] = []
    for path, handlers in by_path.items():
        if "GET" in handlers:
            handlers.setdefault("HEAD", handlers["GET"])
        routes += [MethodRoute(prefix + path, handlers) for prefix in prefixes]
    return routes


def handlers_of(route: Route) -> dict[str, Endpoint]:
    """The handler answering each method of a route (HEAD included where GET is)."""
    if isinstance(route, MethodRoute):
        return dict(route.handlers)
    return dict.fromkeys(route.methods or (), route.endpoint)
