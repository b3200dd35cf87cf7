"""A thin Virtual Staging ART client for the contract tests: one method per documented endpoint,
raw `httpx.Response`s back so each test asserts on statuses and bodies itself."""

from __future__ import annotations

import base64
from functools import partial
from typing import Any

import httpx

from ..support import VendorClient, data_url, json_ok, unique_image_url, without_omitted

SLUG = "virtualstaging-art"
PREFIXES = ("/api", "/v1")  # [DOC] "Equivalent /v1/... paths are also available"

# Upper bound of a render job's duration on the emulator's clock (the docs give none; the emulator
# takes tens of seconds like the vendor). Advancing this far finishes every job just created.
JOB_SECONDS = 60


# source_url("kitchen"): an https image URL nobody else uses
source_url = partial(unique_image_url, "contract")


def staging_body(**overrides: Any) -> dict[str, Any]:
    """A valid minimal staging request ([DOC] required: image_url, room_type, style)."""
    body: dict[str, Any] = {"image_url": source_url(), "room_type": "living", "style": "modern"}
    body.update(overrides)
    return without_omitted(body)


def declutter_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"image_url": source_url()}
    body.update(overrides)
    return without_omitted(body)


class ArtClient(VendorClient):
    """Paths are relative to `base`, one of `PREFIXES` (/api by default); the key goes as
    `Authorization: Bearer`."""

    base = "/api"

    # 1. Upload an image

    def upload_file(
        self, data: bytes, filename: str = "room.jpg", content_type: str = "image/jpeg"
    ) -> httpx.Response:
        return self.request("POST", "/image/upload", files={"file": (filename, data, content_type)})

    def upload_base64(self, data: bytes, content_type: str) -> httpx.Response:
        body = {"image_base64": base64.b64encode(data).decode(), "content_type": content_type}
        return self.request("POST", "/image/upload", json=body)

    def upload_data_url(self, data: bytes, content_type: str) -> httpx.Response:
        body = {"data_url": data_url(data, content_type)}
        return self.request("POST", "/image/upload", json=body)

    def upload(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Upload and return the image URL, asserting success."""
        return json_ok(self.upload_file(data, content_type=content_type))["url"]

    # 3. / 4. Submit renders

    def render(self, body: Any) -> httpx.Response:
        return self.request("POST", "/image/render/request", json=body)

    def declutter(self, body: Any) -> httpx.Response:
        return self.request("POST", "/image/render/declutter", json=body)

    def render_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        return json_ok(self.render(body))

    def declutter_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        return json_ok(self.declutter(body))

    # 5. / 6. Status and amounts

    def check_status(self, body: Any) -> httpx.Response:
        return self.request("POST", "/image/check-status", json=body)

    def status_of(self, upload_id: str) -> str:
        return json_ok(self.check_status({"upload_id": upload_id}))["status"]

    def rendering_amount(self, body: Any) -> httpx.Response:
        return self.request("POST", "/image/check-rendering-amount", json=body)

    # 8. Subscriptions, 9. renders, 10. identity: documented under /v1 only

    def subscribe(self, target_url: Any, event_type: Any) -> httpx.Response:
        body = {"target_url": target_url, "event_type": event_type}
        return self.request("POST", "/webhooks", base="/v1", json=body)

    def subscriptions(self) -> httpx.Response:
        return self.request("GET", "/webhooks", base="/v1")

    def unsubscribe(self, subscription_id: str) -> httpx.Response:
        return self.request("DELETE", f"/webhooks/{subscription_id}", base="/v1")

    def renders(self, **params: Any) -> httpx.Response:
        return self.request("GET", "/renders", base="/v1", params=params)

    def render_rows(self, **params: Any) -> list[dict[str, Any]]:
        return json_ok(self.renders(**params))

    def me(self) -> httpx.Response:
        return self.request("GET", "/me", base="/v1")
