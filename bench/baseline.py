"""A bare Starlette app, the yardstick of `make bench`: the same server stack as the emulator
(uvicorn, one worker, the same listening-socket helper) answering the same kind of request, with
nothing behind it but parsing the JSON body.

    python bench/baseline.py PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.net import listen_socket


async def check_status(request: Request) -> Response:
    body = await request.json()
    return JSONResponse({"status": "rendering", "upload_id": body.get("upload_id")})


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/check-status", check_status, methods=["POST"]),
        Route("/_emulator/health", health, methods=["GET"]),
    ]
)


def main() -> None:
    sock = listen_socket("127.0.0.1", int(sys.argv[1]))
    config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
