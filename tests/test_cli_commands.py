"""CLI subcommands against a running emulator: tables by default, JSON with --json."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from emulator.cli import main
from emulator.testing import EmulatorServer

from .helpers import Receiver, data_url, free_port, image_bytes

ART = "virtualstaging-art"
AUTH = {"Authorization": "Bearer cli-key"}


def cli(emu: EmulatorServer, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--url", emu.url]) == 0
    return capsys.readouterr().out


def _render(emu: EmulatorServer, callback: str | None = None) -> None:
    base = emu.base_url(ART)
    url = httpx.post(
        f"{base}/image/upload", json={"data_url": data_url(image_bytes())}, headers=AUTH
    ).json()["url"]
    body = {"image_url": url, "room_type": "living", "style": "modern"}
    if callback:
        body["callback_url"] = callback
    assert httpx.post(f"{base}/image/render/request", json=body, headers=AUTH).status_code == 200


def test_status_and_clock(emu: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(emu, capsys, "status")
    assert "ok" in out and "clock manual: 2026-01-01T00:00:00+00:00" in out
    assert emu.base_url(ART) in out
    assert json.loads(cli(emu, capsys, "status", "--json"))["vendors"][ART] == emu.base_url(ART)
    assert "advanced 90s" in cli(emu, capsys, "clock", "advance", "90s")
    assert "2026-01-01T00:01:30+00:00" in cli(emu, capsys, "clock")
    assert json.loads(cli(emu, capsys, "clock", "--json"))["now"] == 1767225690.0


def test_jobs_reset_and_requests(emu: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    _render(emu)
    table = cli(emu, capsys, "jobs")
    assert table.splitlines()[0].split() == [
        "ID",
        "VENDOR",
        "OPERATION",
        "STATE",
        "CREATED",
        "OUTPUTS",
    ]
    assert "stage" in table and "queued" in table
    [job] = json.loads(cli(emu, capsys, "jobs", "--json", "--vendor", ART))
    assert job["state"] == "queued"
    requests = cli(emu, capsys, "requests", "--vendor", ART)
    assert "upload_image" in requests and "request_render" in requests
    assert cli(emu, capsys, "requests", "count", "--operation", "request_render").strip() == "1"
    assert "off" in cli(emu, capsys, "requests", "off")
    assert "on" in cli(emu, capsys, "requests", "on")
    assert "cleared" in cli(emu, capsys, "requests", "clear")
    assert "reset " + job["account_id"] in cli(
        emu, capsys, "reset", "--vendor", ART, "--api-key", "cli-key"
    )
    assert json.loads(cli(emu, capsys, "jobs", "--json")) == []


def test_deliveries_delivery_resend_and_follow(
    emu: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with Receiver() as receiver:
        receiver.statuses = [500] * 5
        _render(emu, callback=receiver.url)
        cli(emu, capsys, "clock", "advance", "1h")
        [delivery] = json.loads(cli(emu, capsys, "deliveries", "--json"))
        assert delivery["state"] == "failed"
        shown = cli(emu, capsys, "delivery", delivery["id"])
        assert f"POST {receiver.url}" in shown and "attempt 5" in shown
        resent = cli(emu, capsys, "resend", delivery["id"])
        assert ": delivered" in resent and "attempt 6" in resent and ": 200" in resent
        followed = cli(emu, capsys, "deliveries", "--follow", "--for", "0", "--json")
        assert json.loads(followed.splitlines()[0])["state"] == "delivered"
        table = cli(emu, capsys, "deliveries", "--follow", "--for", "0")
        assert table.splitlines()[0].startswith("ID") and delivery["id"] in table


def test_faults(emu: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    added = cli(emu, capsys, "faults", "add", "--vendor", ART, "--operation", "me", "--json")
    rule = json.loads(added)["id"]
    assert rule in cli(emu, capsys, "faults")
    assert "removed" in cli(emu, capsys, "faults", "remove", rule)
    cli(emu, capsys, "faults", "add", "--vendor", ART, "--action", "fail_job")
    limited = cli(
        emu,
        capsys,
        "faults",
        "add",
        "--vendor",
        ART,
        "--action",
        "rate_limit",
        "--retry-after",
        "30",
        "--probability",
        "0.5",
        "--seed",
        "7",
        "--json",
    )
    limited = json.loads(limited)
    assert (limited["status"], limited["retry_after"]) == (429, 30)  # the action's own default
    assert (limited["probability"], limited["seed"]) == (0.5, 7)
    slow = json.loads(
        cli(
            emu,
            capsys,
            "faults",
            "add",
            "--vendor",
            ART,
            "--action",
            "latency",
            "--delay",
            "0.2",
            "--times",
            "1",
            "--json",
        )
    )
    assert (slow["action"], slow["delay"], slow["times"]) == ("latency", 0.2, 1)
    assert "cleared" in cli(emu, capsys, "faults", "clear")
    assert json.loads(cli(emu, capsys, "faults", "--json")) == []


def test_state_export_and_import(
    emu: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _render(emu)
    archive = tmp_path / "state.zip"
    assert "wrote" in cli(emu, capsys, "state", "export", str(archive))
    emu.reset()
    assert "imported" in cli(emu, capsys, "state", "import", str(archive))
    assert len(emu.jobs()) == 1


def test_errors_are_one_line(emu: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["delivery", "nope", "--url", emu.url]) == 1
    assert capsys.readouterr().err == "staging-emulator: delivery not found\n"
    assert main(["status", "--url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert capsys.readouterr().err.startswith("staging-emulator: no emulator answers at")
    with pytest.raises(SystemExit) as usage:
        main(["clock", "advance", "soon", "--url", emu.url])
    assert usage.value.code == 2
    assert "not a duration" in capsys.readouterr().err
