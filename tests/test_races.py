"""Parallel requests against a real server never overspend, and no acknowledged write is lost.

Every request sends its headers at once and its body a moment later, so all of them are
authenticated (their account read) before any body arrives: exactly the interleaving in which a
stale copy of the account would be written back. Each scenario runs several rounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from emulator.testing import EmulatorServer

from .helpers import data_url, image_bytes

ART = "virtualstaging-art"
VSAI = "virtualstagingai"
ROUNDS = 3
PARALLEL = 60


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


async def _late(body: bytes) -> AsyncIterator[bytes]:
    await asyncio.sleep(0.15)
    yield body


def _json(data: Any) -> bytes:
    return httpx.Request("POST", "http://x", json=data).content


async def _send_all(requests: list[tuple[str, dict[str, str], Any]]) -> list[httpx.Response]:
    """POST every (url, headers, json) at once, each body arriving late."""
    limits = httpx.Limits(max_connections=len(requests) + 1)
    async with httpx.AsyncClient(trust_env=False, timeout=30, limits=limits) as http:
        return await asyncio.gather(
            *(
                http.post(
                    url,
                    content=_late(_json(body)),
                    headers=h | {"content-type": "application/json"},
                )
                for url, h, body in requests
            )
        )


def _account(emu: EmulatorServer, vendor: str, key: str) -> dict[str, Any]:
    [account] = [a for a in emu.control("GET", f"/accounts?vendor={vendor}") if a["api_key"] == key]
    return account


def _upload(emu: EmulatorServer, key: str) -> str:
    response = httpx.post(
        f"{emu.base_url(ART)}/image/upload",
        json={"data_url": data_url(image_bytes(64, 48))},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["url"]


def test_parallel_renders_never_spend_more_credits_than_the_balance(emu: EmulatorServer) -> None:
    for round in range(ROUNDS):
        key = f"low-credits-race-{round}"  # starts with 2 credits
        headers = {"Authorization": f"Bearer {key}"}
        body = {"image_url": _upload(emu, key), "room_type": "living", "style": "modern"}
        url = f"{emu.base_url(ART)}/image/render/request"
        responses = asyncio.run(_send_all([(url, headers, body)] * PARALLEL))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 2 and statuses.count(402) == PARALLEL - 2, statuses
        assert _account(emu, ART, key)["credits"] == 0
        jobs = emu.control("GET", f"/jobs?vendor={ART}&api_key={key}")
        assert len(jobs) == 2


def test_parallel_renders_never_pass_the_photo_limit_and_each_is_counted(
    emu: EmulatorServer,
) -> None:
    for round in range(ROUNDS):
        key = f"low-credits-race-{round}"  # a photo limit of 2
        headers = {"Authorization": f"Api-Key {key}"}
        body = {
            "config": {"type": "staging", "add_furniture": {"room_type": "bed", "style": "modern"}},
            "image_url": data_url(image_bytes(32, 24)),
        }
        url = f"{emu.base_url(VSAI)}/renders"
        responses = asyncio.run(_send_all([(url, headers, body)] * PARALLEL))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 2 and statuses.count(403) == PARALLEL - 2, statuses
        used = _account(emu, VSAI, key)["meters"]["photosUsedThisPeriod"]
        assert used["staging"] == 2


def test_parallel_bulk_renders_are_all_or_nothing_within_the_limit(emu: EmulatorServer) -> None:
    item = {
        "config": {"type": "staging", "add_furniture": {"room_type": "bed", "style": "modern"}},
        "image_url": data_url(image_bytes(32, 24)),
    }
    for round in range(ROUNDS):
        key = f"bulk-race-{round}"
        emu.control(
            "POST",
            "/accounts",
            {
                "vendor": VSAI,
                "api_key": key,
                "meters": {"photoLimit": {"staging": 7, "imageEditing": 0}},
            },
        )
        headers = {"Authorization": f"Api-Key {key}"}
        url = f"{emu.base_url(VSAI)}/renders/bulk"
        responses = asyncio.run(_send_all([(url, headers, {"renders": [item, item]})] * 20))
        accepted = [r for r in responses if r.status_code == 200]
        assert len(accepted) == 3  # 3 x 2 photos fit in 7, a fourth pair does not
        assert all(r.status_code == 403 for r in responses if r.status_code != 200)
        used = _account(emu, VSAI, key)["meters"]["photosUsedThisPeriod"]
        assert used["staging"] == 6


def test_meters_count_every_accepted_request(emu: EmulatorServer) -> None:
    for round in range(ROUNDS):
        key = f"unlimited-race-{round}"
        headers = {"Authorization": f"Api-Key {key}"}
        body = {
            "config": {"type": "enhancement"},
            "image_url": data_url(image_bytes(32, 24)),
        }
        url = f"{emu.base_url(VSAI)}/renders"
        responses = asyncio.run(_send_all([(url, headers, body)] * 40))
        assert all(r.status_code == 200 for r in responses)
        used = _account(emu, VSAI, key)["meters"]["photosUsedThisPeriod"]
        assert used["imageEditing"] == 40


def test_no_acknowledged_write_is_lost(emu: EmulatorServer) -> None:
    """Secrets, photo counts and control-API changes made at the same moment all survive."""
    render = {"config": {"type": "enhancement"}, "image_url": data_url(image_bytes(32, 24))}
    for round in range(ROUNDS):
        key = f"writes-race-{round}"
        headers = {"Authorization": f"Api-Key {key}"}
        base = emu.base_url(VSAI)
        control = f"{emu.url}/_emulator/accounts"
        requests = [(f"{base}/renders", headers, render)] * 20
        requests += [(f"{base}/user/webhook-secret", headers, {"webhook_secret": "kept"})]
        requests += [
            (control, {}, {"vendor": VSAI, "api_key": key, "data": {f"note{n}": n}})
            for n in range(10)
        ]
        responses = asyncio.run(_send_all(requests))
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        account = _account(emu, VSAI, key)
        assert account["meters"]["photosUsedThisPeriod"]["imageEditing"] == 20
        assert account["data"]["webhook_secret"] == "kept"
        assert {k for k in account["data"] if k.startswith("note")} == {
            f"note{n}" for n in range(10)
        }
