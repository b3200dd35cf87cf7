"""Contract tests: each vendor's documented API, checked over real HTTP.

Where the requests go:

- default: a fresh emulator started once per session on a thread (`EmulatorServer`: manual clock,
  in-memory store, seed 1, free port);
- `--emulator-url URL` (or env STAGING_EMULATOR_URL): an emulator already running at that root URL,
  e.g. http://127.0.0.1:8080. Tests that advance time skip themselves if its clock is real;
- `--vendor-url URL --vendor-key KEY` (or env CONTRACT_VENDOR_URL / CONTRACT_VENDOR_KEY): the real
  vendor, e.g. https://www.virtualstaging.art. Run one vendor's folder at a time. Every test marked
  `emulator_only` (manual clock, magic inputs, control API, fresh accounts) is skipped.

Isolation: every test gets its own random API key, hence its own account, so tests never see each
other's uploads, jobs or webhooks even on a shared emulator; nothing resets the whole emulator.
No test sleeps to wait for a job: emulator tests advance the manual clock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from .support import EmulatorControl, WebhookReceiver, new_api_key


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract tests (contract_tests/)")
    group.addoption(
        "--emulator-url",
        default=os.environ.get("STAGING_EMULATOR_URL") or None,
        help="root URL of a running emulator (default: start one; env STAGING_EMULATOR_URL)",
    )
    group.addoption(
        "--vendor-url",
        default=os.environ.get("CONTRACT_VENDOR_URL") or None,
        help="the real vendor's base URL: run against it, skipping emulator_only tests",
    )
    group.addoption(
        "--vendor-key",
        default=os.environ.get("CONTRACT_VENDOR_KEY") or None,
        help="API key for --vendor-url (env CONTRACT_VENDOR_KEY)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator_only: needs the emulator itself (manual clock, magic inputs, control API, fresh "
        "accounts); skipped when --vendor-url points at the real vendor",
    )
    if config.getoption("--vendor-url", None) and not config.getoption("--vendor-key", None):
        raise pytest.UsageError("--vendor-url needs --vendor-key (or env CONTRACT_VENDOR_KEY)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--vendor-url", None):
        return
    skip = pytest.mark.skip(reason="emulator-only: --vendor-url points at the real vendor")
    for item in items:
        if item.get_closest_marker("emulator_only") is not None:
            item.add_marker(skip)


@dataclass
class Target:
    """Where the vendor APIs under test live."""

    vendor_url: str | None
    vendor_key: str | None
    emulator: EmulatorControl | None

    @property
    def real_vendor(self) -> bool:
        return self.vendor_url is not None

    def vendor_root(self, slug: str) -> str:
        """Root of the vendor's real paths: the real vendor's URL, or `<emulator>/<slug>`."""
        if self.vendor_url is not None:
            return self.vendor_url.rstrip("/")
        assert self.emulator is not None
        return self.emulator.vendor_root(slug)


@pytest.fixture(scope="session")
def _emulator_control(request: pytest.FixtureRequest) -> Iterator[EmulatorControl | None]:
    if request.config.getoption("--vendor-url"):
        yield None
        return
    url = request.config.getoption("--emulator-url")
    if url:
        control = EmulatorControl(url)
        try:
            control.health()
        except (httpx.HTTPError, AssertionError) as exc:
            raise pytest.UsageError(f"no emulator answers at --emulator-url {url}: {exc}") from exc
        yield control
        control.close()
        return
    from emulator.testing import EmulatorServer

    with EmulatorServer(store="memory", clock="manual", seed=1) as server:
        control = EmulatorControl(server.url, server)
        yield control
        control.close()


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, _emulator_control: EmulatorControl | None) -> Target:
    return Target(
        vendor_url=request.config.getoption("--vendor-url"),
        vendor_key=request.config.getoption("--vendor-key"),
        emulator=_emulator_control,
    )


@pytest.fixture(scope="session")
def emulator(target: Target) -> EmulatorControl:
    """The emulator under test and its control API (.url, .base_url(slug), .advance(seconds),
    .reset(), .deliveries(vendor), ...). Tests using it are emulator-only."""
    if target.emulator is None:
        pytest.skip("needs the emulator: --vendor-url points at the real vendor")
    return target.emulator


@pytest.fixture
def new_key(target: Target) -> Callable[..., str]:
    """A factory of fresh API keys, each its own account: `new_key()`, `new_key("low-credits")`.
    Against the real vendor it returns the one --vendor-key (magic words need the emulator)."""

    def make(*magic: str) -> str:
        if target.real_vendor:
            if magic:
                pytest.skip("magic API keys need the emulator")
            assert target.vendor_key is not None
            return target.vendor_key
        return new_api_key(*magic)

    return make


@pytest.fixture
def api_key(new_key: Callable[..., str]) -> str:
    """This test's own API key (a fresh account on the emulator)."""
    return new_key()


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(30.0), follow_redirects=False) as client:
        yield client


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP server on 127.0.0.1 recording every POST (see support.WebhookReceiver)."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def webhook_sink() -> Iterator[WebhookReceiver]:
    """A session-wide receiver answering 200, for callback URLs whose deliveries a test ignores
    (so no delivery ever leaves the machine)."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def serve() -> Iterator[tuple[str, int]]:
    """`staging-emulator serve` as its own process, for the memory tests: (base URL, pid)."""
    from tests.test_memory_bounds import server

    yield from server.__wrapped__()
