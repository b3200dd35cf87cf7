"""The pytest plugin, used the way a client project uses it: one full example test per vendor
(these are the README's examples), and its options."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from emulator.core.renders import image_size
from emulator.testing import EmulatorServer
from emulator.testing.scenarios import FIXTURES

from .helpers import Receiver

PHOTO = FIXTURES / "rooms" / "living-room-1600x1200.jpg"


def test_virtual_staging_art_example(staging_emulator, staging_account) -> None:
    account = staging_account("virtualstaging-art", credits=5)
    with httpx.Client(base_url=account.base_url, headers=account.headers) as api:
        upload = api.post("/image/upload", files={"file": ("room.jpg", PHOTO.read_bytes())})
        image_url = upload.json()["url"]
        render = api.post(
            "/image/render/request",
            json={"image_url": image_url, "room_type": "living", "style": "modern"},
        )
        assert render.status_code == 200
        upload_id = render.json()["upload_id"]

        staging_emulator.advance("30s")  # the render is done: no sleeping

        status = api.post("/image/check-status", json={"upload_id": upload_id})
        assert status.json() == {"status": "done"}
    [job] = staging_emulator.jobs("virtualstaging-art", api_key=account.api_key)
    result = httpx.get(job.output_urls[0])
    assert image_size(result.content) == (1600, 1200)
    [account_now] = staging_emulator.client.accounts("virtualstaging-art")
    assert account_now.credits == 4


def test_virtual_staging_ai_example(staging_emulator, staging_account) -> None:
    account = staging_account("virtualstagingai")
    with (
        Receiver() as receiver,
        httpx.Client(base_url=account.base_url, headers=account.headers) as api,
    ):
        assert api.post("/user/webhook-secret", json={"webhook_secret": "s3cret"}).is_success
        render = api.post(
            "/renders",
            json={
                "image_url": "https://example.com/room.jpg",
                "config": {
                    "type": "staging",
                    "add_furniture": {"room_type": "living", "style": "modern"},
                },
                "webhook_url": receiver.url,
            },
        ).json()

        staging_emulator.advance(60)

        [webhook] = receiver.requests
        signature = hmac.new(b"s3cret", webhook["body"], hashlib.sha256).hexdigest()
        assert webhook["headers"]["X-Signature"] == signature
        assert json.loads(webhook["body"])["render_id"] == render["id"]
        done = api.get(f"/renders/{render['id']}", params={"include_variations": "true"}).json()
        assert done["variations"]["items"][0]["status"] == "done"


def test_each_test_starts_from_a_reset_emulator(staging_emulator) -> None:
    assert staging_emulator.jobs() == [] and staging_emulator.client.accounts() == []
    assert staging_emulator.client.clock().now_iso == "2026-01-01T00:00:00+00:00"


def test_options_point_the_fixture_at_a_running_emulator(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(
        "from emulator.testing import RunningEmulator\n"
        "def test_uses_it(staging_emulator, staging_account):\n"
        "    assert isinstance(staging_emulator, RunningEmulator)\n"
        "    account = staging_account('virtualstagingai', credits=3)\n"
        "    assert account.headers == {'authorization': f'Api-Key {account.api_key}'}\n"
        "    assert account.base_url.endswith('/virtualstagingai/v2')\n"
    )
    (tmp_path / "test_seeded.py").write_text("def test_seeded(staging_emulator):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    with EmulatorServer() as emu:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
                "test_inner.py",
                "--staging-emulator-url",
                emu.url,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert emu.client.accounts()[0].credits == 3  # the test ran against this emulator
