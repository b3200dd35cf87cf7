"""Fixtures of the Decor8 AI contract tests (on top of contract_tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ..conftest import Target
from ..support import EmulatorControl
from .client import SLUG, Decor8Client


@pytest.fixture(scope="session")
def decor8_root(target: Target) -> str:
    return target.vendor_root(SLUG)


@pytest.fixture
def decor8(http: httpx.Client, decor8_root: str, api_key: str) -> Decor8Client:
    """A client with this test's own key (a fresh account on the emulator)."""
    return Decor8Client(http, decor8_root, api_key)


@pytest.fixture
def decor8_as(decor8: Decor8Client, new_key: Callable[..., str]) -> Callable[..., Decor8Client]:
    """Another client with a fresh key: `decor8_as("no-credits")`, `decor8_as()`."""

    def make(*magic: str) -> Decor8Client:
        return decor8.with_key(new_key(*magic))

    return make


@pytest.fixture
def account(emulator: EmulatorControl, decor8: Decor8Client) -> Callable[[], dict[str, Any]]:
    """This test's account as the control API shows it (credits, meters)."""

    def read() -> dict[str, Any]:
        found = emulator.account(SLUG, decor8.api_key or "")
        assert found is not None, "no decor8 account yet for this key"
        return found

    return read
