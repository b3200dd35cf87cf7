"""Keys, capabilities, usage, routing and the error envelope."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from ..support import EmulatorControl
from .client import LISTING_TOOLS, TEMPLATES, StageProClient, assert_error, job_body


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer pk_live_abc", "Bearer sk_abc", "Token sk_live_abc", "sk_live_abc"],
)
def test_keys_must_be_sk_live_or_sk_test(sp: StageProClient, header: str | None):
    headers = {"Authorization": header} if header else {}
    response = sp.with_key(None).request("GET", "/capabilities", headers=headers)
    error = assert_error(response, 401, "invalid_api_key")
    assert "API key" in error["message"]


@pytest.mark.emulator_only
def test_magic_key_words(sp_as: Callable[..., StageProClient]):
    assert_error(sp_as("invalid").capabilities(), 401, "invalid_api_key")
    assert_error(sp_as("blocked").capabilities(), 403, "subscription_required")
    limited = sp_as("rate-limited").capabilities()
    assert_error(limited, 429, "rate_limited")
    assert limited.headers["Retry-After"].isdigit()


def test_capabilities(sp: StageProClient):
    caps = sp.ok(sp.capabilities())
    assert caps["job_types"] == [
        "empty-room",
        "virtual-stage",
        "interior-design",
        "edit",
        "listing-tool",
    ]
    assert [t["slug"] for t in caps["listing_tools"]] == LISTING_TOOLS
    assert all(t["name"] and t["credits"] >= 1 for t in caps["listing_tools"])
    assert {t["template"]: t["job_type"] for t in caps["workflow_templates"]} == {
        k: v[0] for k, v in TEMPLATES.items()
    }
    assert "modern" in caps["styles"] and "living-room" in caps["room_types"]
    assert caps["options"]["creativity"] == {"min": 1, "max": 5, "default": 3}
    assert caps["options"]["aspect_ratio"] == ["original", "1:1", "4:3", "3:2", "16:9", "9:16"]
    assert caps["app_only"] == ["furniture-try-on", "magic-editor"]


def test_usage_starts_true(sp: StageProClient):
    usage = sp.usage()
    assert (
        usage["credits"]["used"] == 0
        and usage["credits"]["remaining"] == usage["credits"]["included"]
    )
    assert usage["storage"]["used_bytes"] == 0 and usage["storage"]["limit_bytes"] > 0
    assert usage["limits"]["max_batch_photos"] == 100
    sp.create_job_ok(job_body("empty-room"))
    after = sp.usage()
    assert after["credits"]["used"] == 1
    assert after["credits"]["remaining"] == usage["credits"]["remaining"] - 1
    assert after["jobs"]["active"] == 1


def test_unknown_path_and_wrong_method_in_the_envelope(sp: StageProClient):
    assert_error(sp.request("GET", "/nope"), 404, "not_found")
    response = sp.request("DELETE", "/jobs")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


@pytest.mark.emulator_only
def test_real_host_routing(sp: StageProClient, emulator: EmulatorControl):
    for host in ("www.stageproai.com", "stageproai.com"):
        response = httpx.get(
            f"{emulator.url}/api/v1/capabilities",
            headers={"Host": host, "Authorization": f"Bearer {sp.api_key}"},
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["listing_tools"]) == 23
    assert emulator.base_url("stagepro").endswith("/stagepro/api/v1")


def test_keys_console(sp: StageProClient):
    listed = sp.ok(sp.keys())["data"]
    assert len(listed) == 1 and listed[0]["mode"] == "live"
    assert sp.api_key.startswith(listed[0]["prefix"])
    made = sp.ok(sp.create_key({"name": "CI", "mode": "test"}), 201)
    assert made["key"].startswith("sk_test_") and made["name"] == "CI"
    assert made["key"].startswith(made["prefix"])
    assert [k["id"] for k in sp.ok(sp.keys())["data"]][1:] == [made["id"]]
    assert "key" not in sp.ok(sp.keys())["data"][1]
    # the new key works on the same account, in test mode
    test = sp.with_key(made["key"])
    job = test.create_job_ok(job_body())
    assert job["livemode"] is False and job["credits_charged"] == 0
    assert job["id"] in {j["id"] for j in sp.ok(sp.jobs())["data"]}
    assert_error(sp.create_key({"mode": "prod"}), 400, "validation_error", "mode")


@pytest.mark.emulator_only
def test_a_revoked_key_is_401(sp: StageProClient):
    made = sp.ok(sp.create_key({"name": "temp"}), 201)
    other = sp.with_key(made["key"])
    assert other.capabilities().status_code == 200
    revoked = sp.ok(sp.request("DELETE", f"/keys/{made['id']}"))
    assert revoked["revoked_at"] is not None
    error = assert_error(other.capabilities(), 401, "invalid_api_key")
    assert "revoked" in error["message"]


@pytest.mark.emulator_only
@pytest.mark.parametrize(
    "operation, status, code",
    [
        ("create_job", 402, "insufficient_credits"),
        ("create_upload", 403, "storage_limit_exceeded"),
        ("create_job", 409, "idempotency_conflict"),
        ("regenerate_job", 409, "job_not_completed"),
        ("render_agent_session", 409, "not_ready_to_render"),
        ("send_agent_message", 410, "session_expired"),
        ("get_job", 429, "rate_limited"),
        ("create_batch", 503, "service_unavailable"),
    ],
)
def test_fault_rules_reach_every_error_path(
    sp: StageProClient, emulator: EmulatorControl, operation: str, status: int, code: str
):
    calls = {
        "create_job": lambda: sp.create_job(job_body()),
        "create_upload": lambda: sp.upload(b"\xff\xd8\xff"),
        "regenerate_job": lambda: sp.regenerate("job_any"),
        "render_agent_session": lambda: sp.render("ses_any"),
        "send_agent_message": lambda: sp.message("ses_any", "hi"),
        "get_job": lambda: sp.request("GET", "/jobs/job_any"),
        "create_batch": lambda: sp.create_batch({}),
    }
    with emulator.fault(vendor="stagepro", operation=operation, status=status, times=1):
        assert_error(calls[operation](), status, code)
    assert calls[operation]().status_code != status


@pytest.mark.emulator_only
def test_rate_limit_rule_sends_retry_after(sp: StageProClient, emulator: EmulatorControl):
    with emulator.fault(vendor="stagepro", operation="*", action="rate_limit", retry_after=7):
        response = sp.capabilities()
    assert_error(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "7"
