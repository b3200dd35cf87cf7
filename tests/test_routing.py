"""Route tables: one route per path, its handler per method in the open."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from emulator.core.routing import MethodRoute, handlers_of, routes_from


async def get_thing(request: Request) -> Response:
    return PlainTextResponse("got")


async def delete_thing(request: Request) -> Response:
    return PlainTextResponse("deleted")


async def test_a_path_gathers_its_handlers_under_each_prefix() -> None:
    table = [("/things/{id}", get_thing, ["GET"]), ("/things/{id}", delete_thing, ["DELETE"])]
    routes = routes_from(table, ("/v1", "/v2"))
    assert [r.path for r in routes] == ["/v1/things/{id}", "/v2/things/{id}"]  # type: ignore[attr-defined]
    assert all(isinstance(r, MethodRoute) for r in routes)
    assert handlers_of(routes[0]) == {  # type: ignore[arg-type]
        "GET": get_thing,
        "DELETE": delete_thing,
        "HEAD": get_thing,
    }

    app = Starlette(routes=routes)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        assert (await http.get("/v2/things/1")).text == "got"
        assert (await http.delete("/v1/things/1")).text == "deleted"
        refused = await http.post("/v1/things/1")
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"GET", "DELETE", "HEAD"}
