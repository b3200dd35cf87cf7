"""Webhook endpoints, their verification challenge, signed events and their delivery.

[DOC] endpoints are registered under session auth and must complete a verification challenge
before use; events job.completed, job.failed, batch.completed; "verify X-StagePro-Signature HMAC".
[PROPOSED] notes 2.2: `whsec_` secret, `pending_verification` -> `active` once the endpoint answers
the signed challenge `{"type":"webhook.verification","challenge":"..."}` with a 2xx echoing
`{"challenge":"..."}`; events `{"id","type","created_at","data"}`; the signature is
`X-StagePro-Signature: <hex HMAC-SHA256(secret, raw body)>` with `X-StagePro-Timestamp: <unix>`,
or, through the vendor option `signature_scheme`, `sha256=<hex>` ("sha256") or Stripe's
`t=<unix>,v1=<hex HMAC(secret, "<t>.<body>")>` ("stripe"); 3 retries with backoff.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Literal

import httpx
from pydantic import BaseModel, Field

from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.http import load_json
from ...core.store import Collection
from ...core.urls import is_http_url
from ...core.webhooks import RetryPolicy
from . import answers as a
from .models import field_error

if TYPE_CHECKING:
    from .api import StagePro

log = logging.getLogger("staging_emulator")

EVENTS = ("job.completed", "job.failed", "batch.completed")
VERIFICATION_EVENT = "webhook.verification"
SCHEMES = ("hex", "sha256", "stripe")
POLICY = RetryPolicy(max_attempts=4, first_delay=10.0, factor=2.0)  # [PROPOSED] "retry 3x"
CHALLENGE = "webhook_challenge"  # the engine callback that sends a verification challenge
MAX_ANSWER_BYTES = 64 * 1024  # [EMULATOR] a challenge answer longer than this is no echo


class ChallengeAttempt(BaseModel):
    at: float
    challenge: str
    status: int | None = None
    echoed: bool = False
    error: str | None = None
    duration_ms: float = 0.0


class Endpoint(BaseModel):
    id: str
    account_id: str
    url: str
    events: list[str]
    description: str | None = None
    status: Literal["pending_verification", "active"] = "pending_verification"
    secret: str
    created_at: float
    verified_at: float | None = None
    challenges: list[ChallengeAttempt] = Field(default_factory=list)


class EventRecord(BaseModel):
    """Which endpoint an event went to, so each attempt is signed with that endpoint's secret."""

    id: str
    endpoint_id: str


class Webhooks:
    def __init__(self, vendor: StagePro) -> None:
        self.vendor, self.engine = vendor, vendor.engine
        self._endpoints = Collection(vendor.engine.store, "stagepro.webhook", Endpoint)
        self._events = Collection(vendor.engine.store, "stagepro.event", EventRecord)
        vendor.engine.on_timer(vendor.slug, CHALLENGE, self.send_challenge)
        scheme = str(vendor.options.get("signature_scheme", "hex"))
        if scheme not in SCHEMES:
            raise ValueError(f"stagepro signature_scheme: expected one of {SCHEMES}")
        self.scheme = scheme

    # endpoints

    def create(self, account_id: str, url: str, events: list[str] | None, description: str | None):
        if not is_http_url(url):
            raise field_error("url", "expected an http(s) URL")
        endpoint = Endpoint(
            id=self.engine.ids.prefixed("we_", 24),
            account_id=account_id,
            url=url,
            events=list(dict.fromkeys(events or EVENTS)),
            description=description,
            secret="whsec_" + self.engine.ids.hex(32),
            created_at=self.engine.now(),
        )
        self._endpoints.save(endpoint, account_id)
        self.challenge(endpoint)
        return endpoint

    def get(self, account_id: str, endpoint_id: str) -> Endpoint:
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None or endpoint.account_id != account_id:
            raise ApiError(404, f"Webhook endpoint {endpoint_id} not found", code="not_found")
        return endpoint

    def list(self, account_id: str) -> list[Endpoint]:
        return self._endpoints.list(account_id)

    def delete(self, account_id: str, endpoint_id: str) -> None:
        self._endpoints.delete(self.get(account_id, endpoint_id).id)

    def active(self, account_id: str, endpoint_id: str | None, field: str) -> str | None:
        """`endpoint_id` if it names an active endpoint of the account, else a 400 on `field`."""
        if endpoint_id is None:
            return None
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None or endpoint.account_id != account_id:
            raise field_error(field, f"unknown webhook endpoint '{endpoint_id}'")
        if endpoint.status != "active":
            raise field_error(
                field,
                f"webhook endpoint '{endpoint_id}' has not completed its verification challenge "
                f"(status {endpoint.status})",
            )
        return endpoint_id

    def view(self, endpoint: Endpoint) -> dict[str, Any]:
        last = endpoint.challenges[-1] if endpoint.challenges else None
        return a.WebhookEndpoint(
            id=endpoint.id,
            url=endpoint.url,
            events=endpoint.events,
            description=endpoint.description,
            status=endpoint.status,
            secret=endpoint.secret,
            created_at=iso8601(endpoint.created_at),
            verified_at=iso8601(endpoint.verified_at),
            last_challenge=None
            if last is None
            else a.Challenge(
                sent_at=iso8601(last.at),
                response_status=last.status,
                echoed=last.echoed,
                error=last.error,
            ),
        ).model_dump()

    # the verification challenge

    def challenge(self, endpoint: Endpoint) -> None:
        """Plan a challenge POST on the clock, due now: it goes out at the next run of due work
        (at once on a real clock, at the next advance on a manual one)."""
        self.engine.schedule(
            self.vendor.slug,
            self.engine.now(),
            CHALLENGE,
            {"endpoint_id": endpoint.id, "challenge": self.engine.ids.hex(32)},
            endpoint.account_id,
        )

    async def send_challenge(self, planned: dict[str, Any]) -> None:
        endpoint = self._endpoints.get(planned["endpoint_id"])
        if endpoint is None:
            return
        challenge = planned["challenge"]
        body = json.dumps(
            {"type": VERIFICATION_EVENT, "challenge": challenge}, separators=(",", ":")
        ).encode()
        attempt = ChallengeAttempt(at=self.engine.now(), challenge=challenge)
        headers = {"Content-Type": "application/json", "User-Agent": "StagePro-Webhooks/1.0"}
        headers |= self.signature_headers(endpoint.secret, body, attempt.at, VERIFICATION_EVENT)
        timeout = self.engine.config.webhook_timeout
        started = time.perf_counter()
        try:
            async with (
                asyncio.timeout(timeout),  # in total, however the receiver trickles
                httpx.AsyncClient(timeout=timeout, trust_env=False) as client,
                client.stream("POST", endpoint.url, content=body, headers=headers) as response,
            ):
                answer = await _read_at_most(response, MAX_ANSWER_BYTES)
            attempt.status = response.status_code
            attempt.echoed = answer is not None and _echoes(answer, challenge)
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except TimeoutError:
            attempt.error = f"Timeout: no answer within {timeout:g} s"
        attempt.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        log.info(
            "stagepro webhook %s challenge -> %s echoed=%s %s",
            endpoint.id,
            attempt.status,
            attempt.echoed,
            attempt.error or "",
        )
        current = self._endpoints.get(endpoint.id)
        if current is None:  # deleted meanwhile
            return
        current.challenges = [*current.challenges[-9:], attempt]
        if attempt.status is not None and 200 <= attempt.status < 300 and attempt.echoed:
            current.status, current.verified_at = "active", attempt.at
        self._endpoints.save(current, current.account_id)

    # events

    def send(self, account_id: str, endpoint_id: str | None, event: str, data: dict[str, Any]):
        """Queue `event` for the endpoint, if it still exists, is active and subscribed."""
        endpoint = self._endpoints.get(endpoint_id) if endpoint_id else None
        if endpoint is None or endpoint.status != "active" or event not in endpoint.events:
            return
        now = self.engine.now()
        payload = {
            "id": self.engine.ids.prefixed("evt_", 24),
            "object": "event",
            "type": event,
            "created_at": iso8601(now),
            "data": data,
        }
        self._events.save(EventRecord(id=payload["id"], endpoint_id=endpoint.id), account_id)
        self.engine.outbox.enqueue(
            vendor=self.vendor.slug,
            account_id=account_id,
            url=endpoint.url,
            event=event,
            payload=payload,
            policy=POLICY,
        )

    def sign_delivery(self, account_id: str, body: bytes, now: float) -> dict[str, str]:
        """The outbox's signer: each attempt signed with its endpoint's secret of that moment."""
        try:
            payload = load_json(body)
            record = self._events.get(payload["id"])
        except (ValueError, KeyError, TypeError):
            return {}
        endpoint = self._endpoints.get(record.endpoint_id) if record else None
        if endpoint is None:
            return {"X-StagePro-Event": str(payload.get("type"))}
        return self.signature_headers(endpoint.secret, body, now, str(payload.get("type")))

    def signature_headers(self, secret: str, body: bytes, now: float, event: str) -> dict[str, str]:
        stamp = str(int(now))
        headers = {"X-StagePro-Event": event, "X-StagePro-Timestamp": stamp}
        if self.scheme == "stripe":
            digest = _hmac(secret, stamp.encode() + b"." + body)
            headers["X-StagePro-Signature"] = f"t={stamp},v1={digest}"
        else:
            prefix = "sha256=" if self.scheme == "sha256" else ""
            headers["X-StagePro-Signature"] = prefix + _hmac(secret, body)
        return headers


def _hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def _read_at_most(response: httpx.Response, limit: int) -> bytes | None:
    """The response body, or None once it runs past `limit` (the rest is never read)."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _echoes(answer: bytes, challenge: str) -> bool:
    """[PROPOSED] a JSON body `{"challenge": "<same>"}`; [EMULATOR] the bare challenge as text too."""
    text = answer.decode("utf-8", "replace").strip()
    if text == challenge:
        return True
    try:
        answer = load_json(text)  # the receiver's answer: nesting past the limit is no echo
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("challenge") == challenge
