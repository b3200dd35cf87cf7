"""Every fault action against a real server and a client's own retry loop.

A rule reaches every operation of every vendor (by handler name or `*`), and fires once per
request even when the handler also asks `refuse_if_faulted`.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
from starlette.routing import Route

from emulator.testing import EmulatorServer

from .helpers import data_url, image_bytes

ART = "virtualstaging-art"
VSAI = "virtualstagingai"
VSAI_KEY = {"Authorization": "Api-Key sk_faults"}
ART_KEY = {"Authorization": "Bearer sk_faults"}


def add_rule(emu: EmulatorServer, **rule: Any) -> dict[str, Any]:
    return emu.control("POST", "/faults", rule)


def rules(emu: EmulatorServer) -> list[dict[str, Any]]:
    return emu.control("GET", "/faults")


def with_retries(call, attempts: int = 5, timeout: float = 5.0) -> tuple[httpx.Response, list[str]]:
    """A client's retry loop: retry on 429/5xx (honouring a short Retry-After), on timeouts and on
    dropped connections; returns the final answer and what each failed attempt saw."""
    seen: list[str] = []
    with httpx.Client(trust_env=False, timeout=timeout) as http:
        for _ in range(attempts):
            try:
                response = call(http)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                seen.append(type(exc).__name__)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                seen.append(
                    f"{response.status_code} retry-after={response.headers.get('retry-after')}"
                )
                time.sleep(min(float(response.headers.get("retry-after", 0)), 0.05))
                continue
            return response, seen
    raise AssertionError(f"gave up after {seen}")


def get_user(emu: EmulatorServer):
    return lambda http: http.get(f"{emu.base_url(VSAI)}/user", headers=VSAI_KEY)


def test_error_on_a_read_operation_fails_the_first_n_calls_then_succeeds(emu) -> None:
    add_rule(emu, vendor=VSAI, operation="get_user", status=503, times=2)
    response, seen = with_retries(get_user(emu))
    assert response.status_code == 200 and "photoLimit" in response.json()
    assert seen == ["503 retry-after=None", "503 retry-after=None"]
    assert rules(emu) == []  # used up


def test_error_answers_in_the_vendors_envelope_with_the_rules_message(emu) -> None:
    add_rule(emu, vendor=ART, operation="check_status", status=500, message="boom", times=1)
    url = f"{emu.base_url(ART)}/image/check-status"
    first = httpx.post(url, json={"upload_id": "nope"}, headers=ART_KEY)
    assert first.status_code == 500 and first.json() == {"error": "boom"}
    assert httpx.post(url, json={"upload_id": "nope"}, headers=ART_KEY).status_code == 404


def test_star_reaches_any_operation_of_the_vendor_only(emu) -> None:
    add_rule(emu, vendor=VSAI, operation="*", status=502, times=3)
    status = httpx.get(f"{emu.base_url(VSAI)}/status")
    assert status.status_code == 502 and "message" in status.json()
    assert httpx.get(f"{emu.base_url(ART)}/me", headers=ART_KEY).status_code == 200
    response, seen = with_retries(get_user(emu))
    assert response.status_code == 200 and len(seen) == 2


def test_rate_limit_answers_429_with_retry_after(emu) -> None:
    rule = add_rule(emu, vendor=VSAI, operation="list_renders", action="rate_limit", times=2)
    assert rule["status"] == 429 and rule["retry_after"] == 1
    call = lambda http: http.get(f"{emu.base_url(VSAI)}/renders", headers=VSAI_KEY)  # noqa: E731
    response, seen = with_retries(call)
    assert response.status_code == 200 and response.json()["items"] == []
    assert seen == ["429 retry-after=1", "429 retry-after=1"]
    limited = add_rule(emu, vendor=ART, action="rate_limit", retry_after=30, message="slow down")
    answer = httpx.get(f"{emu.base_url(ART)}/me", headers=ART_KEY)
    assert answer.status_code == 429 and answer.headers["retry-after"] == "30"
    assert answer.json() == {"error": "slow down"}
    emu.control("DELETE", f"/faults/{limited['id']}")


def test_latency_makes_a_client_time_out_then_answers(emu) -> None:
    add_rule(emu, vendor=ART, operation="me", action="latency", delay=1.0, times=1)
    call = lambda http: http.get(f"{emu.base_url(ART)}/me", headers=ART_KEY)  # noqa: E731
    response, seen = with_retries(call, timeout=0.5)
    assert response.status_code == 200 and seen == ["ReadTimeout"]
    add_rule(emu, vendor=ART, operation="me", action="latency", delay=0.2, times=1)
    started = time.monotonic()
    slow = httpx.get(f"{emu.base_url(ART)}/me", headers=ART_KEY)
    assert slow.status_code == 200 and time.monotonic() - started >= 0.2


def test_latency_adds_up_before_an_error(emu) -> None:
    add_rule(emu, vendor=ART, operation="me", action="latency", delay=0.1, times=1)
    add_rule(emu, vendor=ART, operation="me", status=503, times=1)
    started = time.monotonic()
    answer = httpx.get(f"{emu.base_url(ART)}/me", headers=ART_KEY)
    assert answer.status_code == 503 and time.monotonic() - started >= 0.1


def test_drop_closes_the_connection_without_an_answer(emu) -> None:
    add_rule(emu, vendor=VSAI, operation="get_user", action="drop", times=1)
    response, seen = with_retries(get_user(emu))
    assert response.status_code == 200
    assert len(seen) == 1 and seen[0] in ("RemoteProtocolError", "ReadError", "ConnectError")
    assert httpx.get(f"{emu.url}/_emulator/health").status_code == 200  # the server lives on


def test_probability_is_seeded_so_a_run_repeats(emu) -> None:
    def pattern() -> list[int]:
        rule = add_rule(emu, vendor=VSAI, operation="get_status", probability=0.5, seed=7)
        with httpx.Client(trust_env=False) as http:
            statuses = [http.get(f"{emu.base_url(VSAI)}/status").status_code for _ in range(24)]
        emu.control("DELETE", f"/faults/{rule['id']}")
        return statuses

    first, second = pattern(), pattern()
    assert first == second
    assert 3 <= first.count(503) <= 21 and set(first) == {200, 503}


def test_a_rule_fires_once_per_request_even_where_the_handler_checks_faults_too(emu) -> None:
    source = httpx.post(
        f"{emu.base_url(ART)}/image/upload",
        json={"data_url": data_url(image_bytes())},
        headers=ART_KEY,
    ).json()["url"]
    body = {"image_url": source, "room_type": "living", "style": "modern"}
    url = f"{emu.base_url(ART)}/image/render/request"
    add_rule(emu, vendor=ART, operation="request_render", status=503, times=1)
    add_rule(emu, vendor=ART, operation="*", status=504, times=1)
    assert httpx.post(url, json=body, headers=ART_KEY).status_code == 503
    assert httpx.post(url, json=body, headers=ART_KEY).status_code == 504
    assert httpx.post(url, json=body, headers=ART_KEY).status_code == 200
    assert rules(emu) == []


def test_fail_job_on_a_bulk_request_fails_its_jobs(emu) -> None:
    item = {"config": {"type": "enhancement"}, "image_url": data_url(image_bytes(32, 24))}
    # `times` counts jobs planned: the bulk's first render fails, its second does not
    add_rule(emu, vendor=VSAI, operation="create_renders_bulk", action="fail_job", times=1)
    answer = httpx.post(
        f"{emu.base_url(VSAI)}/renders/bulk",
        json={"renders": [item, item], "wait_for_completion": True},
        headers=VSAI_KEY,
    )
    assert answer.status_code == 200, answer.text
    statuses = [v["status"] for r in answer.json()["renders"] for v in r["variations"]["items"]]
    assert statuses == ["error", "done"]


def _example_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_a_star_rule_reaches_every_operation_of_every_vendor(emu) -> None:
    checked = 0
    http = httpx.Client(trust_env=False)
    for vendor in emu.app.vendors:
        rule = add_rule(emu, vendor=vendor.slug, operation="*", status=418, message="teapot")
        for route in vendor.routes():
            if not isinstance(route, Route):
                continue
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                url = f"{emu.url}/{vendor.slug}{_example_path(route.path)}"
                answer = http.request(method, url)
                assert answer.status_code == 418, (vendor.slug, method, route.path, answer.text)
                assert "teapot" in answer.text and answer.json()
                checked += 1
        emu.control("DELETE", f"/faults/{rule['id']}")
    http.close()
    assert checked >= 30
