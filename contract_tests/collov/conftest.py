"""Fixtures of the Collov contract tests (on top of contract_tests/conftest.py).

Collov allows 10 requests per second and 2 active tasks per key [DOC]. On the emulator each test's
key has its rate limit turned off through the control API (a test polls faster than a real client
would; `test_limits.py` hits the limit on purpose with keys that keep it), and the concurrency limit
on. Against the real vendor the client backs off on 429 instead, as the public client does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..conftest import Target
from ..support import EmulatorControl
from .client import JOB_SECONDS, SLUG, CollovClient


@pytest.fixture(scope="session")
def collov_root(target: Target) -> str:
    return target.vendor_root(SLUG)


def _set_limits(target: Target, api_key: str, **meters: Any) -> None:
    if target.emulator is not None:
        target.emulator.set_account(SLUG, api_key, meters=meters)


@pytest.fixture
def collov(http: httpx.Client, collov_root: str, api_key: str, target: Target) -> CollovClient:
    """A client with this test's own key: multipart bodies [DOC], no rate limit (emulator), the
    concurrency limit on."""
    _set_limits(target, api_key, rateLimit=None)
    return CollovClient(http, collov_root, api_key, backoff=target.real_vendor)


@pytest.fixture
def collov_as(
    http: httpx.Client, collov_root: str, new_key: Callable[..., str], target: Target
) -> Callable[..., CollovClient]:
    """Another client with a fresh key: `collov_as("no-credits")`; `limits=True` keeps the
    account's default limits, `loaded=True` turns both off (for tests that create many tasks)."""

    def make(*magic: str, limits: bool = False, loaded: bool = False) -> CollovClient:
        key = new_key(*magic)
        if loaded:
            _set_limits(target, key, rateLimit=None, concurrencyLimit=None)
        elif not limits:
            _set_limits(target, key, rateLimit=None)
        return CollovClient(http, collov_root, key, backoff=target.real_vendor and not limits)

    return make


@pytest.fixture
def loaded(collov_as: Callable[..., CollovClient]) -> CollovClient:
    """A client whose account has both limits off, for tests that start many tasks at once."""
    return collov_as(loaded=True)


@pytest.fixture
def finish(emulator: EmulatorControl) -> Callable[[], Any]:
    """Advance the manual clock past every task created so far (not queued ones)."""
    return lambda: emulator.advance(JOB_SECONDS)
