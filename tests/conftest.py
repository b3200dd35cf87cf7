"""Engine test fixtures. `async def` tests run in their own event loop via asyncio.run, so no
plugin is needed; nothing here ever sleeps to wait for a job: the clock is manual."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator

import pytest

from emulator.core.engine import Engine
from emulator.testing import EmulatorServer

from .helpers import Receiver, manual_engine


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A manual-clock engine on an in-memory store, seed 1."""
    eng = manual_engine()
    yield eng
    eng.store.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """One running emulator per test module (starting it is the slow part)."""
    with EmulatorServer() as emu:
        yield emu


@pytest.fixture
def emu(server: EmulatorServer) -> EmulatorServer:
    """The module's emulator as new: no state, fault rules or journal entries."""
    server.reset()
    server.client.clear_faults()
    server.client.clear_requests()
    return server
