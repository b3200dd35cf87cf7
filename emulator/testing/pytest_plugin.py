"""pytest plugin (registered by the package): the `staging_emulator` fixture.

One emulator per test session on a free port, manual clock, in-memory store; everything is reset
before each test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import EmulatorServer


@pytest.fixture(scope="session")
def _staging_emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def staging_emulator(_staging_emulator_server: EmulatorServer) -> EmulatorServer:
    _staging_emulator_server.reset()
    return _staging_emulator_server
