"""Fixtures of the Virtual Staging AI contract tests (on top of contract_tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..conftest import Target
from ..support import EmulatorControl
from .client import JOB_SECONDS, SLUG, VsaiClient


@pytest.fixture(scope="session")
def vsai_root(target: Target) -> str:
    return target.vendor_root(SLUG)


@pytest.fixture
def vsai(http: httpx.Client, vsai_root: str, api_key: str) -> VsaiClient:
    """A v2 client with this test's own key (a fresh account on the emulator)."""
    return VsaiClient(http, vsai_root, api_key)


@pytest.fixture
def vsai_as(vsai: VsaiClient, new_key: Callable[..., str]) -> Callable[..., VsaiClient]:
    """Another client with a fresh key: `vsai_as("no-credits")`, `vsai_as()` (a second account)."""

    def make(*magic: str) -> VsaiClient:
        return vsai.with_key(new_key(*magic))

    return make


@pytest.fixture
def finish(emulator: EmulatorControl) -> Callable[[], Any]:
    """Advance the manual clock past every variation created so far."""
    return lambda: emulator.advance(JOB_SECONDS)


@pytest.fixture
def deliveries(emulator: EmulatorControl, vsai: VsaiClient) -> Callable[..., list[dict[str, Any]]]:
    """The delivery log of this test's account."""

    def read(client: VsaiClient | None = None) -> list[dict[str, Any]]:
        return emulator.deliveries(SLUG, (client or vsai).api_key)

    return read
