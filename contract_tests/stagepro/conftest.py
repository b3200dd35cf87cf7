"""Fixtures of the StagePro contract tests (on top of contract_tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ..conftest import Target
from ..support import EmulatorControl
from .client import JOB_SECONDS, SLUG, StageProClient, make_key
from .documented import DocumentCheck
from .receiver import ChallengeReceiver


@pytest.fixture(scope="session")
def documented(target: Target) -> DocumentCheck | None:
    """The emulator's OpenAPI document of StagePro, as a check of answers (None: real vendor)."""
    if target.emulator is None:
        return None
    return DocumentCheck.fetch(target.emulator.url, SLUG)


@pytest.fixture(scope="session")
def http(documented: DocumentCheck | None) -> Iterator[httpx.Client]:
    """The StagePro tests' client: on the emulator, every answer is also checked against the
    OpenAPI document (status, content type, body schema), whatever the test asserts."""
    hooks = {"response": [documented]} if documented is not None else {}
    with httpx.Client(
        timeout=httpx.Timeout(30.0), follow_redirects=False, event_hooks=hooks
    ) as client:
        yield client


@pytest.fixture(scope="session")
def sp_root(target: Target) -> str:
    return target.vendor_root(SLUG)


@pytest.fixture
def sp_key(target: Target) -> Callable[..., str]:
    """Fresh keys, each its own account: `sp_key()`, `sp_key("low-credits")`, `sp_key(mode="test")`.
    Against the real vendor: the one --vendor-key (magic words need the emulator)."""

    def make(*magic: str, mode: str = "live") -> str:
        if target.real_vendor:
            if magic or mode != "live":
                pytest.skip("magic and test keys need the emulator")
            assert target.vendor_key is not None
            return target.vendor_key
        return make_key(*magic, mode=mode)

    return make


@pytest.fixture
def sp(http: httpx.Client, sp_root: str, sp_key: Callable[..., str]) -> StageProClient:
    """A client with this test's own live key (a fresh account on the emulator)."""
    return StageProClient(http, sp_root, sp_key())


@pytest.fixture
def sp_as(sp: StageProClient, sp_key: Callable[..., str]) -> Callable[..., StageProClient]:
    """Another client with a fresh key: `sp_as("no-credits")`, `sp_as(mode="test")`."""

    def make(*magic: str, mode: str = "live") -> StageProClient:
        return sp.with_key(sp_key(*magic, mode=mode))

    return make


@pytest.fixture
def finish(emulator: EmulatorControl) -> Callable[[], Any]:
    """Advance the manual clock past every job created so far."""
    return lambda: emulator.advance(JOB_SECONDS)


@pytest.fixture
def receiver() -> Iterator[ChallengeReceiver]:
    with ChallengeReceiver() as hook:
        yield hook


@pytest.fixture
def active_endpoint(
    sp: StageProClient, receiver: ChallengeReceiver, emulator: EmulatorControl
) -> dict[str, Any]:
    """A webhook endpoint of this test's account that passed its challenge."""
    created = sp.ok(sp.create_webhook({"url": receiver.url_for("hooks")}), 201)
    emulator.advance(0)
    endpoint = sp.webhook(created["id"])
    assert endpoint["status"] == "active", endpoint
    return created
