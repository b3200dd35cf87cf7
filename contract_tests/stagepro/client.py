"""A thin StagePro client for the contract tests: one method per documented endpoint, raw
`httpx.Response`s back, plus the helpers the tests share (bodies, the error envelope, signature
checks, image fetching).

Tags as in notes.md: [DOC] docs.txt, [PROPOSED] notes 2.2 shapes, [EMULATOR] the emulator's choices.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
from PIL import Image

from ..support import VendorClient, json_ok, new_api_key, unique_image_url

SLUG = "stagepro"
BASE = "/api/v1"  # [DOC]
# Jobs take 10-30 s [DOC]; advancing this far finishes every job created so far (no
# emulator-slow, no concurrency queue longer than one round).
JOB_SECONDS = 40
RETRY_SECONDS = 80  # [PROPOSED] 3 retries: the emulator waits 10, 20, 40 s
OUTPUT_LONG_EDGE = 1536  # [EMULATOR]

# The capabilities, written out here rather than imported, so a change in the emulator is caught.
LISTING_TOOLS = [
    "add-furniture",
    "ai-furniture-background",
    "furniture-eraser",
    "room-declutter",
    "material-overlay",
    "fireplace-ignition",
    "tv-screen-replacement",
    "refrigerator-cleanup",
    "landscape-design",
    "lawn-replacement",
    "changing-seasons",
    "sky-enhancement",
    "rain-to-shine",
    "driveway-leaf-removal",
    "driveway-car-removal",
    "add-water-to-empty-pool",
    "pool-water-enhancement",
    "natural-twilight",
    "virtual-twilight",
    "night-to-day",
    "ai-floorplan-visualizer",
    "social-media-poster",
    "sketch-to-render",
]
TEMPLATES = {
    "mls-virtual-stage": ("virtual-stage", None),
    "mls-room-declutter": ("listing-tool", "room-declutter"),
    "mls-furniture-clear": ("empty-room", None),
    "mls-exterior-twilight": ("listing-tool", "virtual-twilight"),
    "mls-sky-enhance": ("listing-tool", "sky-enhancement"),
    "mls-interior-design": ("interior-design", None),
}
ASPECT_SIZES = {
    "1:1": (1536, 1536),
    "4:3": (1536, 1152),
    "3:2": (1536, 1024),
    "16:9": (1536, 864),
    "9:16": (864, 1536),
}


def make_key(*magic: str, mode: str = "live") -> str:
    return f"sk_{mode}_{new_api_key(*magic)}"


# photo_url("kitchen"): an https image URL nobody else uses
photo_url = partial(unique_image_url, "stagepro-contract")


def job_body(job_type: str = "virtual-stage", **input_fields: Any) -> dict[str, Any]:
    """A valid POST /jobs body of `job_type` ([DOC] example fields)."""
    given: dict[str, Any] = {"image_url": photo_url()}
    if job_type == "virtual-stage":
        given |= {"style": "modern", "room_type": "living-room"}
    elif job_type == "interior-design":
        given |= {"style": "japandi"}
    elif job_type == "edit":
        given |= {"prompt": "Paint the walls sage green"}
    elif job_type == "listing-tool":
        given |= {"listing_tool": "virtual-twilight"}
    given.update(input_fields)
    return {"type": job_type, "input": {k: v for k, v in given.items() if v is not None}}


def assert_error(response: httpx.Response, status: int, code: str, *fields: str) -> dict[str, Any]:
    """`{"error": {"code", "message", "status", "details"?}}` [PROPOSED] with this status and code,
    JSON (never HTML), `details` naming each of `fields`; returns the error object."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.text[:600]}"
    )
    assert response.headers.get("content-type", "").startswith("application/json"), response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["status"] == status, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    named = [d["field"] for d in error.get("details", [])]
    for name in fields:
        assert name in named, f"{name!r} not in details {named}: {error}"
        assert any(name in d["message"] for d in error["details"] if d["field"] == name), error
    return error


def expected_signature(secret: str, body: bytes) -> str:
    """[PROPOSED] default scheme: lowercase hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """(event, parsed data) of a text/event-stream, one at a time as lines arrive."""
    event, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


class StageProClient(VendorClient):
    """Paths are relative to `BASE`; the key goes as `Authorization: Bearer`."""

    base = BASE

    ok = staticmethod(json_ok)  # sp.ok(response, 201): the JSON body of a response with that status

    # [DOC] endpoints

    def capabilities(self) -> httpx.Response:
        return self.request("GET", "/capabilities")

    def usage(self) -> dict[str, Any]:
        return self.ok(self.request("GET", "/usage"))

    def create_job(self, body: Any) -> httpx.Response:
        return self.request("POST", "/jobs", json=body)

    def create_job_ok(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.ok(self.create_job(body), 202)

    def job(self, job_id: str) -> dict[str, Any]:
        return self.ok(self.request("GET", f"/jobs/{job_id}"))

    def jobs(self, **params: Any) -> httpx.Response:
        return self.request("GET", "/jobs", params=params)

    def regenerate(self, job_id: str, body: Any = None) -> httpx.Response:
        return self.request("POST", f"/jobs/{job_id}/regenerate", json=body)

    def create_batch(self, body: Any) -> httpx.Response:
        return self.request("POST", "/batches", json=body)

    def batch(self, batch_id: str) -> dict[str, Any]:
        return self.ok(self.request("GET", f"/batches/{batch_id}"))

    def create_workflow(self, body: Any) -> httpx.Response:
        return self.request("POST", "/workflows", json=body)

    def workflow(self, workflow_id: str) -> dict[str, Any]:
        return self.ok(self.request("GET", f"/workflows/{workflow_id}"))

    def upload(self, data: bytes, name: str = "room.jpg", kind: str = "image/jpeg"):
        return self.request("POST", "/uploads", files={"file": (name, data, kind)})

    def keys(self) -> httpx.Response:
        return self.request("GET", "/keys")

    def create_key(self, body: Any = None) -> httpx.Response:
        return self.request("POST", "/keys", json=body or {})

    def webhooks(self) -> dict[str, Any]:
        return self.ok(self.request("GET", "/webhooks"))

    def create_webhook(self, body: Any) -> httpx.Response:
        return self.request("POST", "/webhooks", json=body)

    def delete_webhook(self, endpoint_id: str) -> httpx.Response:
        return self.request("DELETE", f"/webhooks/{endpoint_id}")

    def verify_webhook(self, endpoint_id: str) -> httpx.Response:
        return self.request("POST", f"/webhooks/{endpoint_id}/verify")

    def webhook(self, endpoint_id: str) -> dict[str, Any]:
        return next(e for e in self.webhooks()["data"] if e["id"] == endpoint_id)

    def create_session(self, body: Any) -> httpx.Response:
        return self.request("POST", "/agent/sessions", json=body)

    def session_ok(self, **body: Any) -> dict[str, Any]:
        return self.ok(self.create_session({"image_url": photo_url("living-room")} | body), 201)

    def message(self, session_id: str, text: str, **extra: Any) -> httpx.Response:
        body = {"message": text} | extra
        return self.request("POST", f"/agent/sessions/{session_id}/messages", json=body)

    def render(self, session_id: str, body: Any = None) -> httpx.Response:
        return self.request("POST", f"/agent/sessions/{session_id}/render", json=body or {})

    # images

    def fetch(self, url: str) -> Image.Image:
        return self.image_at(url)[1]
