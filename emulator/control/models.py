"""Bodies of the control API, in and out: the server answers with these models, the OpenAPI document
is generated from them, and `emulator.client` parses its answers into them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.accounts import Account
from ..core.faults import FaultRule
from ..core.http import QueryInt
from ..core.jobs import Job, JobRecord
from ..core.webhooks import Delivery, DeliveryRecord

__all__ = [
    "Account",
    "AccountSelector",
    "AccountUpdate",
    "AccountView",
    "AccountsQuery",
    "AdvanceRequest",
    "AdvanceResult",
    "ClockState",
    "Count",
    "DeliveriesQuery",
    "DeliveryView",
    "ErrorBody",
    "FaultRule",
    "FaultView",
    "Health",
    "JobView",
    "JobsQuery",
    "JournalEntry",
    "JournalMessage",
    "JournalSettings",
    "JournalSettingsUpdate",
    "RequestsQuery",
    "ResetResult",
    "StateSummary",
]


class _ItemAccess:
    """`delivery["state"]` as well as `delivery.state`: answers used to be plain dicts."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class ErrorBody(BaseModel):
    error: str = Field(description="what is wrong, naming the field")


class ClockState(_ItemAccess, BaseModel):
    mode: Literal["real", "manual"]
    now: float = Field(description="epoch seconds")
    now_iso: str
    speed: float | None = Field(None, description="real clock only")
    pending_timers: int = Field(
        description="job transitions, webhook attempts and vendor callbacks still to run"
    )
    next_due: float | None = Field(None, description="epoch seconds of the next one")


class AdvanceRequest(BaseModel):
    seconds: float = Field(ge=0, le=10 * 365 * 86400)


class AdvanceResult(ClockState):
    ran: int = Field(description="timers run by this advance")


class Health(_ItemAccess, BaseModel):
    status: Literal["ok"]
    version: str
    clock: ClockState
    store: str
    vendors: dict[str, str] = Field(description="base URL by vendor slug")


class AccountSelector(BaseModel):
    """Empty: everything. `vendor` + `api_key`, or `account_id`: one account."""

    vendor: str | None = None
    api_key: str | None = None
    account_id: str | None = None


class ResetResult(_ItemAccess, BaseModel):
    reset: str = Field(description="the account id, or 'all'")


class AccountUpdate(BaseModel):
    vendor: str
    api_key: str = Field(min_length=1)
    credits: int | None = Field(None, ge=0)
    blocked: bool | None = None
    meters: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class AccountView(_ItemAccess, Account):
    pass


class JobView(_ItemAccess, JobRecord):
    """A job (core.jobs.Job) with its state now and the URLs of its outputs."""

    state: Literal["queued", "processing", "succeeded", "failed"]
    output_urls: list[str]

    @classmethod
    def of(cls, job: Job, now: float, output_urls: list[str]) -> JobView:
        return cls(**dict(job), state=job.state(now).value, output_urls=output_urls)


class DeliveryView(_ItemAccess, DeliveryRecord):
    """A webhook delivery (core.webhooks.Delivery) with its payload parsed."""

    payload: Any = Field(description="the body sent, parsed")

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryView:
        return cls(**dict(delivery), payload=delivery.payload())


class FaultView(_ItemAccess, FaultRule):
    pass


class JournalMessage(BaseModel):
    headers: dict[str, str] = Field(default_factory=dict, description="secrets masked")
    body: str | None = Field(None, description="text, capped; images summarised")
    body_size: int = Field(0, description="bytes the body had")
    truncated: bool = False


class JournalEntry(_ItemAccess, BaseModel):
    id: int = Field(description="sequence number, increasing")
    at: float = Field(description="emulator clock, epoch seconds")
    method: str
    path: str
    query: str
    host: str
    vendor: str | None
    operation: str | None = Field(None, description="the vendor handler (fault-rule operation)")
    account_id: str | None = None
    status: int
    duration_ms: float
    content_type: str | None = None
    request: JournalMessage = Field(default_factory=JournalMessage)
    response: JournalMessage = Field(default_factory=JournalMessage)


class Count(_ItemAccess, BaseModel):
    count: int


class JournalSettings(_ItemAccess, BaseModel):
    enabled: bool
    size: int = Field(description="entries kept at most (oldest dropped first)")
    body_limit: int = Field(description="bytes of each body kept")
    count: int = Field(description="entries held now")


class JournalSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


class StateSummary(_ItemAccess, BaseModel):
    """What an imported archive held."""

    format: str
    documents: dict[str, int] = Field(description="count by kind (account, job, media, ...)")
    blobs: int
    timers: int
    clock: float | None = Field(None, description="manual clock position restored")


def _limit(default: int, most: int) -> Any:
    return Field(default, ge=1, le=most, description=f"at most this many (1-{most})")


class OwnerQuery(BaseModel):
    """Whose items: `account_id`, or `vendor` + `api_key`; none: everyone's."""

    vendor: str | None = Field(None, description="vendor slug")
    api_key: str | None = Field(None, description="with vendor: that key's account")
    account_id: str | None = None


class AccountsQuery(BaseModel):
    vendor: str | None = Field(None, description="vendor slug")


class JobsQuery(OwnerQuery):
    limit: Annotated[QueryInt, _limit(1000, 100_000)] = 1000


class DeliveriesQuery(OwnerQuery):
    state: Literal["pending", "delivered", "failed"] | None = None


class RequestsQuery(OwnerQuery):
    operation: str | None = Field(None, description="the vendor handler name")
    status: str | None = Field(
        None, pattern=r"^[1-5](\d\d|xx|XX)$", description="a status (404) or a class (4xx)"
    )
    method: str | None = None
    limit: Annotated[QueryInt, _limit(100, 100_000)] = 100
