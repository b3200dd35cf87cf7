"""Typed client of the control API (`/_emulator`), sync and async, one method per endpoint.

    from emulator.client import EmulatorClient

    with EmulatorClient("http://127.0.0.1:8080") as emu:
        emu.advance("90s")                     # or advance(90)
        for job in emu.jobs(vendor="virtualstagingai"):
            print(job.id, job.state, job.output_urls)

`AsyncEmulatorClient` has the same methods, each a coroutine. The CLI, `EmulatorServer` and the
pytest plugin all use this client. Failures raise `EmulatorError` (the control API's message and
status) or `EmulatorUnreachable`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypedDict, Unpack

import httpx
from pydantic import BaseModel, TypeAdapter

from .control.models import (
    AccountView,
    AdvanceResult,
    ClockState,
    Count,
    DeliveryView,
    FaultView,
    Health,
    JobView,
    JournalEntry,
    JournalSettings,
    ResetResult,
    StateSummary,
)

__all__ = [
    "AsyncEmulatorClient",
    "EmulatorClient",
    "EmulatorError",
    "EmulatorUnreachable",
    "parse_duration",
]

CONTROL = "/_emulator"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: float | int | str) -> float:
    """Seconds from `90`, `"90"`, `"90s"`, `"1.5m"`, `"1h30m"`, `"250ms"`."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total, position = 0.0, 0
    for match in _DURATION.finditer(text):
        if match.start() != position or match.group(2) is None:
            break
        total += float(match.group(1)) * _UNITS[match.group(2).lower()]
        position = match.end()
    if not text or position != len(text):
        raise ValueError(f"not a duration: {value!r} (try 90, 90s, 2m, 1h30m)")
    return total


class EmulatorError(Exception):
    """The control API refused: its status and `error` message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message


class EmulatorUnreachable(EmulatorError):
    def __init__(self, url: str, cause: Exception) -> None:
        super().__init__(0, f"no emulator answers at {url} ({type(cause).__name__}: {cause})")


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _parser(model: Any) -> Callable[[httpx.Response], Any]:
    adapter = TypeAdapter(model)
    return lambda response: adapter.validate_python(response.json())


def _none(response: httpx.Response) -> None:
    return None


def _content(response: httpx.Response) -> bytes:
    return response.content


def _json(response: httpx.Response) -> Any:
    return response.json()


def _count(response: httpx.Response) -> int:
    return Count.model_validate(response.json()).count


class Filters(TypedDict, total=False):
    """What selects journal entries besides the vendor."""

    operation: str
    status: int | str
    account_id: str
    api_key: str
    method: str


class _Endpoints(ABC):
    """Every control endpoint once: which request, which answer. `_call` sends it (sync in
    `EmulatorClient`, a coroutine in `AsyncEmulatorClient`)."""

    url: str

    @abstractmethod
    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[httpx.Response], Any],
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        from_root: bool = False,
    ) -> Any:
        """Send one request; `path` is under /_emulator unless `from_root`."""

    def health(self) -> Health:
        return self._call("GET", "/health", _parser(Health))

    def clock(self) -> ClockState:
        return self._call("GET", "/clock", _parser(ClockState))

    def advance(self, seconds: float | str) -> AdvanceResult:
        """Move a manual clock; everything due on the way runs before this returns."""
        body = {"seconds": parse_duration(seconds)}
        return self._call("POST", "/clock/advance", _parser(AdvanceResult), json=body)

    def reset(
        self, vendor: str | None = None, api_key: str | None = None, account_id: str | None = None
    ) -> ResetResult:
        """Forget everything, or one account (vendor + api_key, or account_id)."""
        body = _params(vendor=vendor, api_key=api_key, account_id=account_id)
        return self._call("POST", "/reset", _parser(ResetResult), json=body)

    def accounts(self, vendor: str | None = None) -> list[AccountView]:
        params = _params(vendor=vendor)
        return self._call("GET", "/accounts", _parser(list[AccountView]), params=params)

    def set_account(self, vendor: str, api_key: str, **fields: Any) -> AccountView:
        """Create or change an account: credits=, blocked=, meters=, data=."""
        body = {"vendor": vendor, "api_key": api_key, **fields}
        return self._call("POST", "/accounts", _parser(AccountView), json=body)

    def jobs(
        self,
        vendor: str | None = None,
        *,
        api_key: str | None = None,
        account_id: str | None = None,
        limit: int | None = None,
    ) -> list[JobView]:
        params = _params(vendor=vendor, api_key=api_key, account_id=account_id, limit=limit)
        return self._call("GET", "/jobs", _parser(list[JobView]), params=params)

    def deliveries(
        self,
        vendor: str | None = None,
        *,
        state: str | None = None,
        api_key: str | None = None,
        account_id: str | None = None,
    ) -> list[DeliveryView]:
        params = _params(vendor=vendor, state=state, api_key=api_key, account_id=account_id)
        return self._call("GET", "/webhooks/deliveries", _parser(list[DeliveryView]), params=params)

    def delivery(self, delivery_id: str) -> DeliveryView:
        return self._call("GET", f"/webhooks/deliveries/{delivery_id}", _parser(DeliveryView))

    def resend(self, delivery_id: str) -> DeliveryView:
        """Send a delivery again: a new attempt of the same payload, signed anew."""
        path = f"/webhooks/deliveries/{delivery_id}/resend"
        return self._call("POST", path, _parser(DeliveryView))

    def faults(self) -> list[FaultView]:
        return self._call("GET", "/faults", _parser(list[FaultView]))

    def add_fault(self, vendor: str, **rule: Any) -> FaultView:
        """Fields of `core.faults.FaultRule`: operation=, action= ("error", "rate_limit",
        "latency", "drop", "fail_job"), status=, message=, retry_after=, delay=, probability=,
        seed=, times=."""
        return self._call("POST", "/faults", _parser(FaultView), json={"vendor": vendor, **rule})

    def remove_fault(self, fault_id: str) -> None:
        return self._call("DELETE", f"/faults/{fault_id}", _none)

    def clear_faults(self) -> None:
        return self._call("DELETE", "/faults", _none)

    def requests(
        self, vendor: str | None = None, *, limit: int | None = None, **filters: Unpack[Filters]
    ) -> list[JournalEntry]:
        """The request journal, oldest first; `status` is a code (404) or a class ("4xx")."""
        params = _params(vendor=vendor, limit=limit, **filters)
        return self._call("GET", "/requests", _parser(list[JournalEntry]), params=params)

    def count_requests(self, vendor: str | None = None, **filters: Unpack[Filters]) -> int:
        params = _params(vendor=vendor, **filters)
        return self._call("GET", "/requests/count", _count, params=params)

    def clear_requests(self) -> None:
        return self._call("DELETE", "/requests", _none)

    def journal(self, enabled: bool | None = None) -> JournalSettings:
        """The journal's settings; `enabled=False` stops recording, True starts again."""
        if enabled is None:
            return self._call("GET", "/requests/settings", _parser(JournalSettings))
        body = {"enabled": enabled}
        return self._call("PUT", "/requests/settings", _parser(JournalSettings), json=body)

    def export_state(self) -> bytes:
        """Everything the emulator holds, as one archive (zip) for `import_state`."""
        return self._call("GET", "/state", _content)

    def import_state(self, archive: bytes) -> StateSummary:
        """Replace everything with an archive from `export_state`."""
        return self._call("POST", "/state", _parser(StateSummary), content=archive)

    def openapi(self, vendor: str | None = None) -> dict[str, Any]:
        """The OpenAPI document of a vendor (by slug), or of the control API."""
        path = f"/{vendor}/openapi.json" if vendor else "/_emulator/openapi.json"
        return self._call("GET", path, _json, from_root=True)


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        try:
            message = response.json().get("error") or response.text
        except (ValueError, AttributeError):
            message = response.text[:500]
        raise EmulatorError(response.status_code, str(message))
    return response


class EmulatorClient(_Endpoints):
    """Blocking client. `base_url` is the emulator's root, e.g. http://127.0.0.1:8080."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/")
        # trust_env=False: a proxy from the environment must not capture calls to localhost
        self.http = httpx.Client(timeout=timeout, trust_env=False)

    def _call(self, method, path, parse, *, json=None, params=None, content=None, from_root=False):  # type: ignore[override]
        url = self.url + (path if from_root else CONTROL + path)
        try:
            response = self.http.request(method, url, json=json, params=params, content=content)
        except httpx.HTTPError as exc:
            raise EmulatorUnreachable(self.url, exc) from exc
        return parse(_check(response))

    def base_url(self, vendor: str) -> str:
        return self.health().vendors[vendor]

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EmulatorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEmulatorClient(_Endpoints):
    """The same methods as `EmulatorClient`, each returning a coroutine."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(timeout=timeout, trust_env=False)

    async def _call(
        self, method, path, parse, *, json=None, params=None, content=None, from_root=False
    ):  # type: ignore[override]
        url = self.url + (path if from_root else CONTROL + path)
        try:
            response = await self.http.request(
                method, url, json=json, params=params, content=content
            )
        except httpx.HTTPError as exc:
            raise EmulatorUnreachable(self.url, exc) from exc
        return parse(_check(response))

    async def base_url(self, vendor: str) -> str:
        return (await self.health()).vendors[vendor]

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncEmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def model_rows(items: list[BaseModel]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]
