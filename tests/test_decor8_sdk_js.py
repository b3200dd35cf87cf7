"""The official JavaScript SDK `decor8ai@2.0.1` (npm) against the emulator, changed in nothing but
its base URL (notes 5): tests/js_sdk/run.js calls every method of its class; this test installs the
package into tests/js_sdk/node_modules (gitignored) the first time, runs the script on node and
checks every answer. Skipped, saying why, without node 18+ and npm, or when npm cannot install."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from emulator.testing import EmulatorServer

JS_DIR = Path(__file__).parent / "js_sdk"
SDK_VERSION = "2.0.1"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def _node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the JS SDK check needs node and npm on PATH (not found)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    major = int(version.stdout.strip().lstrip("v").split(".")[0] or 0)
    if major < 18:
        pytest.skip(f"decor8ai@{SDK_VERSION} needs node 18 or newer (found {version.stdout})")
    return node


def _installed_version() -> str | None:
    manifest = JS_DIR / "node_modules" / "decor8ai" / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text())["version"]


@pytest.fixture(scope="module")
def node() -> str:
    node = _node()
    if _installed_version() != SDK_VERSION:
        npm = shutil.which("npm")
        assert npm is not None
        try:
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--no-package-lock",
                 "--loglevel=error"],
                cwd=JS_DIR, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install decor8ai@{SDK_VERSION} took over 5 minutes")
        if done.returncode != 0 or _installed_version() != SDK_VERSION:
            pytest.skip(f"npm could not install decor8ai@{SDK_VERSION}: {done.stderr[-500:]}")
    return node


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emu:
        yield emu


def _jpeg(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (80, 120, 160)).save(buf, "JPEG")
    return buf.getvalue()


def _mask_data_url() -> str:
    mask = Image.new("L", (640, 480), 0)
    mask.paste(255, (0, 0, 320, 480))
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.fixture(scope="module")
def run(node: str, server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    photo = tmp_path_factory.mktemp("js") / "room.jpg"
    photo.write_bytes(_jpeg((640, 480)))
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env |= {"DECOR8AI_API_KEY": "js-sdk-key", "NO_PROXY": "127.0.0.1,localhost"}
    done = subprocess.run(
        [node, "run.js", server.base_url("decor8"), str(photo), _mask_data_url()],
        cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, f"run.js failed:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def _images(answer: dict[str, Any], count: int, size: tuple[int, int]) -> list[dict[str, Any]]:
    assert answer["error"] == "", answer
    images = answer["info"]["images"]
    assert len(images) == count, answer
    assert {(i["width"], i["height"]) for i in images} == {size}
    return images


def _fetched(url: str) -> Image.Image:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, url
    img = Image.open(io.BytesIO(response.content))
    img.load()
    return img


OUT = (768, 576)


def test_every_method_was_called(run: dict):
    assert run["missing"] == []
    assert len(run["methods"]) == 15  # notes 7: #1-#15 of the JS class


def test_designs(run: dict):
    r = run["results"]
    first, again = r["generateDesignsForRoom"]
    assert _fetched(_images(first, 2, (1536, 1152))[0]["url"]).size == (1536, 1152)
    assert isinstance(first["info"]["mask_info"], str)
    _images(again, 1, OUT)
    _images(r["generateInspirationalDesigns"][0], 3, (768, 512))
    from_buffer, from_path, from_url = r["generateDesigns"]
    for image in _images(from_buffer, 2, OUT):
        assert len(image["captions"]) == 2
        data = Image.open(io.BytesIO(base64.b64decode(image["data"])))
        assert data.size == OUT
    _images(from_path, 1, OUT)
    _images(from_url, 1, OUT)
    captions = r["generateImageCaptions"][0]
    assert captions["error"] == "" and len(captions["info"]["captions"]) == 2


def test_edits(run: dict):
    r = run["results"]
    for name in ("primeWallsForRoom", "primeTheRoomWalls", "changeWallColor",
                 "changeKitchenCabinetsColor", "remodelBathroom", "replaceSkyBehindHouse"):  # fmt: skip
        _images(r[name][0], 1, OUT)
    assert "data" in r["primeTheRoomWalls"][0]["info"]["images"][0]
    _images(r["remodelKitchen"][0], 2, (1536, 1152))
    _images(r["generateLandscapingDesigns"][0], 2, OUT)
    _images(r["sketchTo3dRender"][0], 2, OUT)
    for answer in r["removeObjectsFromRoom"]:
        assert answer["error"] == ""
        assert _fetched(answer["info"]["image"]["url"]).size == OUT
    by_three, by_default = r["upscaleImage"]
    for answer, size in ((by_three, (1920, 1440)), (by_default, (1280, 960))):
        img = Image.open(io.BytesIO(base64.b64decode(answer["info"]["upscaled_image"])))
        assert img.size == size


def test_errors_throw_with_the_body(run: dict):
    """axios throws on a non-2xx answer; the envelope rides on `error.response.data`."""
    error = run["errors"]["changeWallColor"]
    assert error["status"] == 400
    assert error["data"]["error"] == "InvalidParameter"
    assert error["data"]["message"].startswith("wall_color_hex_code")
