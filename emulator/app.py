"""Composes the engine, every vendor and the control API into one ASGI app on one port.

Vendors answer under `/<slug>/<their real path>`, and at their real paths when the request's Host
is the vendor's real host. The emulator's own API is under `/_emulator`, stored images under
`/_media`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .control.api import control_routes, openapi_routes
from .control.dashboard import dashboard_routes
from .control.journal import Journal, vendor_resolver
from .core.engine import Engine
from .core.http import remember_connection
from .core.jobs import JobState
from .core.media import MediaNotReady
from .core.ranges import RangeNotSatisfiable, byte_range
from .core.vendor import VendorApi
from .hosts import LOCAL_HOSTS, media_bases, media_host_of
from .settings import Settings
from .vendors import vendor_classes


class EmulatorApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = Engine(settings.engine_config())
        self.vendors: list[VendorApi] = [cls(self.engine) for cls in vendor_classes()]
        vendor_apps = {v.slug: v.build_app() for v in self.vendors}
        self._by_host: dict[str, ASGIApp] = {
            host: vendor_apps[v.slug] for v in self.vendors for host in v.hosts
        }
        self._by_host.update(dict.fromkeys(self._media_hosts(), self._media_only()))
        self._mounts = {slug: _vendor_mount(slug, app) for slug, app in vendor_apps.items()}
        routes = [
            Route("/", self.index, methods=["GET"]),
            Route("/_media/{name}", self.media, methods=["GET", "HEAD"]),
            Mount("/_emulator/ui", routes=dashboard_routes(self)),
            Mount("/_emulator", routes=control_routes(self)),
            *openapi_routes(self),
            *self._mounts.values(),
        ]
        self.journal = Journal(
            self.engine.clock,
            vendor_resolver(self.vendors),
            size=settings.journal_size,
            body_limit=settings.journal_body_limit,
            enabled=settings.journal,
        )
        self._main = Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers={HTTPException: _json_http_error, Exception: _json_crash},
        )

    def _media_hosts(self) -> list[str]:
        """Each vendor's media host, unless it is the emulator's own (a `media_url` option may
        point there): the host routes to the API and control routes, not media only."""
        own = {urlsplit(self.engine.media.public_url).hostname, *LOCAL_HOSTS}
        hosts = (media_host_of(v) for v in self.vendors)
        return [h for h in hosts if h and h not in own and h not in self._by_host]

    def _media_only(self) -> ASGIApp:
        """What a media host serves, like a CDN: the files at `/_media/...` and nothing else."""
        return Starlette(
            routes=[Route("/_media/{name}", self.media, methods=["GET", "HEAD"])],
            exception_handlers={HTTPException: _json_http_error},
        )

    def use_media_hosts(self, public_port: int = 443) -> None:
        """With TLS on: each vendor's result URLs at its own media host, `https://<host>/_media/...`
        (`public_port`: where clients reach HTTPS, when not 443)."""
        self.engine.media.vendor_bases = media_bases(self.vendors, public_port)

    def base_urls(self) -> dict[str, str]:
        public = self.engine.media.public_url
        return {v.slug: f"{public}/{v.slug}{v.docs_base}" for v in self.vendors}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._main(scope, receive, send)
            return
        remember_connection(scope, receive)  # for fault rules that drop it
        vendor_app = self._by_host.get(_host(scope))
        target = vendor_app if vendor_app is not None else self._vendor_path(scope["path"])
        await self.journal.record(scope, receive, send, target or self._main)

    def _vendor_path(self, path: str) -> ASGIApp | None:
        """The vendor mount that `/<slug>/...` reaches, straight, without trying every route of
        the main app first (its own `/<slug>/openapi.json` aside)."""
        slug, slash, rest = path[1:].partition("/")
        mount = self._mounts.get(slug)
        if mount is None or not slash or rest == "openapi.json":
            return None

        async def through_mount(scope: Scope, receive: Receive, send: Send) -> None:
            match, child_scope = mount.matches(scope)
            if match != Match.FULL:
                await self._main(scope, receive, send)
                return
            scope.update(child_scope)
            await mount.handle(scope, receive, send)

        return through_mount

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        runner = None
        if self.engine.clock.mode == "real":
            runner = asyncio.create_task(self.engine.run_forever())
        try:
            yield
        finally:
            if runner is not None:
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
            await self.engine.close()  # webhooks stopped, the store closed (no WAL left behind)

    async def index(self, request: Request) -> Response:
        base_urls = self.base_urls()
        vendors = [
            {
                "slug": v.slug,
                "title": v.title,
                "base_url": base_urls[v.slug],
                "hosts": list(v.hosts),
            }
            for v in self.vendors
        ]
        return JSONResponse(
            {
                "name": "staging-emulator",
                "vendors": vendors,
                "control": f"{self.engine.media.public_url}/_emulator",
            }
        )

    async def media(self, request: Request) -> Response:
        media_id, _, ext = request.path_params["name"].partition(".")
        media = self.engine.media.get(media_id)
        if media is None or media.ext != ext or not self._released(media.job_id):
            return JSONResponse({"error": "Not found"}, status_code=404)
        if media.etag and _matches(request.headers.get("if-none-match"), f'"{media.etag}"'):
            return Response(status_code=304, headers=_cache_headers(media.etag))
        try:
            media, data = await self.engine.media.content(media)
        except MediaNotReady:
            return JSONResponse({"error": "Not found"}, status_code=404)
        headers = _cache_headers(media.etag or "")
        status, part = 200, data
        if _range_applies(request.headers.get("if-range"), f'"{media.etag}"'):
            try:
                span = byte_range(request.headers.get("range"), len(data))
            except RangeNotSatisfiable:
                return JSONResponse(
                    {"error": f"Range not satisfiable: the file has {len(data)} bytes"},
                    status_code=416,
                    headers=headers | {"Content-Range": f"bytes */{len(data)}"},
                )
            if span is not None:
                status, part = 206, data[span.start : span.stop]
                headers["Content-Range"] = f"bytes {span.start}-{span.stop - 1}/{len(data)}"
        body = b"" if request.method == "HEAD" else part  # HEAD: GET's headers, no body
        response = Response(body, status, media_type=media.content_type, headers=headers)
        response.headers["Content-Length"] = str(len(part))
        return response

    def _released(self, job_id: str | None) -> bool:
        """Uploads are always served; a render only once its job has succeeded."""
        if job_id is None:
            return True
        job = self.engine.jobs.get(job_id)
        return job is not None and job.state(self.engine.now()) == JobState.SUCCEEDED


def _vendor_mount(slug: str, app: ASGIApp) -> Mount:
    """Everything under `/<slug>/` goes to the vendor, even a path whose decoded id holds a newline
    (a Mount's pattern stops at one), so the vendor answers in its own envelope."""
    mount = Mount(f"/{slug}", app)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


def _cache_headers(etag: str) -> dict[str, str]:
    return {
        "ETag": f'"{etag}"',
        "Accept-Ranges": "bytes",
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",  # served as the type checked at upload, never sniffed
    }


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: a list of tags, weak ones compared weakly, or `*`."""
    if not if_none_match:
        return False
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in if_none_match.split(","))


def _range_applies(if_range: str | None, etag: str) -> bool:
    """RFC 9110 If-Range: the range is sent only while the representation is the one named; a
    date never matches (media have no Last-Modified), a weak tag never does."""
    return if_range is None or if_range.strip() == etag


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return value.decode("latin-1").rsplit(":", 1)[0].lower() if b"]" not in value else ""
    return ""


async def _json_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _json_crash(request: Request, exc: Exception) -> Response:
    """Whatever else fails outside a vendor still answers JSON (a vendor answers its envelope)."""
    return JSONResponse({"error": f"internal error: {type(exc).__name__}"}, status_code=500)


def create_app(settings: Settings | None = None) -> EmulatorApp:
    return EmulatorApp(settings or Settings.from_env())
