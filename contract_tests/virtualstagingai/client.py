"""A thin Virtual Staging AI client for the contract tests: one method per documented endpoint,
raw `httpx.Response`s back so each test asserts on statuses and bodies itself, plus the helpers the
tests share (bodies, data URLs, the `{"message"}` envelope, image fetching).

Tags as in notes.md: [D-EP] endpoints page (docs.txt), [D-WH] webhooks page, [D-V1] v1 page,
[C-...] client code, [INFERRED] the emulator's reading where nothing public says.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import partial
from typing import Any

import httpx

from ..support import VendorClient, error_message, json_ok, unique_image_url, without_omitted

SLUG = "virtualstagingai"
V2 = "/v2"
LONG_RUNNING = "/apiV2"  # [D-EP] servers: the long-running-operations endpoint
V1 = "/v1"

# The longest variation chain on the emulator's clock: a removal (1 s queue + 10 s run, +-20%)
# followed by staging (15 s run, +-20%) ends before 33 s. Advancing this far finishes everything
# created so far (no "emulator-slow" input is used).
JOB_SECONDS = 60
# [D-WH] "retried up to 3 times": 4 attempts; the emulator waits 10, 20, 40 s between them.
RETRY_SECONDS = 80
SIGNATURE_HEADER = "X-Signature"  # [INFERRED] the scheme is not public (notes 1.14)

# The docs' enums, written out here rather than imported, so that a change in the emulator's
# models is caught against the notes [C-REPRO, C-RUUM, C-LL].
ROOM_TYPES = [
    "living",
    "bed",
    "kitchen",
    "dining",
    "bathroom",
    "home_office",
    "outdoor",
    "kids_room",
]
STYLES = [
    "standard",
    "modern",
    "scandinavian",
    "industrial",
    "midcentury",
    "luxury",
    "farmhouse",
    "coastal",
]


# source_url("kitchen"): an https image URL nobody else uses
source_url = partial(unique_image_url, "vsai-contract")


def staging(room_type: str = "living", style: str = "modern", **extra: Any) -> dict[str, Any]:
    """A v2 staging config ([D-EP] example)."""
    return {"type": "staging", "add_furniture": {"room_type": room_type, "style": style}} | extra


def removal_and_staging(mode: str = "on", **add: Any) -> dict[str, Any]:
    config = staging(**add)
    config["remove_furniture"] = {"mode": mode}
    return config


def removal_only(mode: str = "on") -> dict[str, Any]:
    """[C-LL] declutter: type staging, remove_furniture on, no add_furniture."""
    return {"type": "staging", "remove_furniture": {"mode": mode}}


def render_body(config: Any = None, **fields: Any) -> dict[str, Any]:
    """A valid POST /renders body (`config`, default a staging config, and a data URL) with
    `fields` added or replacing; `fields={"config": None}` sends null."""
    body: dict[str, Any] = {
        "config": staging() if config is None else config,
        "image_url": source_url(),
    }
    body.update(fields)
    return without_omitted(body)


def message_of(response: httpx.Response) -> str:
    """The message of a `{"message": "..."}` error ([D-EP] AuthError), asserting JSON, never HTML."""
    return error_message(response, "message")


def assert_message(
    response: httpx.Response, status: int, *mentions: str, starts_with: str | None = None
) -> str:
    """`response` has `status` and a `{"message"}` body mentioning each of `mentions`
    (case-insensitively) and, when given, starting with `starts_with` (a field path)."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text[:500]}"
    )
    message = message_of(response)
    for word in mentions:
        assert word.lower() in message.lower(), f"message {message!r} does not mention {word!r}"
    if starts_with is not None:
        assert message.startswith(starts_with), (
            f"message {message!r} does not start with {starts_with!r}"
        )
    return message


def sign(secret: str, body: bytes) -> str:
    """[INFERRED] the emulator's scheme: lowercase hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class VsaiClient(VendorClient):
    """Paths are relative to `base` (v2 by default); the key goes as `Authorization: Api-Key`."""

    base = V2
    auth_scheme = "Api-Key "

    # v2 [D-EP]

    def status(self, **kw: Any) -> httpx.Response:
        return self.request("GET", "/status", **kw)

    def user(self) -> httpx.Response:
        return self.request("GET", "/user")

    def user_ok(self) -> dict[str, Any]:
        return json_ok(self.user())

    def photos_used(self) -> int:
        return self.user_ok()["photosUsedThisPeriod"]["staging"]

    def create(self, body: Any) -> httpx.Response:
        return self.request("POST", "/renders", json=body)

    def create_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        return json_ok(self.create(body))

    def renders(self, **params: Any) -> httpx.Response:
        return self.request("GET", "/renders", params=params)

    def render_count(self) -> int:
        return json_ok(self.renders(limit=1))["total_count"]

    def render(self, render_id: str, **params: Any) -> httpx.Response:
        return self.request("GET", f"/renders/{render_id}", params=params)

    def render_ok(self, render_id: str, include_variations: bool = True, **params: Any):
        if include_variations:
            params["include_variations"] = "true"
        return json_ok(self.render(render_id, **params))

    def variation(self, render_id: str, variation_id: str) -> httpx.Response:
        return self.request("GET", f"/renders/{render_id}/variations/{variation_id}")

    def variation_ok(self, render_id: str, variation_id: str) -> dict[str, Any]:
        return json_ok(self.variation(render_id, variation_id))

    def add_variations(self, render_id: str, body: Any) -> httpx.Response:
        return self.request("POST", f"/renders/{render_id}/variations", json=body)

    def bulk_renders(self, body: Any) -> httpx.Response:
        return self.request("POST", "/renders/bulk", json=body)

    def bulk_variations(self, body: Any) -> httpx.Response:
        return self.request("POST", "/renders/variations/bulk", json=body)

    def analyze(self, body: Any) -> httpx.Response:
        return self.request("POST", "/analyze", json=body)

    def compatibility(self, body: Any, spelling: str = "compatibility") -> httpx.Response:
        return self.request("POST", f"/multi-view-{spelling}", json=body)

    def set_secret(self, secret: Any) -> httpx.Response:
        return self.request("POST", "/user/webhook-secret", json={"webhook_secret": secret})

    def delete_secret(self) -> httpx.Response:
        return self.request("DELETE", "/user/webhook-secret")

    # v1 [D-V1]

    def v1(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.request(method, path, base=V1, **kw)


def items(render: dict[str, Any]) -> list[dict[str, Any]]:
    return render["variations"]["items"]


def by_type(render: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [v for v in items(render) if v["type"] == kind]
