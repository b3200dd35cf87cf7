"""The pytest plugin, used the way a client project uses it: one full example test per vendor
(these are the README's examples), and its options."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
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


def test_decor8_ai_example(staging_emulator, staging_account) -> None:
    account = staging_account("decor8", credits=3)
    with httpx.Client(base_url=account.base_url, headers=account.headers, timeout=30) as api:
        # synchronous, as at Decor8: the answer comes once the designs exist
        answer = api.post(
            "/generate_designs",
            files={"input_image": ("room.jpg", PHOTO.read_bytes(), "image/jpeg")},
            data={"room_type": "livingroom", "design_style": "minimalist", "num_images": "2"},
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["error"] == "" and body["message"] == "Successfully generated designs."
    first, second = body["info"]["images"]
    assert (first["width"], first["height"]) == (768, 576)  # long edge 768, the photo's shape
    assert image_size(base64.b64decode(first["data"])) == (768, 576)
    assert image_size(httpx.get(second["url"]).content) == (768, 576)
    [account_now] = staging_emulator.client.accounts("decor8")
    assert account_now.credits == 1  # one credit per image


class ChallengeEchoingReceiver(ThreadingHTTPServer):
    """A webhook receiver that records every POST and answers StagePro's verification
    challenge with `{"challenge": "<the same>"}`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                answer = {"challenge": json.loads(body).get("challenge")}
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/stagepro"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_stagepro_example(staging_emulator, staging_account) -> None:
    account = staging_account("stagepro", api_key=f"sk_live_{uuid.uuid4().hex}")
    receiver = ChallengeEchoingReceiver()
    with httpx.Client(base_url=account.base_url, headers=account.headers) as api:
        endpoint = api.post("/webhooks", json={"url": receiver.url}).json()
        staging_emulator.advance(0)  # the signed challenge goes out, the receiver echoes it
        assert api.get("/webhooks").json()["data"][0]["status"] == "active"

        upload = api.post("/uploads", files={"file": ("room.jpg", PHOTO.read_bytes())})
        assert upload.status_code == 201
        job = api.post(
            "/jobs",
            json={
                "type": "virtual-stage",
                "input": {
                    "upload_id": upload.json()["upload_id"],
                    "room_type": "living-room",
                    "style": "modern",
                },
                "webhook_endpoint_id": endpoint["id"],
            },
        )
        assert job.status_code == 202 and job.json()["status"] == "queued"

        staging_emulator.advance(30)  # done within 10-30 s

        challenge, event = receiver.requests
        assert json.loads(challenge["body"])["type"] == "webhook.verification"
        signature = hmac.new(endpoint["secret"].encode(), event["body"], hashlib.sha256)
        assert event["headers"]["X-StagePro-Signature"] == signature.hexdigest()
        payload = json.loads(event["body"])
        assert payload["type"] == "job.completed"
        assert payload["data"]["job"]["id"] == job.json()["id"]
        done = api.get(f"/jobs/{job.json()['id']}").json()
        assert done["status"] == "completed" and done["credits_charged"] == 2
    receiver.shutdown()
    staged = httpx.get(done["output"]["image_url"])
    assert image_size(staged.content) == (1536, 1152)  # long edge 1536, the photo's shape


def test_collov_example(staging_emulator, staging_account) -> None:
    account = staging_account("collov")
    photo = "https://photos.example.com/listing-42/living.jpg"  # never fetched: a room is drawn

    def form(**fields: str) -> dict:  # multipart/form-data text fields, as Collov documents
        return {name: (None, value) for name, value in fields.items()}

    with httpx.Client(base_url=account.base_url, headers=account.headers) as api:
        staging = api.post(
            "/vst/generateImgOnCommon",
            files=form(uploadUrl=photo, roomType="living room", style="modern"),
        ).json()
        assert staging["success"] is True
        tour = api.post(
            "/vgs/task",
            files=form(
                images=json.dumps([{"imageUrl": photo}]),
                resolution="720p",
                orientation="Portrait",
                music="Waterfall",
            ),
        ).json()
        assert tour["success"] is True

        staging_emulator.advance(30)

        record = api.get("/vst/getRecord", params={"uuid": staging["data"]["uuid"]}).json()
        assert record["data"]["status"] == "SUCCESS"
        info = api.get("/vgs/loadVideoInfo", params={"taskId": tour["data"]["taskId"]}).json()
        assert info["data"]["status"] == "SUCCESS"
    staged = httpx.get(record["data"]["aiGenerateRecord"]["generateUrl"])
    assert staged.headers["content-type"] == "image/jpeg"
    video = httpx.get(info["data"]["videoUrl"], timeout=60)
    assert video.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(video.content)) as mp4:
        assert [s.type for s in mp4.streams] == ["video", "audio"]  # music: an AAC track
        frames = list(mp4.decode(video=0))
    assert (frames[0].width, frames[0].height) == (720, 1280)
    assert len(frames) == info["data"]["videoDuration"] * 12  # 12 fps


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
