"""Control API: JSON in and out, `{"error": "..."}` on failure, never part of any vendor's API.

Every handler declares its request and answer models with `@operation`; `/_emulator/openapi.json`
is generated from them and from the route table below.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from ..core.accounts import Account, account_id
from ..core.clock import iso8601
from ..core.errors import ApiError
from ..core.http import parse_model, read_body, read_json_object
from ..core.jobs import Job, JobState
from ..core.openapi import Security, document, operation, tag_after
from ..core.routing import routes_from
from ..core.webhooks import Delivery, DeliveryPending
from . import state as snapshots
from .dashboard import home as dashboard_home
from .models import (
    AccountSelector,
    AccountsQuery,
    AccountUpdate,
    AccountView,
    AdvanceRequest,
    AdvanceResult,
    ClockState,
    Count,
    DeliveriesQuery,
    DeliveryView,
    FaultRule,
    FaultView,
    Health,
    JobsQuery,
    JobView,
    JournalEntry,
    JournalSettings,
    JournalSettingsUpdate,
    OwnerQuery,
    RequestsQuery,
    ResetResult,
    StateSummary,
)

API_DOCS = Path(__file__).with_name("apidocs.html")
ZIP = {"type": "string", "contentMediaType": "application/zip"}

log = logging.getLogger("staging_emulator")  # the control API answers JSON whatever happens

if TYPE_CHECKING:
    from ..app import EmulatorApp


def control_routes(app: EmulatorApp) -> list[BaseRoute]:
    engine = app.engine
    slugs = {v.slug for v in app.vendors}

    def guarded(handler):
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return JSONResponse(
                    {"error": exc.message}, status_code=exc.status, headers=dict(exc.headers)
                )
            except Exception as exc:  # the control API answers JSON whatever happens
                log.exception("control API %s %s failed", request.method, request.url.path)
                message = f"internal error: {type(exc).__name__}"
                return JSONResponse({"error": message}, status_code=500)

        return endpoint

    async def body(request: Request) -> dict[str, Any]:
        return await read_json_object(request, allow_empty=True)

    def query(model, request: Request):
        return parse_model(model, dict(request.query_params))

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

    @operation(response={"type": "string", "contentMediaType": "text/html"}, media_type="text/html")
    async def dashboard(request: Request) -> Response:
        """The dashboard page (clock, jobs, deliveries)."""
        return await dashboard_home(app, request)

    @operation(response=Health)
    async def health(request: Request) -> Response:
        """Status, version, clock, store and every vendor's base URL."""
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "clock": clock_state(),
                "store": engine.store.path,
                "vendors": app.base_urls(),
            }
        )

    @operation(response=ClockState)
    async def clock(request: Request) -> Response:
        """The clock: mode, now, speed, pending timers, next due."""
        return JSONResponse(clock_state())

    @operation(body=AdvanceRequest, response=AdvanceResult, errors={409: "the clock is real"})
    async def advance(request: Request) -> Response:
        """Move a manual clock, running every transition and webhook due on the way."""
        req = parse_model(AdvanceRequest, await body(request))
        if engine.clock.mode != "manual":
            raise ApiError(
                409, "the clock is real: start the emulator with --clock manual to advance it"
            )
        ran = await engine.advance(req.seconds)
        return JSONResponse(clock_state() | {"ran": ran})

    @operation(body=AccountSelector, response=ResetResult)
    async def reset(request: Request) -> Response:
        """Forget everything, or one account."""
        sel = parse_model(AccountSelector, await body(request))
        target = sel.account_id
        if sel.api_key is not None:
            if sel.vendor is None:
                raise ApiError(400, "vendor is required with api_key")
            check_vendor(sel.vendor)
            target = account_id(sel.vendor, sel.api_key)
        engine.reset(target)
        return JSONResponse({"reset": target or "all"})

    @operation(query=AccountsQuery, response=list[AccountView])
    async def list_accounts(request: Request) -> Response:
        """Accounts with credits, meters and blocked flag."""
        vendor = query(AccountsQuery, request).vendor
        return JSONResponse([a.model_dump() for a in engine.accounts.list(vendor)])

    @operation(body=AccountUpdate, response=AccountView)
    async def update_account(request: Request) -> Response:
        """Create or change an account."""
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

    def account_filter(owner: OwnerQuery) -> str | None:
        """`?account_id=`, or `?vendor=&api_key=`: whose items to list (None: everyone's)."""
        if owner.api_key is not None:
            if owner.vendor is None:
                raise ApiError(400, "vendor is required with api_key")
            return account_id(owner.vendor, owner.api_key)
        return owner.account_id

    @operation(query=JobsQuery, response=list[JobView])
    async def list_jobs(request: Request) -> Response:
        """Jobs, newest first, with their timeline, state and output URLs."""
        now = engine.now()
        q = query(JobsQuery, request)
        owner = account_filter(q)
        jobs = [
            j for j in engine.jobs.list(owner, newest_first=True) if q.vendor in (None, j.vendor)
        ]
        return JSONResponse([job_view(j, now) for j in jobs[: q.limit]])

    def job_view(job: Job, now: float) -> dict[str, Any]:
        state = job.state(now)
        outputs = [] if state == JobState.FAILED else [engine.media.get(id) for id in job.outputs]
        urls = [engine.media.url(media) for media in outputs if media is not None]
        return JobView.of(job, now, urls).model_dump(mode="json")

    def delivery_view(delivery: Delivery) -> dict[str, Any]:
        return DeliveryView.of(delivery).model_dump(mode="json")

    @operation(query=DeliveriesQuery, response=list[DeliveryView])
    async def deliveries(request: Request) -> Response:
        """The webhook delivery log: target, payload, headers, every attempt."""
        q = query(DeliveriesQuery, request)
        items = [
            delivery_view(d)
            for d in engine.outbox.list(account_filter(q))
            if q.vendor in (None, d.vendor) and q.state in (None, d.state)
        ]
        return JSONResponse(items)

    def find_delivery(request: Request) -> Delivery:
        delivery = engine.outbox.get(request.path_params["delivery_id"])
        if delivery is None:
            raise ApiError(404, "delivery not found")
        return delivery

    @operation(response=DeliveryView)
    async def get_delivery(request: Request) -> Response:
        """One delivery with its attempts."""
        return JSONResponse(delivery_view(find_delivery(request)))

    @operation(response=DeliveryView, errors={409: "the delivery is still pending"})
    async def resend_delivery(request: Request) -> Response:
        """Send a delivery again now: one new attempt, same payload, signed anew."""
        try:
            resent = await engine.outbox.resend(request.path_params["delivery_id"])
        except DeliveryPending:
            raise ApiError(
                409, "the delivery is still pending: its next attempt is already planned"
            ) from None
        if resent is None:
            raise ApiError(404, "delivery not found")
        return JSONResponse(delivery_view(resent))

    @operation(response=list[FaultView])
    async def list_faults(request: Request) -> Response:
        """Fault rules."""
        return JSONResponse([r.model_dump() for r in engine.faults.list()])

    @operation(body=FaultRule, response=FaultView, status=201)
    async def add_fault(request: Request) -> Response:
        """Add a fault rule."""
        rule = parse_model(FaultRule, await body(request))
        check_vendor(rule.vendor)
        return JSONResponse(engine.faults.add(rule).model_dump(), status_code=201)

    @operation(response=None, status=204)
    async def clear_faults(request: Request) -> Response:
        """Remove every fault rule."""
        engine.faults.clear()
        return Response(status_code=204)

    @operation(response=None, status=204)
    async def delete_fault(request: Request) -> Response:
        """Remove one fault rule."""
        if not engine.faults.remove(request.path_params["fault_id"]):
            raise ApiError(404, "fault rule not found")
        return Response(status_code=204)

    def journal_entries(q: RequestsQuery) -> list[JournalEntry]:
        return app.journal.select(
            vendor=q.vendor,
            operation=q.operation,
            status=q.status,
            account_id=account_filter(q),
            method=q.method,
        )

    @operation(query=RequestsQuery, response=list[JournalEntry])
    async def requests(request: Request) -> Response:
        """The request journal, oldest first, filtered."""
        q = query(RequestsQuery, request)
        entries = journal_entries(q)[-q.limit :]
        return JSONResponse([e.model_dump() for e in entries])

    @operation(query=RequestsQuery, response=Count)
    async def count_requests(request: Request) -> Response:
        """How many journal entries match the filters (limit ignored)."""
        return JSONResponse({"count": len(journal_entries(query(RequestsQuery, request)))})

    @operation(response=None, status=204)
    async def clear_requests(request: Request) -> Response:
        """Empty the journal."""
        app.journal.clear()
        return Response(status_code=204)

    def journal_settings() -> dict[str, Any]:
        journal = app.journal
        return JournalSettings(
            enabled=journal.enabled,
            size=journal.size,
            body_limit=journal.body_limit,
            count=len(journal.entries),
        ).model_dump()

    @operation(response=JournalSettings)
    async def get_journal_settings(request: Request) -> Response:
        """Whether the journal records, and its bounds."""
        return JSONResponse(journal_settings())

    @operation(body=JournalSettingsUpdate, response=JournalSettings)
    async def set_journal_settings(request: Request) -> Response:
        """Turn the journal on or off."""
        update = parse_model(JournalSettingsUpdate, await body(request))
        app.journal.enabled = update.enabled
        return JSONResponse(journal_settings())

    @operation(response=ZIP, media_type="application/zip")
    async def export_state(request: Request) -> Response:
        """Everything the emulator holds, as one zip archive."""
        archive = snapshots.export_archive(app)
        stamp = iso8601(engine.now()) or "state"
        name = f"staging-emulator-{stamp.replace(':', '')[:17]}.zip"
        return Response(
            archive,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @operation(
        body={"type": "string", "format": "binary", "description": "a zip from GET /state"},
        encodings=("binary",),
        response=StateSummary,
    )
    async def import_state(request: Request) -> Response:
        """Replace everything with an archive from GET /_emulator/state."""
        data = await read_body(request, snapshots.MAX_ARCHIVE_BYTES)
        try:
            summary = snapshots.import_archive(app, data)
        except snapshots.StateArchiveError as exc:
            raise ApiError(400, f"body: {exc}") from exc
        return JSONResponse(summary.model_dump())

    @operation(response={"type": "object"})
    async def openapi(request: Request) -> Response:
        """This document."""
        return JSONResponse(control_document(app, table))

    @operation(response={"type": "string", "contentMediaType": "text/html"}, media_type="text/html")
    async def api_docs(request: Request) -> Response:
        """A page that renders a vendor's (or this API's) OpenAPI document, offline."""
        slug = request.path_params["slug"]
        if slug not in slugs and slug != "_emulator":
            raise ApiError(
                404, f"no API named {slug!r}; try one of {sorted([*slugs, '_emulator'])}"
            )
        spec = f"/{slug}/openapi.json"
        page = API_DOCS.read_text(encoding="utf-8").replace("{{SPEC_URL}}", spec)
        return HTMLResponse(page)

    @operation(response={"type": "string", "contentMediaType": "text/html"}, media_type="text/html")
    async def api_docs_index(request: Request) -> Response:
        """Links to every API's docs page."""
        links = "".join(
            f'<li><a href="/_emulator/docs/{s}">{s}</a> (<a href="/{s}/openapi.json">openapi.json</a>)</li>'
            for s in [*sorted(slugs), "_emulator"]
        )
        return HTMLResponse(
            f"<!doctype html><title>API docs</title><h1>API docs</h1><ul>{links}</ul>"
        )

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
        ("/webhooks/deliveries/{delivery_id}", get_delivery, ["GET"]),
        ("/webhooks/deliveries/{delivery_id}/resend", resend_delivery, ["POST"]),
        ("/faults", list_faults, ["GET"]),
        ("/faults", add_fault, ["POST"]),
        ("/faults", clear_faults, ["DELETE"]),
        ("/faults/{fault_id}", delete_fault, ["DELETE"]),
        ("/requests", requests, ["GET"]),
        ("/requests", clear_requests, ["DELETE"]),
        ("/requests/count", count_requests, ["GET"]),
        ("/requests/settings", get_journal_settings, ["GET"]),
        ("/requests/settings", set_journal_settings, ["PUT"]),
        ("/state", export_state, ["GET"]),
        ("/state", import_state, ["POST"]),
        ("/openapi.json", openapi, ["GET"]),
        ("/docs", api_docs_index, ["GET"]),
        ("/docs/{slug}", api_docs, ["GET"]),
    ]
    return routes_from((path, guarded(handler), methods) for path, handler, methods in table)


def control_document(app: EmulatorApp, table: list[tuple[str, Any, list[str]]]) -> dict[str, Any]:
    """The control API's OpenAPI document, from its route table."""
    return document(
        title="staging-emulator control API",
        version=__version__,
        description="The emulator's own API: clock, accounts, jobs, webhooks, faults, journal, "
        'state. JSON in and out, `{"error": "..."}` on failure.',
        server=f"{app.engine.media.public_url}/_emulator",
        routes=routes_from(table),
        security=None,
        error_response=lambda e: JSONResponse({"error": e.message}, status_code=e.status),
        always={404: "not found", 405: "method not allowed"},
    )


def vendor_document(app: EmulatorApp, slug: str) -> dict[str, Any]:
    vendor = next(v for v in app.vendors if v.slug == slug)
    return document(
        title=f"{vendor.title} (staging-emulator)",
        version=__version__,
        description=_described(vendor)
        + f"\n\nEmulated by staging-emulator. Base URL of the docs: `{app.base_urls()[slug]}`.",
        server=f"{app.engine.media.public_url}/{slug}",
        routes=vendor.routes(),
        security=Security(vendor.auth_header, vendor.auth_scheme),
        error_response=vendor.error_response,
        tag_of=tag_after(vendor.docs_base, slug),
    )


def _described(vendor: Any) -> str:
    """The vendor package's own words: its class or API module docstring."""
    module = sys.modules.get(type(vendor).__module__)
    text = vendor.__doc__ or (module.__doc__ if module else None) or vendor.title
    return text.strip()


def openapi_routes(app: EmulatorApp) -> list[BaseRoute]:
    """`/<slug>/openapi.json` for every vendor, beside the vendor's own routes."""
    cache: dict[str, dict[str, Any]] = {}

    def serve(slug: str):
        async def endpoint(request: Request) -> Response:
            if slug not in cache:
                cache[slug] = vendor_document(app, slug)
            return JSONResponse(cache[slug])

        return endpoint

    return [Route(f"/{v.slug}/openapi.json", serve(v.slug), methods=["GET"]) for v in app.vendors]
