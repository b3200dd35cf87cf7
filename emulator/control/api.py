"""Control API: JSON in and out, `{"error": "..."}` on failure, never part of any vendor's API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from ..core.accounts import Account, account_id
from ..core.clock import iso8601
from ..core.errors import ApiError
from ..core.faults import FaultRule
from ..core.http import parse_model, read_json_object
from ..core.jobs import Job

DASHBOARD = Path(__file__).with_name("dashboard.html")

if TYPE_CHECKING:
    from ..app import EmulatorApp


class AdvanceRequest(BaseModel):
    seconds: float = Field(ge=0, le=10 * 365 * 86400)


class AccountSelector(BaseModel):
    vendor: str | None = None
    api_key: str | None = None
    account_id: str | None = None


class AccountUpdate(BaseModel):
    vendor: str
    api_key: str = Field(min_length=1)
    credits: int | None = Field(None, ge=0)
    blocked: bool | None = None
    meters: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


def control_routes(app: EmulatorApp) -> list[BaseRoute]:
    engine = app.engine
    slugs = {v.slug for v in app.vendors}

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return JSONResponse({"error": exc.message}, status_code=exc.status)

        return endpoint

    async def body(request: Request) -> dict[str, Any]:
        return await read_json_object(request, allow_empty=True)

    def clock_state() -> dict[str, Any]:
        now = engine.now()
        next_due = engine.store.next_due()
        return {
            "mode": engine.clock.mode,
            "now": now,
            "now_iso": iso8601(now),
            "speed": getattr(engine.clock, "speed", None),
            "pending_timers": engine.store.pending_timers(),
            "next_due": next_due,
        }

    def check_vendor(slug: str | None) -> None:
        if slug is not None and slug not in slugs:
            raise ApiError(400, f"vendor: unknown vendor '{slug}'; expected one of {sorted(slugs)}")

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "clock": clock_state(),
                "store": engine.store.path,
                "vendors": app.base_urls(),
            }
        )

    async def clock(request: Request) -> Response:
        return JSONResponse(clock_state())

    async def advance(request: Request) -> Response:
        req = parse_model(AdvanceRequest, await body(request))
        if engine.clock.mode != "manual":
            raise ApiError(
                409, "the clock is real: start the emulator with --clock manual to advance it"
            )
        ran = await engine.advance(req.seconds)
        return JSONResponse(clock_state() | {"ran": ran})

    async def reset(request: Request) -> Response:
        sel = parse_model(AccountSelector, await body(request))
        target = sel.account_id
        if sel.api_key is not None:
            if sel.vendor is None:
                raise ApiError(400, "vendor is required with api_key")
            check_vendor(sel.vendor)
            target = account_id(sel.vendor, sel.api_key)
        engine.reset(target)
        return JSONResponse({"reset": target or "all"})

    async def list_accounts(request: Request) -> Response:
        vendor = request.query_params.get("vendor")
        return JSONResponse([a.model_dump() for a in engine.accounts.list(vendor)])

    async def update_account(request: Request) -> Response:
        req = parse_model(AccountUpdate, await body(request))
        check_vendor(req.vendor)
        vendor = next(v for v in app.vendors if v.slug == req.vendor)
        opened = engine.accounts.open(req.vendor, req.api_key, vendor.initial_meters(req.api_key))

        def change(account: Account) -> Account:  # on the account as it is now, atomically
            if req.credits is not None:
                account.credits = req.credits
            if req.blocked is not None:
                account.blocked = req.blocked
            account.meters.update(req.meters or {})
            account.data.update(req.data or {})
            return account

        return JSONResponse(engine.accounts.update(opened.id, change).model_dump())

    def account_filter(request: Request) -> str | None:
        """`?account_id=`, or `?vendor=&api_key=`: whose items to list (None: everyone's)."""
        params = request.query_params
        if params.get("api_key") is not None:
            if params.get("vendor") is None:
                raise ApiError(400, "vendor is required with api_key")
            return account_id(params["vendor"], params["api_key"])
        return params.get("account_id")

    async def list_jobs(request: Request) -> Response:
        now = engine.now()
        vendor = request.query_params.get("vendor")
        owner = account_filter(request)
        limit = request.query_params.get("limit", "1000")
        if not limit.isdigit() or int(limit) < 1:
            raise ApiError(400, "limit: expected a positive whole number")
        jobs = [j for j in engine.jobs.list(owner, newest_first=True) if vendor in (None, j.vendor)]
        return JSONResponse([job_view(j, now) for j in jobs[: int(limit)]])

    def job_view(job: Job, now: float) -> dict[str, Any]:
        outputs = [engine.media.get(id) for id in job.outputs]
        urls = [engine.media.url(media) for media in outputs if media is not None]
        return job.model_dump() | {"state": job.state(now).value, "output_urls": urls}

    async def dashboard(request: Request) -> Response:
        return HTMLResponse(DASHBOARD.read_text(encoding="utf-8"))

    async def deliveries(request: Request) -> Response:
        vendor = request.query_params.get("vendor")
        state = request.query_params.get("state")
        items = [
            d.model_dump() | {"payload": d.payload()}
            for d in engine.outbox.list(account_filter(request))
            if vendor in (None, d.vendor) and state in (None, d.state)
        ]
        return JSONResponse(items)

    async def list_faults(request: Request) -> Response:
        return JSONResponse([r.model_dump() for r in engine.faults.list()])

    async def add_fault(request: Request) -> Response:
        rule = parse_model(FaultRule, await body(request))
        check_vendor(rule.vendor)
        return JSONResponse(engine.faults.add(rule).model_dump(), status_code=201)

    async def clear_faults(request: Request) -> Response:
        engine.faults.clear()
        return Response(status_code=204)

    async def delete_fault(request: Request) -> Response:
        if not engine.faults.remove(request.path_params["fault_id"]):
            raise ApiError(404, "fault rule not found")
        return Response(status_code=204)

    async def requests(request: Request) -> Response:
        vendor = request.query_params.get("vendor")
        limit = request.query_params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 1000:
            raise ApiError(400, "limit: expected a whole number from 1 to 1000")
        return JSONResponse(app.journal.list(vendor, int(limit)))

    async def clear_requests(request: Request) -> Response:
        app.journal.clear()
        return Response(status_code=204)

    table = [
        ("/", dashboard, ["GET"]),
        ("/health", health, ["GET"]),
        ("/clock", clock, ["GET"]),
        ("/clock/advance", advance, ["POST"]),
        ("/reset", reset, ["POST"]),
        ("/accounts", list_accounts, ["GET"]),
        ("/accounts", update_account, ["POST", "PATCH"]),
        ("/jobs", list_jobs, ["GET"]),
        ("/webhooks/deliveries", deliveries, ["GET"]),
        ("/faults", list_faults, ["GET"]),
        ("/faults", add_fault, ["POST"]),
        ("/faults", clear_faults, ["DELETE"]),
        ("/faults/{fault_id}", delete_fault, ["DELETE"]),
        ("/requests", requests, ["GET"]),
        ("/requests", clear_requests, ["DELETE"]),
    ]
    return [Route(path, guarded(handler), methods=methods) for path, handler, methods in table]
