"""What every vendor package provides, and the behaviour they all share, parameterised.

A vendor subclasses `VendorApi`: it names its slug and real hosts, lists its routes, renders errors
in its own envelope and reacts to its finished jobs. Authentication, fault injection and the
sub-application that turns every failure (404, 405, bad input, a crash) into the vendor's envelope
live here once.

Fault rules reach every route of `routes()` without the vendor doing anything: `build_app` applies
a request's rules (error, rate limit, latency, drop) before its handler runs, keyed by the
handler's name, and answers through `fault_response` (override it to pick vendor error codes).
Inside such a request `refuse_if_faulted` only checks magic inputs, so no rule fires twice;
`plan_job` takes `fail_job` rules of its operation or of the handler answering the request.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .accounts import Account
from .engine import Engine
from .errors import ApiError
from .faults import FaultRule, magic_input, magic_key
from .http import auth_token, drop_connection
from .jobs import Job
from .routing import handlers_of
from .routing import routes_from as routes_from  # vendors build their routes with it
from .urls import source_url_problem

log = logging.getLogger("staging_emulator")


# The handler answering the current request, once its fault rules have been applied.
_answering: ContextVar[str | None] = ContextVar("answering", default=None)


@dataclass(frozen=True)
class JobPlan:
    """How a new job will end, decided at creation: magic inputs and fault rules."""

    fails: bool = False
    error: str | None = None
    slow: bool = False


class VendorApi(ABC):
    slug: ClassVar[str]  # URL prefix on the emulator, e.g. "virtualstaging-art"
    title: ClassVar[str]  # human name
    hosts: ClassVar[tuple[str, ...]]  # the vendor's real hosts, for Host routing
    docs_base: ClassVar[str] = ""  # path under the host where the API lives, e.g. "/v2"
    # host the vendor serves its result files from (e.g. a CDN), for result URLs like the vendor's
    media_host: ClassVar[str | None] = None

    # authentication: header and scheme, and the vendor's words for refusals
    auth_header: ClassVar[str] = "authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    unauthorized_message: ClassVar[str] = "Missing or invalid API key"
    blocked_message: ClassVar[str] = "Account blocked or restricted"
    blocked_status: ClassVar[int] = 403
    unavailable_message: ClassVar[str] = "Temporary service failure, please try again later"
    rate_limited_message: ClassVar[str] = "Too many requests, please retry later"
    failure_message: ClassVar[str] = "Internal server error. Please try again later."

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.options: dict[str, Any] = dict(engine.config.vendor_options.get(self.slug, {}))
        engine.on_job_finished(self.slug, self.on_job_finished)

    @abstractmethod
    def routes(self) -> list[BaseRoute]: ...

    @abstractmethod
    def error_response(self, error: ApiError) -> Response: ...

    async def on_job_finished(self, job: Job) -> None:  # noqa: B027 - optional hook
        """Called once when a job of this vendor reaches its end (success or failure)."""

    def initial_meters(self, api_key: str) -> dict[str, Any]:
        """Quotas a new account of this key starts with, beyond credits (see `faults.magic_key`)."""
        return {}

    # shared behaviour

    def authenticate(self, request: Request) -> Account:
        token = auth_token(request, self.auth_scheme, self.auth_header)
        if token is None or magic_key(token).invalid:
            raise ApiError(401, self.unauthorized_message)
        account = self.engine.accounts.open(self.slug, token, self.initial_meters(token))
        if account.blocked:
            raise ApiError(self.blocked_status, self.blocked_message)
        return account

    def check_source_url(self, url: str, field: str, *, https_only: bool = False) -> None:
        """Refuse, with the vendor's 400 naming `field`, an image URL the real service could not
        fetch; a URL this emulator handed out is always accepted."""
        if self.engine.media.served(url) is not None:
            return
        allow_private = self.engine.config.allow_private_urls
        problem = source_url_problem(url, https_only=https_only, allow_private=allow_private)
        if problem is not None:
            raise ApiError(400, f"{field}: {problem}", field=field)

    def refuse_if_faulted(self, operation: str, *inputs: str | None) -> None:
        """Answer with the vendor's unavailable error when a magic input says so (or, outside a
        routed request, an error rule: inside one, its rules were applied before the handler)."""
        if _answering.get() is None:
            rule = self.engine.faults.take(self.slug, operation, "error")
            if rule is not None:
                raise ApiError(rule.status, rule.message or self.unavailable_message)
        if magic_input(*inputs).unavailable:
            raise ApiError(503, self.unavailable_message)

    def plan_job(self, operation: str, *inputs: str | None) -> JobPlan:
        """How a job of `operation` ends: a `fail_job` rule on it (or on the handler answering the
        request, or `*`) or the magic words in `inputs` fail it."""
        magic = magic_input(*inputs)
        names = (operation, _answering.get() or operation)
        rule = self.engine.faults.take(self.slug, names, "fail_job")
        if rule is not None:
            return JobPlan(True, rule.message or self.failure_message, magic.slow)
        return JobPlan(magic.fail, self.failure_message if magic.fail else None, magic.slow)

    async def apply_faults(self, scope: Scope, receive: Receive, operation: str) -> Response | None:
        """Apply the request-level fault rules of `operation`: wait out their latency, then the
        answer one of them gives instead of the handler's (None: let the handler answer)."""
        planned = self.engine.faults.for_request(self.slug, operation)
        if planned.delay:
            await asyncio.sleep(planned.delay)
        rule = planned.rule
        if rule is None:
            return None
        if rule.action == "drop":
            if await drop_connection(scope):
                return _NO_ANSWER
            return self.fault_response(rule)  # no socket to drop (an in-process transport)
        return self.fault_response(rule)

    def fault_response(self, rule: FaultRule) -> Response:
        default = self.rate_limited_message if rule.status == 429 else self.unavailable_message
        response = self.error_response(ApiError(rule.status, rule.message or default))
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(rule.retry_after)
        return response

    def _with_faults(self, route: Route) -> None:
        """Route `route` through the fault rules of the handler that answers each method."""
        handlers = handlers_of(route)
        inner = route.app

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            operation = getattr(handlers.get(scope["method"]), "__name__", route.name)
            answer = await self.apply_faults(scope, receive, operation)
            if answer is not None:
                await answer(scope, receive, send)
                return
            token = _answering.set(operation)
            try:
                await inner(scope, receive, send)
            finally:
                _answering.reset(token)

        route.app = app

    def build_app(self) -> ASGIApp:
        """This vendor's sub-application: its routes, every failure in its envelope, every
        operation reachable by fault rules."""

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            message = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, exc.detail)
            response = self.error_response(ApiError(exc.status_code, message))
            if exc.headers:
                response.headers.update(exc.headers)
            return response

        async def api_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, ApiError)
            response = self.error_response(exc)
            response.headers.update(exc.headers)
            return response

        def internal_error() -> Response:
            return self.error_response(ApiError(500, "Unexpected server error"))

        async def crash(request: Request, exc: Exception) -> Response:
            return internal_error()

        routes = self.routes()
        for route in routes:
            if isinstance(route, Route):
                self._with_faults(route)
        app = Starlette(
            routes=routes,
            exception_handlers={HTTPException: http_error, ApiError: api_error, Exception: crash},
        )
        app.router.redirect_slashes = False  # `/renders/` is a 404, as at the vendor
        return _CatchAll(app, internal_error)


class _NoAnswer(Response):
    """Sends nothing: the connection is gone."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


_NO_ANSWER = _NoAnswer()


class _CatchAll:
    """Last resort: a crash becomes the vendor's 500 envelope, logged once, never re-raised to the
    server (Starlette answers with the `Exception` handler, then re-raises)."""

    def __init__(self, app: ASGIApp, fallback: Callable[[], Response]) -> None:
        self.app, self.fallback = app, fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error in %s", scope.get("path"))
            if not started and scope["type"] == "http":
                await self.fallback()(scope, receive, send)
