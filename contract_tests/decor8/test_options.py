"""Vendor options for what nobody has seen of the live API (notes 4: "HTTP status codes are not
documented"): statuses per error code, every error answered 200 (as the Python SDK reads any
body), and a fixed set of accepted keys. Each runs its own emulator with the option set."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .client import SLUG, source_url

pytestmark = pytest.mark.emulator_only


@pytest.fixture
def emulator_with() -> Iterator[Any]:
    from emulator.testing import EmulatorServer

    servers: list[EmulatorServer] = []

    def start(settings: dict[str, Any] | None = None, **options: Any) -> str:
        server = EmulatorServer(vendor_options={SLUG: options}, **(settings or {})).start()
        servers.append(server)
        return server.base_url(SLUG)

    yield start
    for server in servers:
        server.stop()


def _post(base: str, key: str | None, body: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{base}/generate_designs_for_room", json=body, headers=headers)


GOOD = {"input_image_url": "https://example.com/a.jpg", "room_type": "gym", "design_style": "boho"}


def test_errors_as_200(emulator_with):
    base = emulator_with(errors_as_200=True)
    response = _post(base, "k", GOOD | {"input_image_url": ""})
    assert response.status_code == 200
    assert response.json()["error"] == "InvalidInput"
    response = _post(base, None, GOOD)
    assert (response.status_code, response.json()["error"]) == (200, "Unauthorized")
    assert _post(base, "k", GOOD).json()["error"] == ""


def test_error_statuses_per_code(emulator_with):
    base = emulator_with(error_statuses={"InvalidInput": 422, "GenerationFailed": 200})
    assert _post(base, "k", GOOD | {"input_image_url": "x"}).status_code == 422
    assert _post(base, "k", GOOD | {"num_images": 9}).status_code == 400
    failed = _post(base, "k", GOOD | {"input_image_url": source_url("emulator-fail")})
    assert (failed.status_code, failed.json()["error"]) == (200, "GenerationFailed")


def test_api_keys(emulator_with):
    base = emulator_with(api_keys=["the-one-key"])
    assert _post(base, "the-one-key", GOOD).status_code == 200
    assert _post(base, "another-key", GOOD).json()["error"] == "Unauthorized"


def test_a_real_clock_waits_out_the_job(emulator_with):
    """On a real clock the call lasts the job's duration divided by the speed (notes 4: 9-17 s
    live; 15 s +-20% here, so 0.24-0.38 s at speed 50)."""
    base = emulator_with({"clock": "real", "speed": 50})
    started = time.perf_counter()
    response = _post(base, "k", GOOD)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert 0.2 <= elapsed < 10, elapsed
    [image] = response.json()["info"]["images"]
    assert httpx.get(image["url"]).status_code == 200  # the job is done when the answer comes
