"""The typed control client, sync and async, against a real emulator on a thread."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from emulator.client import (
    AsyncEmulatorClient,
    EmulatorClient,
    EmulatorError,
    EmulatorUnreachable,
    parse_duration,
)
from emulator.control.models import AdvanceResult, DeliveryView, FaultView, Health, JobView
from emulator.core.clock import MANUAL_EPOCH
from emulator.testing import EmulatorServer

from .helpers import Receiver, data_url, free_port, image_bytes

ART = "virtualstaging-art"
KEY = "client-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def _render(emu: EmulatorServer, callback: str | None = None) -> None:
    base = emu.base_url(ART)
    with httpx.Client(trust_env=False) as http:
        url = http.post(
            f"{base}/image/upload", json={"data_url": data_url(image_bytes(120, 80))}, headers=AUTH
        ).json()["url"]
        body = {"image_url": url, "room_type": "bed", "style": "modern"}
        if callback:
            body["callback_url"] = callback
        answer = http.post(f"{base}/image/render/request", json=body, headers=AUTH)
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90.0), ("90", 90.0), ("90s", 90.0), ("1.5m", 90.0), ("1h30m", 5400.0), ("250ms", 0.25)],
)
def test_parse_duration(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "5s5", "-3"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_health_clock_and_advance_are_typed(emu: EmulatorServer) -> None:
    client = emu.client
    health = client.health()
    assert isinstance(health, Health) and health.status == "ok"
    assert health.vendors[ART] == emu.base_url(ART)
    assert client.clock().now == MANUAL_EPOCH
    result = client.advance("90s")
    assert isinstance(result, AdvanceResult) and result.now == MANUAL_EPOCH + 90
    assert result["now"] == result.now  # item access, as the dicts of old


def test_jobs_accounts_and_reset_of_one_account(emu: EmulatorServer) -> None:
    client = emu.client
    _render(emu)
    [job] = client.jobs(ART, api_key=KEY)
    assert isinstance(job, JobView) and job.state == "queued" and job.output_urls
    client.advance(60)
    assert client.jobs(ART)[0].state == "succeeded"
    account = client.set_account(ART, KEY, credits=7)
    assert account.credits == 7 and [a.credits for a in client.accounts(ART)] == [7]
    assert client.reset(vendor=ART, api_key=KEY).reset == account.id
    assert client.jobs() == [] and client.accounts() == []


def test_delivery_get_and_resend_sign_a_new_attempt(emu: EmulatorServer) -> None:
    client = emu.client
    with Receiver() as receiver:
        receiver.statuses = [500, 500, 500, 500, 500]  # every planned attempt fails
        _render(emu, callback=receiver.url)
        client.advance(3600)
        [delivery] = client.deliveries(ART, state="failed")
        assert isinstance(delivery, DeliveryView) and len(delivery.attempts) == 5
        assert client.delivery(delivery.id).attempts[-1].status == 500

        resent = client.resend(delivery.id)  # the receiver now answers 200

        assert resent.state == "delivered" and len(resent.attempts) == 6
        assert resent.attempts[-1].status == 200 and resent.payload == delivery.payload
        assert len(receiver.requests) == 6
        assert receiver.requests[-1]["body"] == receiver.requests[0]["body"]
        assert resent.policy == delivery.policy  # no retry was planned after it
        assert client.clock().pending_timers == 0


def test_resend_refuses_pending_and_unknown_deliveries(emu: EmulatorServer) -> None:
    with Receiver() as receiver:
        receiver.statuses = [500, 500]
        _render(emu, callback=receiver.url)
        emu.client.advance(25)  # two attempts fail (about 13 s and 23 s), a third is planned
        [delivery] = emu.client.deliveries(ART)
        assert delivery.state == "pending"
        with pytest.raises(EmulatorError) as pending:
            emu.client.resend(delivery.id)
        assert pending.value.status == 409 and "pending" in pending.value.message
    with pytest.raises(EmulatorError) as unknown:
        emu.client.delivery("nope")
    assert unknown.value.status == 404 and unknown.value.message == "delivery not found"


def test_faults(emu: EmulatorServer) -> None:
    client = emu.client
    rule = client.add_fault(ART, operation="request_render", status=503, times=1)
    assert isinstance(rule, FaultView) and rule.times == 1
    assert [r.id for r in client.faults()] == [rule.id]
    client.remove_fault(rule.id)
    assert client.faults() == []
    client.add_fault(ART)
    client.clear_faults()
    assert client.faults() == []
    with pytest.raises(EmulatorError) as bad:
        client.add_fault("nobody")
    assert bad.value.status == 400 and "vendor" in bad.value.message


def test_requests_journal_settings_state_and_openapi(emu: EmulatorServer) -> None:
    client = emu.client
    _render(emu)
    assert client.count_requests(ART) == 2
    assert [e.operation for e in client.requests(ART)] == ["upload_image", "request_render"]
    assert client.journal(enabled=False).enabled is False
    _render(emu)
    assert client.count_requests() == 2
    assert client.journal(enabled=True).enabled is True
    archive = client.export_state()
    client.reset()
    summary = client.import_state(archive)
    assert summary.documents["job"] == 2 and summary.blobs == 2
    assert len(client.jobs()) == 2
    assert client.openapi(ART)["info"]["title"].startswith("Virtual Staging ART")
    assert "/clock/advance" in client.openapi()["paths"]


def test_async_client_has_the_same_methods(emu: EmulatorServer) -> None:
    async def scenario() -> None:
        async with AsyncEmulatorClient(emu.url) as client:
            assert (await client.health()).status == "ok"
            assert (await client.advance(30)).now == MANUAL_EPOCH + 30
            assert await client.jobs() == []
            assert await client.base_url(ART) == emu.base_url(ART)
            with pytest.raises(EmulatorError):
                await client.delivery("nope")

    asyncio.run(scenario())


def test_unreachable_emulator_is_one_clear_error() -> None:
    with (
        EmulatorClient(f"http://127.0.0.1:{free_port()}") as client,
        pytest.raises(EmulatorUnreachable) as caught,
    ):
        client.health()
    assert "no emulator answers at http://127.0.0.1:" in caught.value.message
