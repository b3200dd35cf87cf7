"""pytest plugin (registered by the package): the `staging_emulator` and `staging_account`
fixtures.

By default one emulator per test session on a free port (manual clock, in-memory store, seed 1),
reset before each test that uses it. Options:

    --staging-emulator-url URL      use an emulator already running there instead
    --staging-emulator-seed N       seed of ids and jitter (default 1)
    --staging-emulator-clock MODE   manual (default) or real
    --staging-emulator-speed X      real clock speed factor (default 1)
    --staging-emulator-seed-file F  state archive to load into the emulator it starts

`staging_emulator_tls` is the same over HTTPS at the vendors' real hostnames (see `.tls`).
`staging_account("virtualstagingai", credits=3)` makes a fresh account (its own random key) and
returns its key, base URL and auth headers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from ..vendors import vendor_classes
from . import EmulatorServer, RunningEmulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-emulator", "staging-emulator fixtures")
    group.addoption(
        "--staging-emulator-url",
        default=None,
        help="root URL of a running emulator to use instead of starting one",
    )
    group.addoption("--staging-emulator-seed", type=int, default=1, help="seed (default 1)")
    group.addoption(
        "--staging-emulator-clock",
        choices=["manual", "real"],
        default="manual",
        help="clock of the emulator the fixture starts (default manual)",
    )
    group.addoption(
        "--staging-emulator-speed", type=float, default=1.0, help="real clock speed factor"
    )
    group.addoption(
        "--staging-emulator-seed-file", default=None, help="state archive to load at start-up"
    )


@pytest.fixture(scope="session")
def _staging_emulator_server(
    pytestconfig: pytest.Config,
) -> Iterator[EmulatorServer | RunningEmulator]:
    url = pytestconfig.getoption("--staging-emulator-url", None)
    if url:
        running = RunningEmulator(url)
        running.client.health()  # fails early, in one line, when nothing answers there
        yield running
        running.stop()
        return
    server = EmulatorServer(
        seed=pytestconfig.getoption("--staging-emulator-seed", 1),
        clock=pytestconfig.getoption("--staging-emulator-clock", "manual"),
        speed=pytestconfig.getoption("--staging-emulator-speed", 1.0),
        seed_file=pytestconfig.getoption("--staging-emulator-seed-file", None),
    )
    with server:
        yield server


@pytest.fixture
def staging_emulator(
    _staging_emulator_server: EmulatorServer | RunningEmulator,
) -> EmulatorServer | RunningEmulator:
    """The emulator, everything reset (a manual clock back at its start)."""
    _staging_emulator_server.reset()
    return _staging_emulator_server


@pytest.fixture(scope="session")
def _staging_emulator_tls_server(pytestconfig: pytest.Config) -> Iterator[EmulatorServer]:
    with EmulatorServer(
        tls=True, seed=pytestconfig.getoption("--staging-emulator-seed", 1)
    ) as server:
        yield server


@pytest.fixture
def staging_emulator_tls(_staging_emulator_tls_server: EmulatorServer) -> EmulatorServer:
    """The emulator serving HTTPS too, reset: `.https_client()` (httpx) and `.requests_session()`
    call `https://api.collov.ai/...` and the like at this emulator, trusting its CA (`.ca_path`,
    kept in .staging-emulator/); result URLs are at the vendors' media hosts."""
    _staging_emulator_tls_server.reset()
    return _staging_emulator_tls_server


@dataclass
class StagingAccount:
    """A fresh account of one vendor: its key, where its API lives, the headers to send."""

    vendor: str
    api_key: str
    base_url: str
    headers: dict[str, str]
    account: Any = field(repr=False)  # the control API's view, at creation


@pytest.fixture
def staging_account(
    staging_emulator: EmulatorServer | RunningEmulator,
) -> Callable[..., StagingAccount]:
    """Factory: `staging_account(vendor, credits=, blocked=, meters=, data=, api_key=)`."""
    auth = {cls.slug: (cls.auth_header, cls.auth_scheme) for cls in vendor_classes()}

    def make(vendor: str, *, api_key: str | None = None, **fields: Any) -> StagingAccount:
        if vendor not in auth:
            raise ValueError(f"unknown vendor {vendor!r}; expected one of {sorted(auth)}")
        key = api_key or f"test-{uuid.uuid4().hex}"
        created = staging_emulator.client.set_account(vendor, key, **fields)
        header, scheme = auth[vendor]
        return StagingAccount(
            vendor=vendor,
            api_key=key,
            base_url=staging_emulator.base_url(vendor),
            headers={header: f"{scheme} {key}".strip()},
            account=created,
        )

    return make
