"""The dashboard: server-rendered pages under `/_emulator/` to run a demo from.

`/_emulator/` lists the jobs of every vendor (filtered by vendor, account and state), each with its
source and its results side by side and a before/after slider; `/_emulator/ui/jobs/{id}` shows a
job's timeline on the emulator's clock, the request that created it (from the request journal) and
the webhooks it caused; `/_emulator/ui/webhooks` the delivery log with payload, headers, signature
and attempts, and a resend button; `/_emulator/ui/accounts` balances and meters, editable;
`/_emulator/ui/faults` fault rules. Every page carries the clock (advance buttons on a manual
clock) and a reset button. Pages change live: `/_emulator/ui/events` is a server-sent event stream
that says when the clock moved or anything stored changed, and the page fetches its own main part
again. The buttons call the control API (`/_emulator/...`) with a little JavaScript; the layout,
its CSS and its script are in `dashboard.html`, shipped with the package.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sse_starlette.sse import EventSourceResponse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..core.accounts import Account
from ..core.clock import iso8601
from ..core.jobs import Job, JobState
from ..core.media import Media
from ..core.routing import handlers_of
from ..core.webhooks import Delivery

if TYPE_CHECKING:
    from ..app import EmulatorApp

LAYOUT = Path(__file__).with_name("dashboard.html")
UI = "/_emulator/ui"
PARTIAL_HEADER = "x-dashboard-partial"
STATES = [s.value for s in JobState]
DELIVERY_STATES = ["pending", "delivered", "failed"]
PAGE_SIZE = 50
EVENT_INTERVAL = 0.5  # seconds between two looks for changes, per open page
# params keys that name what was asked, across vendors (shown on a job's card)
ASKED = (
    "room_type", "roomType", "style", "design_style", "type", "listing_tool", "sky_style",
    "sky_type", "wall_color_hex_code", "cabinet_color_hex_code", "garden_style", "yard_type",
    "prompt", "mode", "operation",
)  # fmt: skip


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def when(ts: float | None) -> str:
    return (iso8601(ts) or "").replace("T", " ").replace("+00:00", "")


def pretty(value: Any) -> str:
    return f'<pre class="json">{e(json.dumps(value, indent=2, ensure_ascii=False))}</pre>'


def body_text(text: str | None) -> str:
    """A body as it was sent: JSON pretty-printed when it is JSON."""
    if text is None or text == "":
        return '<p class="muted">(empty)</p>'
    try:
        return pretty(json.loads(text))
    except ValueError:
        return f'<pre class="json">{e(text)}</pre>'


def state_badge(state: str) -> str:
    return f'<span class="state s-{e(state)}">{e(state)}</span>'


def link(path: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{e(v)}"' for k, v in attrs.items())
    return f'<a href="{e(path)}"{extra}>{e(text)}</a>'


def select(name: str, options: Iterable[tuple[str, str]], chosen: str | None, blank: str) -> str:
    items = [f'<option value="">{e(blank)}</option>']
    for value, label in options:
        mark = " selected" if value == chosen else ""
        items.append(f'<option value="{e(value)}"{mark}>{e(label)}</option>')
    return f'<select name="{e(name)}">{"".join(items)}</select>'


class Dashboard:
    def __init__(self, app: EmulatorApp) -> None:
        self.app, self.engine = app, app.engine
        self.vendors = {v.slug: v for v in app.vendors}

    # the page frame

    def not_found(self, request: Request, what: str, back: str, nav: str) -> Response:
        """A 404 page in the frame, with a link `back` to where the thing would be listed."""
        response = self.page(
            request, f"{what} not found", f"<h1>{what} not found</h1><p>{back}</p>", nav
        )
        response.status_code = 404
        return response

    def page(self, request: Request, title: str, main: str, nav: str) -> Response:
        if request.headers.get(PARTIAL_HEADER):
            return HTMLResponse(main)
        tabs = [
            ("jobs", "/_emulator/", "Jobs"),
            ("webhooks", f"{UI}/webhooks", "Webhooks"),
            ("accounts", f"{UI}/accounts", "Accounts"),
            ("faults", f"{UI}/faults", "Faults"),
            ("requests", f"{UI}/requests", "Requests"),
            ("docs", "/_emulator/docs", "API docs"),
        ]
        nav_html = "".join(
            link(href, label, class_="tab active" if key == nav else "tab")
            for key, href, label in tabs
        )
        vendors = "".join(
            link(f"/_emulator/docs/{slug}", v.title, title=f"base URL {url}", class_="vendor")
            for slug, url in self.app.base_urls().items()
            if (v := self.vendors.get(slug))
        )
        page = (
            LAYOUT.read_text(encoding="utf-8")
            .replace("{{title}}", e(title))
            .replace("{{nav}}", nav_html)
            .replace("{{vendors}}", vendors)
            .replace("{{clock}}", self.clock_html())
            .replace("{{main}}", main)
        )
        return HTMLResponse(page)

    def clock_state(self) -> dict[str, Any]:
        now = self.engine.now()
        return {
            "mode": self.engine.clock.mode,
            "now": now,
            "now_iso": iso8601(now),
            "speed": getattr(self.engine.clock, "speed", None),
            "pending_timers": self.engine.store.pending_timers(),
            "next_due": self.engine.store.next_due(),
        }

    def clock_html(self) -> str:
        c = self.clock_state()
        manual = c["mode"] == "manual"
        disabled = "" if manual else " disabled"
        hint = "" if manual else ' title="start the emulator with --clock manual to advance it"'
        buttons = "".join(
            f'<button data-action="advance" data-seconds="{s}"{disabled}{hint}>+{label}</button>'
            for s, label in ((1, "1 s"), (10, "10 s"), (60, "1 min"))
        )
        buttons += f'<button data-action="next"{disabled}{hint}>next event</button>'
        return (
            f'<span id="clock-text" data-mode="{e(c["mode"])}">{e(clock_line(c))}</span>'
            f'<span class="buttons">{buttons}'
            '<button data-action="reset" class="danger">reset everything</button></span>'
        )

    # jobs

    async def jobs_page(self, request: Request) -> Response:
        q = request.query_params
        vendor, owner, state = q.get("vendor") or None, q.get("account") or None, q.get("state")
        state = state or None
        now = self.engine.now()
        jobs = [
            j
            for j in self.engine.jobs.list(owner, newest_first=True)
            if vendor in (None, j.vendor) and state in (None, j.state(now).value)
        ]
        accounts = self.engine.accounts.list(vendor)
        form = (
            '<form class="filters" method="get" action="/_emulator/">'
            + select(
                "vendor", [(s, v.title) for s, v in self.vendors.items()], vendor, "all vendors"
            )
            + select("account", [(a.id, account_label(a)) for a in accounts], owner, "all accounts")
            + select("state", [(s, s) for s in STATES], state, "all states")
            + '<button type="submit">filter</button>'
            + (link("/_emulator/", "clear") if vendor or owner or state else "")
            + "</form>"
        )
        shown = jobs[:PAGE_SIZE]
        cards = "".join(self.job_card(j, now) for j in shown) or (
            '<p class="empty">No jobs yet. Send a render request to a vendor\'s base URL '
            "(see the vendor links above) and it shows here.</p>"
        )
        more = (
            f'<p class="muted">{len(jobs) - PAGE_SIZE} older jobs not shown.</p>'
            if len(jobs) > PAGE_SIZE
            else ""
        )
        main = (
            f'<h1>Jobs <span class="count">{len(jobs)}</span></h1>{form}'
            f'<div class="cards">{cards}</div>{more}'
        )
        return self.page(request, "Jobs", main, "jobs")

    def job_card(self, job: Job, now: float) -> str:
        state = job.state(now)
        head = (
            f'<div class="card-head">{link(f"{UI}/jobs/{job.id}", short(job.id), class_="job-link")}'
            f" {state_badge(state.value)} <b>{e(self.title(job.vendor))}</b>"
            f" · {e(job.operation)} · {e(self.account_name(job.account_id))}"
            f' · <span class="muted">created {e(when(job.created_at))}</span></div>'
        )
        asked = asked_summary(job.params) or self.drawn_summary(job)
        detail = f'<div class="asked">{e(asked)}</div>' if asked else ""
        if state == JobState.PROCESSING:
            detail += progress_bar(job.progress(now))
        if job.error and state == JobState.FAILED:
            detail += f'<div class="error">{e(job.error)}</div>'
        return f'<article class="card">{head}{detail}{self.media_row(job, state)}</article>'

    def drawn_summary(self, job: Job) -> str:
        """What the job's first render was asked to show, for vendors whose job params do not
        keep the request: room, style, sky, colour, prompt, note."""
        for media_id in job.outputs[:1]:
            media = self.engine.media.get(media_id)
            recipe = media.recipe if media else None
            if recipe is not None:
                fields = ("room_type", "style", "sky", "color", "target", "prompt", "note")
                found = [(f, getattr(recipe, f, None)) for f in fields]
                return " · ".join(f"{f} {str(v)[:80]}" for f, v in found if v)
        return ""

    def media_row(self, job: Job, state: JobState, limit: int = 4) -> str:
        """The job's source and its results side by side; the first result over its source with
        a before/after slider."""
        outputs = [m for m in (self.engine.media.get(i) for i in job.outputs) if m is not None]
        source_url, source_note = self.source_of(outputs)
        tiles = []
        if source_url:
            tiles.append(
                figure(f'<img src="{e(source_url)}" alt="source" loading="lazy">', "source")
            )
        elif source_note:
            tiles.append(figure(f'<div class="placeholder">{e(source_note)}</div>', "source"))
        if state == JobState.SUCCEEDED:
            for n, media in enumerate(outputs[:limit]):
                url = self.engine.media.url(media)
                key = f"{job.id}-{n}"
                if source_url and media.content_type.startswith("image/"):
                    tiles.append(figure(before_after(source_url, url, key), f"result {n + 1}"))
                else:
                    tiles.append(figure(result_tag(url, media), f"result {n + 1}"))
            if len(outputs) > limit:
                tiles.append(f'<p class="muted">and {len(outputs) - limit} more</p>')
        elif state != JobState.FAILED:
            placeholder = '<div class="placeholder">result shows when the job is done</div>'
            tiles.append(figure(placeholder, "result"))
        return f'<div class="media-row">{"".join(tiles)}</div>'

    def source_of(self, outputs: list[Media]) -> tuple[str | None, str | None]:
        """(URL of the source image, or a note when there is none to show)."""
        for media in outputs:
            origin = media
            if media.derived_from:
                origin = self.engine.media.get(media.derived_from) or media
            if origin.source_media_id:
                source = self.engine.media.get(origin.source_media_id)
                if source is not None:
                    return self.engine.media.url(source), None
            if origin.recipe is not None and origin.recipe.source_key:
                key = origin.recipe.source_key
                if key.startswith(("http:", "https:")):
                    return None, f"outside URL, never fetched: {key[:120]}"
        return None, None

    async def job_page(self, request: Request) -> Response:
        job = self.engine.jobs.get(request.path_params["job_id"])
        if job is None:
            return self.not_found(request, "Job", link("/_emulator/", "Back to the jobs"), "jobs")
        now = self.engine.now()
        state = job.state(now)
        sections = [
            f"<h1>Job <code>{e(job.id)}</code> {state_badge(state.value)}</h1>",
            f"<p><b>{e(self.title(job.vendor))}</b> · {e(job.operation)} · account "
            f"{e(self.account_name(job.account_id))}"
            + (f" · group <code>{e(job.group)}</code>" if job.group else "")
            + "</p>",
            "<h2>Timeline</h2>" + timeline(job, now),
        ]
        if job.error and state == JobState.FAILED:
            sections.append(f'<div class="error">{e(job.error)}</div>')
        sections.append("<h2>Source and results</h2>" + self.media_row(job, state, limit=20))
        sections.append("<h2>Request</h2>" + self.request_html(job))
        sections.append("<h2>Webhooks</h2>" + self.deliveries_table(self.caused_by(job)))
        sections.append(f"<details><summary>Parameters</summary>{pretty(job.params)}</details>")
        return self.page(request, f"Job {short(job.id)}", "".join(sections), "jobs")

    def request_html(self, job: Job) -> str:
        entry = self.creating_request(job)
        if entry is None:
            return (
                '<p class="muted">Not in the request journal: it keeps the most recent requests of '
                "this process only (and none while it is turned off).</p>"
            )
        request = getattr(entry, "request", None)
        response = getattr(entry, "response", None)
        head = (
            f"<p><code>{e(entry.method)} {e(entry.path)}{'?' + e(entry.query) if entry.query else ''}"
            f"</code> → <b>{e(entry.status)}</b> at {e(when(entry.at))}"
            f' <span class="muted">({e(entry.duration_ms)} ms, operation {e(entry.operation)})</span></p>'
        )
        parts = [head]
        if request is not None:
            parts.append(
                '<div class="two"><div><h3>Request headers</h3>'
                + pretty(request.headers)
                + "</div><div><h3>Request body</h3>"
                + body_text(request.body)
                + "</div></div>"
            )
        if response is not None:
            parts.append("<h3>Response body</h3>" + body_text(response.body))
        return "".join(parts)

    def creating_request(self, job: Job) -> Any:
        """The journal entry of the request that created the job: one of its account's that was
        answered with the job's id (or its group's) in the body, else the one at its creation."""
        entries = [
            x
            for x in getattr(self.app.journal, "entries", [])
            if getattr(x, "vendor", None) == job.vendor and x.method != "GET"
        ]
        mine = [x for x in entries if getattr(x, "account_id", None) in (None, job.account_id)]
        ids = [i for i in (job.id, job.group) if i]
        for entry in mine:
            response = getattr(entry, "response", None)
            body = getattr(response, "body", None) or ""
            if any(i in body for i in ids):
                return entry
        at_creation = [x for x in mine if abs(x.at - job.created_at) < 0.001 and x.status < 300]
        return at_creation[-1] if at_creation else None

    def caused_by(self, job: Job) -> list[Delivery]:
        """The deliveries that name the job, else those that name its group (a vendor whose
        webhooks speak of the request rather than of each job)."""
        mine = [d for d in self.engine.outbox.list(job.account_id) if d.vendor == job.vendor]
        named = [d for d in mine if job.id in d.body]
        return named or [d for d in mine if job.group and job.group in d.body]

    # webhooks

    async def webhooks_page(self, request: Request) -> Response:
        q = request.query_params
        vendor, owner, state = (q.get(k) or None for k in ("vendor", "account", "state"))
        items = [
            d
            for d in self.engine.outbox.list(owner)
            if vendor in (None, d.vendor) and state in (None, d.state)
        ]
        items.reverse()  # newest first
        form = (
            f'<form class="filters" method="get" action="{UI}/webhooks">'
            + select(
                "vendor", [(s, v.title) for s, v in self.vendors.items()], vendor, "all vendors"
            )
            + select(
                "account",
                [(a.id, account_label(a)) for a in self.engine.accounts.list(vendor)],
                owner,
                "all accounts",
            )
            + select("state", [(s, s) for s in DELIVERY_STATES], state, "all states")
            + '<button type="submit">filter</button></form>'
        )
        main = (
            f'<h1>Webhook deliveries <span class="count">{len(items)}</span></h1>{form}'
            + self.deliveries_table(items[:200])
        )
        return self.page(request, "Webhooks", main, "webhooks")

    def deliveries_table(self, items: list[Delivery]) -> str:
        if not items:
            return '<p class="empty">No webhook deliveries.</p>'
        rows = []
        for d in items:
            last = d.attempts[-1] if d.attempts else None
            outcome = "" if last is None else (e(last.status) if last.status else e(last.error))
            rows.append(
                f"<tr><td>{link(f'{UI}/webhooks/{d.id}', short(d.id))}</td>"
                f"<td>{e(when(d.created_at))}</td><td>{e(self.title(d.vendor))}</td>"
                f"<td>{e(d.event)}</td><td><code>{e(d.url)}</code></td>"
                f"<td>{state_badge(d.state)}</td><td>{len(d.attempts)}</td><td>{outcome}</td></tr>"
            )
        return (
            '<table class="list"><thead><tr><th>delivery</th><th>created</th><th>vendor</th>'
            "<th>event</th><th>target</th><th>state</th><th>attempts</th><th>last answer</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    async def webhook_page(self, request: Request) -> Response:
        delivery = self.engine.outbox.get(request.path_params["delivery_id"])
        if delivery is None:
            back = link(f"{UI}/webhooks", "All deliveries")
            return self.not_found(request, "Delivery", back, "webhooks")
        d = delivery
        pending = d.state == "pending"
        resend = (
            f'<button data-action="resend" data-id="{e(d.id)}"'
            + (' disabled title="still pending: its next attempt is planned"' if pending else "")
            + ">resend now</button>"
        )
        next_at = f" · next attempt {e(when(d.next_attempt_at))}" if d.next_attempt_at else ""
        attempts = "".join(
            f"<tr><td>{n}</td><td>{e(when(a.at))}</td>"
            f"<td>{e(a.status) if a.status is not None else ''}</td><td>{e(a.error)}</td>"
            f"<td>{e(a.duration_ms)} ms</td><td>{signature_list(a.headers)}</td></tr>"
            for n, a in enumerate(d.attempts, 1)
        )
        attempts_html = (
            '<table class="list"><thead><tr><th>#</th><th>at</th><th>status</th><th>error</th>'
            f"<th>took</th><th>signature sent</th></tr></thead><tbody>{attempts}</tbody></table>"
            if d.attempts
            else '<p class="muted">No attempt yet: the first goes out when its time comes.</p>'
        )
        policy = d.policy
        main = (
            f"<h1>Delivery <code>{e(d.id)}</code> {state_badge(d.state)}</h1>"
            f"<p><b>{e(self.title(d.vendor))}</b> · event <code>{e(d.event)}</code> → "
            f"<code>{e(d.url)}</code> · created {e(when(d.created_at))}{next_at}</p>"
            f'<p>{resend} <span id="resend-result" class="muted"></span></p>'
            f'<p class="muted">Retries: at most {policy.max_attempts} attempts, '
            f"{policy.first_delay:g} s then &times;{policy.factor:g}"
            + (", only a 200 counts as delivered" if policy.only_200 else "")
            + "</p>"
            + "<h2>Attempts</h2>"
            + attempts_html
            + '<div class="two"><div><h2>Payload</h2>'
            + pretty(d.payload())
            + "</div><div><h2>Headers</h2>"
            + pretty(d.headers)
            + '<p class="muted">plus each attempt\'s signature headers (above)</p></div></div>'
        )
        related = self.jobs_of(d)
        if related:
            main += (
                "<h2>Job</h2><p>"
                + " ".join(link(f"{UI}/jobs/{j.id}", short(j.id)) for j in related)
                + "</p>"
            )
        return self.page(request, f"Delivery {short(d.id)}", main, "webhooks")

    def jobs_of(self, delivery: Delivery) -> list[Job]:
        jobs = self.engine.jobs.list(delivery.account_id)
        named = [j for j in jobs if j.id in delivery.body]
        return (named or [j for j in jobs if j.group and j.group in delivery.body])[:5]

    # the request journal

    async def requests_page(self, request: Request) -> Response:
        q = request.query_params
        vendor, status = q.get("vendor") or None, q.get("status") or None
        journal = self.app.journal
        select_entries = getattr(journal, "select", None)
        if select_entries is not None:
            entries = list(select_entries(vendor=vendor, status=status))
        else:  # an older journal: plain dicts, no filters
            entries = list(getattr(journal, "entries", []))
        entries.reverse()  # newest first
        classes = [(c, c) for c in ("2xx", "3xx", "4xx", "5xx")]
        form = (
            f'<form class="filters" method="get" action="{UI}/requests">'
            + select(
                "vendor", [(s, v.title) for s, v in self.vendors.items()], vendor, "all vendors"
            )
            + select("status", classes, status, "any status")
            + '<button type="submit">filter</button>'
            + link("/_emulator/requests", "as JSON")
            + "</form>"
        )
        rows = "".join(self.request_row(entry) for entry in entries[:200])
        table = (
            '<table class="list"><thead><tr><th>at</th><th>vendor</th><th>operation</th>'
            "<th>request</th><th>status</th><th>took</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rows
            else '<p class="empty">No vendor requests recorded (or the journal is off).</p>'
        )
        main = f'<h1>Requests <span class="count">{len(entries)}</span></h1>{form}{table}'
        return self.page(request, "Requests", main, "requests")

    def request_row(self, entry: Any) -> str:
        get = entry.get if isinstance(entry, dict) else lambda k, d=None: getattr(entry, k, d)
        status = get("status", 0) or 0
        kind = "ok" if status < 400 else "bad"
        query = get("query") or ""
        target = f"{get('method')} {get('path')}{'?' + query if query else ''}"
        detail = ""
        request, response = get("request"), get("response")
        if request is not None and response is not None:
            detail = (
                f"<details><summary><code>{e(target)}</code></summary>"
                '<div class="two"><div><h3>Request headers</h3>'
                + pretty(request.headers)
                + "<h3>Request body</h3>"
                + body_text(request.body)
                + "</div><div><h3>Response headers</h3>"
                + pretty(response.headers)
                + "<h3>Response body</h3>"
                + body_text(response.body)
                + "</div></div></details>"
            )
        else:
            detail = f"<code>{e(target)}</code>"
        return (
            f"<tr><td>{e(when(get('at')))}</td><td>{e(self.title(get('vendor') or '-'))}</td>"
            f"<td>{e(get('operation'))}</td><td>{detail}</td>"
            f'<td><span class="code-{kind}">{e(status)}</span></td>'
            f"<td>{e(get('duration_ms'))} ms</td></tr>"
        )

    # accounts and faults

    async def accounts_page(self, request: Request) -> Response:
        rows = []
        for a in self.engine.accounts.list():
            blocked = " checked" if a.blocked else ""
            meters = json.dumps(a.meters, indent=1) if a.meters else "{}"
            rows.append(
                f"<tr><td>{e(self.title(a.vendor))}</td><td><code>{e(a.api_key)}</code>"
                f'<div class="muted">{e(a.id)}</div></td>'
                f'<td colspan="3"><form class="account" data-form="account" '
                f'data-vendor="{e(a.vendor)}" data-key="{e(a.api_key)}">'
                f'<label>credits <input type="number" name="credits" min="0" value="{a.credits}"></label>'
                f'<label><input type="checkbox" name="blocked"{blocked}> blocked</label>'
                f'<label class="meters">meters <textarea name="meters" rows="2">{e(meters)}</textarea></label>'
                '<button type="submit">save</button>'
                f'<button type="button" data-action="reset-account" data-id="{e(a.id)}" '
                'class="danger">reset</button></form></td></tr>'
            )
        table = (
            '<table class="list"><thead><tr><th>vendor</th><th>API key</th><th colspan="3">'
            f"balance, flags, meters</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            if rows
            else '<p class="empty">No accounts yet: any key a client sends opens one.</p>'
        )
        create = (
            '<h2>Open or change an account</h2><form class="inline" data-form="new-account">'
            + select("vendor", [(s, v.title) for s, v in self.vendors.items()], None, "vendor…")
            + '<input name="api_key" placeholder="API key" required>'
            '<input name="credits" type="number" min="0" placeholder="credits">'
            '<button type="submit">save</button></form>'
        )
        main = f"<h1>Accounts</h1>{table}{create}"
        return self.page(request, "Accounts", main, "accounts")

    async def faults_page(self, request: Request) -> Response:
        rules = self.engine.faults.list()
        rows = "".join(
            f"<tr><td>{e(self.title(r.vendor))}</td><td><code>{e(r.operation)}</code></td>"
            f"<td>{e(r.action)}</td><td>{e(r.status)}</td><td>{e(r.message)}</td>"
            f"<td>{e(r.matched)} / {e(r.times) if r.times else '∞'}</td>"
            f'<td><button data-action="delete-fault" data-id="{e(r.id)}">remove</button></td></tr>'
            for r in rules
        )
        table = (
            '<table class="list"><thead><tr><th>vendor</th><th>operation</th><th>action</th>'
            "<th>status</th><th>message</th><th>matched</th><th></th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rules
            else '<p class="empty">No fault rules: every request goes through.</p>'
        )
        operations = sorted({op for v in self.vendors.values() for op in operation_names(v)})
        datalist = "".join(f'<option value="{e(op)}">' for op in ["*", *operations])
        form = (
            '<h2>Add a rule</h2><form class="inline" data-form="fault">'
            + select("vendor", [(s, v.title) for s, v in self.vendors.items()], None, "vendor…")
            + '<input name="operation" list="operations" value="*" title="handler name, or *">'
            f'<datalist id="operations">{datalist}</datalist>'
            '<select name="action"><option value="error">answer with an error</option>'
            '<option value="rate_limit">answer 429 with Retry-After</option>'
            '<option value="latency">answer late</option>'
            '<option value="drop">drop the connection</option>'
            '<option value="fail_job">accept, then fail the job</option></select>'
            '<input name="status" type="number" min="400" max="599" placeholder="status (503)">'
            '<input name="message" placeholder="message (optional)">'
            '<input name="retry_after" type="number" min="0" placeholder="Retry-After s">'
            '<input name="delay" type="number" min="0" max="60" step="0.1" placeholder="delay s">'
            '<input name="probability" type="number" min="0" max="1" step="0.05" '
            'placeholder="probability (1)">'
            '<input name="times" type="number" min="1" placeholder="times (∞)">'
            '<button type="submit">add</button></form>'
        )
        main = f"<h1>Fault rules</h1>{table}{form}"
        return self.page(request, "Faults", main, "faults")

    # live updates

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever anything a page shows changes: stored documents, timers, the
        journal, and job states (which move with the clock alone)."""
        store = self.engine.store
        now = self.engine.now()
        recent = self.engine.jobs.list(newest_first=True, limit=100)
        states = tuple(job.state(now).value for job in recent)
        entries = getattr(self.app.journal, "entries", ())
        last = entries[-1] if entries else None
        return (store.changes(), store.pending_timers(), hash(states), id(last), len(entries))

    async def events(self, request: Request) -> Response:
        async def stream() -> AsyncIterator[dict[str, str]]:
            seen_clock: str | None = None
            seen: tuple[Any, ...] | None = None
            while not await request.is_disconnected():
                clock = json.dumps(self.clock_state() | {"line": clock_line(self.clock_state())})
                if clock != seen_clock:
                    seen_clock = clock
                    yield {"event": "clock", "data": clock}
                current = self.fingerprint()
                if seen is not None and current != seen:
                    yield {"event": "change", "data": "{}"}
                seen = current
                await asyncio.sleep(EVENT_INTERVAL)

        return EventSourceResponse(stream(), ping=15)

    # names

    def title(self, slug: str) -> str:
        vendor = self.vendors.get(slug)
        return vendor.title if vendor else slug

    def account_name(self, account_id: str) -> str:
        account = self.engine.accounts.get(account_id)
        return account_label(account) if account else account_id


def account_label(account: Account) -> str:
    key = account.api_key if len(account.api_key) <= 24 else account.api_key[:21] + "…"
    return f"{account.vendor} · {key}"


def short(id: str) -> str:
    return id if len(id) <= 14 else id[:12] + "…"


def clock_line(c: dict[str, Any]) -> str:
    mode = "manual clock" if c["mode"] == "manual" else f"real clock, speed {c['speed']:g}"
    now = (c["now_iso"] or "").replace("T", " ").replace("+00:00", " UTC")
    line = f"{mode} · {now} · {c['pending_timers']} pending"
    if c["next_due"] is not None:
        line += f" · next event in {max(0.0, c['next_due'] - c['now']):.1f} s"
    return line


def asked_summary(params: dict[str, Any]) -> str:
    """What the request asked for, from the job's params: room, style, colour, prompt..."""
    found: dict[str, str] = {}

    def walk(value: Any, depth: int) -> None:
        if depth > 3 or len(found) >= 6:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ASKED and isinstance(v, str | int | float) and k not in found and v != "":
                    found[k] = str(v)[:80]
                elif isinstance(v, dict | list):
                    walk(v, depth + 1)
        elif isinstance(value, list):
            for item in value[:3]:
                walk(item, depth + 1)

    walk(params, 0)
    return " · ".join(f"{k} {v}" for k, v in found.items())


def progress_bar(fraction: float) -> str:
    pct = round(fraction * 100)
    return f'<div class="progress" title="{pct} %"><div style="width:{pct}%"></div></div>'


def figure(inner: str, caption: str) -> str:
    return f"<figure>{inner}<figcaption>{e(caption)}</figcaption></figure>"


def before_after(before: str, after: str, key: str) -> str:
    return (
        f'<div class="ba" data-key="{e(key)}" style="--pos:50%">'
        f'<a href="{e(after)}" target="_blank" rel="noopener">'
        f'<img class="after" src="{e(after)}" alt="result" loading="lazy"></a>'
        f'<img class="before" src="{e(before)}" alt="before" loading="lazy">'
        '<input type="range" min="0" max="100" value="50" aria-label="before and after">'
        "</div>"
    )


def result_tag(url: str, media: Media) -> str:
    if media.content_type.startswith("video/"):
        return f'<video src="{e(url)}" controls preload="metadata"></video>'
    if media.content_type.startswith("image/"):
        return f'<a href="{e(url)}" target="_blank" rel="noopener"><img src="{e(url)}" alt="result" loading="lazy"></a>'
    return link(url, media.content_type)


def signature_list(headers: dict[str, str]) -> str:
    if not headers:
        return '<span class="muted">unsigned</span>'
    return "<br>".join(f"<code>{e(k)}: {e(v)}</code>" for k, v in headers.items())


def timeline(job: Job, now: float) -> str:
    """Queued, started and finished on the emulator's clock, as a bar with the present marked."""
    start, end = job.created_at, max(job.finished_at, job.created_at + 1e-6)
    span = end - start

    def at(ts: float) -> float:
        return max(0.0, min(100.0, (ts - start) / span * 100))

    outcome = "failed" if job.fails else "succeeded"
    steps = [
        ("queued", job.created_at),
        ("started", job.started_at),
        (outcome, job.finished_at),
    ]
    marks = "".join(
        f'<div class="mark m-{e(name)}" style="left:{at(ts):.2f}%" title="{e(name)} {e(when(ts))}"></div>'
        for name, ts in steps
    )
    now_mark = f'<div class="now" style="left:{at(now):.2f}%" title="now {e(when(now))}"></div>'
    bar = (
        f'<div class="timeline"><div class="queue" style="width:{at(job.started_at):.2f}%"></div>'
        f'<div class="run" style="left:{at(job.started_at):.2f}%;'
        f'width:{at(job.finished_at) - at(job.started_at):.2f}%"></div>{marks}{now_mark}</div>'
    )
    rows = "".join(
        f"<tr><td>{e(name)}</td><td>{e(when(ts))}</td><td>+{ts - start:.1f} s</td>"
        f"<td>{'done' if ts <= now else 'in ' + format(ts - now, '.1f') + ' s'}</td></tr>"
        for name, ts in steps
    )
    return f'{bar}<table class="list times"><tbody>{rows}</tbody></table>'


def operation_names(vendor: Any) -> list[str]:
    """The handler names of a vendor's routes (what a fault rule's `operation` matches)."""
    names = []
    for route in vendor.routes():
        if isinstance(route, Route):
            names += [h.__name__ for h in handlers_of(route).values() if hasattr(h, "__name__")]
    return sorted(set(names))


def dashboard_routes(app: EmulatorApp) -> list[BaseRoute]:
    """The pages besides the home page (which the control API serves at `/_emulator/`), to mount
    at `/_emulator/ui`."""
    board = Dashboard(app)
    table: list[tuple[str, Callable[..., Any]]] = [
        ("/jobs/{job_id}", board.job_page),
        ("/webhooks", board.webhooks_page),
        ("/webhooks/{delivery_id}", board.webhook_page),
        ("/accounts", board.accounts_page),
        ("/faults", board.faults_page),
        ("/requests", board.requests_page),
        ("/events", board.events),
    ]
    return [Route(path, handler, methods=["GET"]) for path, handler in table]


async def home(app: EmulatorApp, request: Request) -> Response:
    """The jobs page, served at `/_emulator/`."""
    return await Dashboard(app).jobs_page(request)
