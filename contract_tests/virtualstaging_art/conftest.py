"""Fixtures of the Virtual Staging ART contract tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..conftest import Target
from ..support import EmulatorControl
from .client import JOB_SECONDS, PREFIXES, SLUG, ArtClient


@pytest.fixture(scope="session")
def art_root(target: Target) -> str:
    return target.vendor_root(SLUG)


@pytest.fixture(params=PREFIXES, ids=[p.strip("/") for p in PREFIXES])
def prefix(request: pytest.FixtureRequest) -> str:
    """Every test using `art` runs on both the /api/... and the /v1/... paths."""
    return request.param


@pytest.fixture
def art(http: httpx.Client, art_root: str, api_key: str, prefix: str) -> ArtClient:
    """A client with this test's own key, on the /api or /v1 prefix."""
    return ArtClient(http, art_root, api_key, prefix)


@pytest.fixture
def art_v1(http: httpx.Client, art_root: str, api_key: str) -> ArtClient:
    """A client with this test's own key for the endpoints documented under /v1 only
    (webhooks, renders, me): not parametrized by prefix."""
    return ArtClient(http, art_root, api_key, "/v1")


@pytest.fixture
def art_as(art: ArtClient, new_key: Callable[..., str]) -> Callable[..., ArtClient]:
    """Another client on the same prefix with a fresh key: `art_as("low-credits")`."""

    def make(*magic: str) -> ArtClient:
        return art.with_key(new_key(*magic))

    return make


@pytest.fixture
def credits(emulator: EmulatorControl, art: ArtClient) -> Callable[..., int]:
    """The balance of `art`'s account, read from the control API."""

    def read(client: ArtClient | None = None) -> int:
        client = client or art
        if emulator.account(SLUG, client.api_key or "") is None:
            assert client.me().status_code == 200  # opens the account
        return emulator.credits(SLUG, client.api_key or "")

    return read


@pytest.fixture
def finish_jobs(emulator: EmulatorControl) -> Callable[[], Any]:
    """Advance the manual clock past every job created so far."""
    return lambda: emulator.advance(JOB_SECONDS)
