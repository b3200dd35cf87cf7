from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from emulator.core.clock import MANUAL_EPOCH
from emulator.core.engine import Engine
from emulator.core.webhooks import DeliveryPending, RetryPolicy

from .helpers import Receiver, free_port

FAST = RetryPolicy(max_attempts=4, first_delay=10, factor=3)


def sign(account_id: str, body: bytes, ts: float) -> dict[str, str]:
    mac = hmac.new(b"secret", f"{int(ts)}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Test-Signature": f"t={int(ts)},v1={mac}"}


def send(engine: Engine, url: str, policy: RetryPolicy = FAST, **kw):
    payload = kw.pop("payload", {"event": "render.done", "id": "r1", "urls": ["a", "b"], "n": 1.5})
    return engine.outbox.enqueue(
        vendor="v", account_id="acc", url=url, event="render.done", payload=payload,
        policy=policy, **kw,
    )  # fmt: skip


async def test_delivery_posts_the_exact_body_with_the_signers_headers(
    engine: Engine, receiver: Receiver
) -> None:
    engine.outbox.signers["v"] = sign
    delivery = send(engine, receiver.url, payload={"b": 1, "a": [1, "é"]})
    assert receiver.requests == []  # nothing goes out before the clock runs it
    assert await engine.advance(0) == 1
    await engine.outbox.close()

    [request] = receiver.requests
    assert request["path"] == "/hook"
    assert request["body"] == delivery.body.encode()
    assert json.loads(request["body"]) == {"b": 1, "a": [1, "é"]}
    assert request["headers"]["Content-Type"] == "application/json"
    assert (
        request["headers"]["X-Test-Signature"]
        == sign("acc", request["body"], MANUAL_EPOCH)["X-Test-Signature"]
    )
    stored = engine.outbox.get(delivery.id)
    assert stored.state == "delivered" and stored.next_attempt_at is None
    assert [(a.at, a.status, a.error) for a in stored.attempts] == [(MANUAL_EPOCH, 200, None)]
    assert stored.attempts[0].headers == sign("acc", request["body"], MANUAL_EPOCH)
    assert engine.outbox.list("acc") == [stored]


async def test_delay_holds_the_first_attempt(engine: Engine, receiver: Receiver) -> None:
    send(engine, receiver.url, delay=5)
    assert await engine.advance(4.9) == 0
    assert await engine.advance(0.1) == 1
    await engine.outbox.close()
    assert len(receiver.requests) == 1


async def test_non_2xx_retries_with_exponential_backoff(engine: Engine, receiver: Receiver) -> None:
    receiver.statuses = [500, 503, 429]
    delivery = send(engine, receiver.url)
    await engine.advance(0)
    stored = engine.outbox.get(delivery.id)
    assert stored.state == "pending" and stored.next_attempt_at == MANUAL_EPOCH + 10
    assert await engine.advance(9.9) == 0  # not before first_delay
    assert await engine.advance(0.1) == 1
    assert await engine.advance(1000) == 2  # +10*3 then +10*9, each at its own time
    await engine.outbox.close()

    stored = engine.outbox.get(delivery.id)
    assert stored.state == "delivered"
    assert [a.at - MANUAL_EPOCH for a in stored.attempts] == [0, 10, 40, 130]
    assert [a.status for a in stored.attempts] == [500, 503, 429, 200]
    assert len(receiver.requests) == 4
    assert len({r["body"] for r in receiver.requests}) == 1  # every retry sends the same body


async def test_connection_errors_retry_then_fail_after_max_attempts(engine: Engine) -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    delivery = send(engine, url, policy=RetryPolicy(max_attempts=3, first_delay=2, factor=2))
    assert await engine.advance(3600) == 3
    await engine.outbox.close()
    stored = engine.outbox.get(delivery.id)
    assert stored.state == "failed" and stored.next_attempt_at is None
    assert [a.at - MANUAL_EPOCH for a in stored.attempts] == [0, 2, 6]
    assert all(a.status is None and "Connect" in a.error for a in stored.attempts)
    assert engine.store.pending_timers() == 0


async def test_max_attempts_of_error_answers_ends_failed(
    engine: Engine, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 10
    delivery = send(engine, receiver.url, policy=RetryPolicy(max_attempts=2, first_delay=1))
    await engine.advance(100)
    await engine.outbox.close()
    stored = engine.outbox.get(delivery.id)
    assert stored.state == "failed" and [a.status for a in stored.attempts] == [500, 500]
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("only_200", "state", "attempts"), [(True, "failed", 2), (False, "delivered", 1)]
)
async def test_only_200_policy_treats_201_as_failure(
    engine: Engine, receiver: Receiver, only_200: bool, state: str, attempts: int
) -> None:
    receiver.statuses = [201, 201]
    policy = RetryPolicy(max_attempts=2, first_delay=1, only_200=only_200)
    delivery = send(engine, receiver.url, policy=policy)
    await engine.advance(10)
    await engine.outbox.close()
    stored = engine.outbox.get(delivery.id)
    assert stored.state == state and len(stored.attempts) == attempts


def test_retry_policy_arithmetic() -> None:
    policy = RetryPolicy(first_delay=10, factor=2)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert policy.delivered(200) and policy.delivered(204) and not policy.delivered(301)
    assert not RetryPolicy(only_200=True).delivered(204)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


async def test_loopback_webhooks_do_not_go_through_an_environment_proxy(
    engine: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    delivery = send(engine, receiver.url, policy=RetryPolicy(max_attempts=1))
    await engine.advance(0)
    await engine.outbox.close()
    assert engine.outbox.get(delivery.id).state == "delivered"


async def test_resend_is_one_more_attempt_signed_anew_and_logged(
    engine: Engine, receiver: Receiver
) -> None:
    engine.outbox.signers["v"] = sign
    receiver.statuses = [500]
    delivery = send(engine, receiver.url, policy=RetryPolicy(max_attempts=1))
    await engine.advance(0)
    with pytest.raises(DeliveryPending):  # planned already: nothing to resend yet
        await engine.outbox.resend(send(engine, receiver.url).id)
    assert engine.outbox.get(delivery.id).state == "failed"  # type: ignore[union-attr]

    await engine.advance(60)
    resent = await engine.outbox.resend(delivery.id)  # the receiver answers 200 now
    assert resent is not None and resent.state == "delivered" and resent.next_attempt_at is None
    assert [(a.at - MANUAL_EPOCH, a.status) for a in resent.attempts] == [(0, 500), (60, 200)]
    first, again = receiver.requests[0], receiver.requests[-1]
    assert again["body"] == first["body"] == delivery.body.encode()
    assert (
        again["headers"]["X-Test-Signature"]
        == sign("acc", again["body"], MANUAL_EPOCH + 60)["X-Test-Signature"]
    )
    assert resent.policy == delivery.policy and engine.outbox.get(delivery.id) == resent

    receiver.statuses = [503]
    failed = await engine.outbox.resend(delivery.id)  # no retry planned after a resend
    assert failed is not None and failed.state == "failed" and len(failed.attempts) == 3
    assert engine.store.pending_timers() == 0 and await engine.advance(1000) == 0
    assert await engine.outbox.resend("missing") is None
    await engine.outbox.close()
