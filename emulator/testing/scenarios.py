"""Scenario files: a vendor walkthrough as data (fixtures/scenarios/*.json), run over real HTTP.

    {"title": "...", "vendor": "virtualstaging-art", "api_key": "demo-key",
     "steps": [
       {"say": "upload", "method": "POST", "path": "/api/image/upload",
        "file": {"field": "file", "path": "rooms/living-room-1600x1200.jpg"},
        "expect": 200, "save": {"image_url": "url"}},
       {"say": "render", "method": "POST", "path": "/api/image/render/request",
        "json": {"image_url": "{image_url}", "room_type": "living", "style": "modern"},
        "expect": 200, "expect_json": {"status": "rendering"}},
       {"advance": 30},
       {"say": "fetch the result", "fetch": "{render_url}", "expect_image": [1600, 1200]}]}

Paths are under the vendor's slug; `{name}` is replaced by what an earlier step saved (`save`
maps a name to a dotted path in the answer, e.g. `items.0.id`); file paths are relative to the
fixtures folder. `run_scenario` asserts every expectation and returns the transcript.

A step may also name another `vendor` (and `api_key`) than the scenario's, e.g. to put a photo on
the emulator through an upload endpoint for a vendor that takes only URLs; set JSON fields to a
fixture file's data URL (`"data_url": {"input_image_url": "rooms/office-640x480.png"}`); send
`form` as multipart/form-data without a file (`"multipart": true`, as `curl -F` does); check a
base64 image inside the answer (`"expect_base64_image": {"info.images.0.data": [768, 432]}`) or
that a fetched file is a video of that frame size (`"expect_video": [1280, 720]`, read with PyAV).
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..core.renders import image_size
from ..vendors import vendor_classes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass
class Exchange:
    say: str
    method: str
    url: str
    status: int
    body: Any
    request: Any = None
    files: dict[str, str] = field(default_factory=dict)


class ScenarioFailed(AssertionError):
    pass


def scenario_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or FIXTURES / "scenarios").glob("*.json"))


def _dig(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _fill(value: Any, saved: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"{(\w+)}", value)
        if whole and whole.group(1) in saved:
            return saved[whole.group(1)]
        return re.sub(r"{(\w+)}", lambda m: str(saved.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_fill(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, saved) for k, v in value.items()}
    return value


def auth_headers(vendor: str, api_key: str) -> dict[str, str]:
    for cls in vendor_classes():
        if cls.slug == vendor:
            return {cls.auth_header: f"{cls.auth_scheme} {api_key}".strip()}
    raise ScenarioFailed(f"unknown vendor {vendor!r}")


def run_scenario(emulator: Any, path: Path, fixtures: Path = FIXTURES) -> list[Exchange]:
    """Run one scenario file against `emulator` (an EmulatorServer or RunningEmulator)."""
    scenario = json.loads(path.read_text(encoding="utf-8"))
    vendor, root = scenario["vendor"], emulator.url
    headers = auth_headers(vendor, scenario["api_key"])
    saved: dict[str, Any] = {}
    transcript: list[Exchange] = []
    with httpx.Client(timeout=60, trust_env=False) as http:
        for step in scenario["steps"]:
            if "advance" in step:
                emulator.advance(step["advance"])
                continue
            step = _fill(step, saved)
            if "fetch" in step:
                response = http.get(step["fetch"])
                body: Any = (
                    f"<{response.headers.get('content-type')}, {len(response.content)} bytes>"
                )
                exchange = Exchange(
                    step.get("say", "fetch"), "GET", step["fetch"], response.status_code, body
                )
                _expect(step, exchange, response)
                transcript.append(exchange)
                continue
            step_vendor = step.get("vendor", vendor)
            url = f"{root}/{step_vendor}{step['path']}"
            if "data_url" in step:
                step["json"] = {**step.get("json", {}), **_data_urls(step["data_url"], fixtures)}
            files = None
            if "file" in step:
                file_path = fixtures / step["file"]["path"]
                kind = CONTENT_TYPES.get(file_path.suffix.lstrip("."), "application/octet-stream")
                files = {step["file"]["field"]: (file_path.name, file_path.read_bytes(), kind)}
            form = step.get("form")
            if step.get("multipart") and form:  # text fields as multipart/form-data, as curl -F
                files = {**(files or {}), **{k: (None, v) for k, v in form.items()}}
                form = None
            response = http.request(
                step["method"],
                url,
                headers=(
                    auth_headers(step_vendor, step.get("api_key", scenario["api_key"]))
                    if "vendor" in step or "api_key" in step
                    else headers
                ),
                json=step.get("json"),
                data=form,
                files=files,
                params=step.get("query"),
            )
            try:
                body = response.json() if response.content else None
            except ValueError:
                body = response.text
            exchange = Exchange(
                step.get("say", step["path"]),
                step["method"],
                str(response.request.url),
                response.status_code,
                body,
                request=step.get("json") or step.get("form"),
                files={step["file"]["field"]: step["file"]["path"]} if "file" in step else {},
            )
            _expect(step, exchange, response)
            for name, dotted in step.get("save", {}).items():
                saved[name] = _dig(body, dotted)
            transcript.append(exchange)
    return transcript


def _expect(step: dict[str, Any], exchange: Exchange, response: httpx.Response) -> None:
    where = f"{exchange.say} ({exchange.method} {exchange.url})"
    if response.status_code != step.get("expect", 200):
        raise ScenarioFailed(f"{where}: status {response.status_code}: {response.text[:500]}")
    for dotted, wanted in step.get("expect_json", {}).items():
        got = _dig(exchange.body, dotted)
        if got != wanted:
            raise ScenarioFailed(f"{where}: {dotted} is {got!r}, expected {wanted!r}")
    if "expect_image" in step:
        size = image_size(response.content)
        if size != tuple(step["expect_image"]):
            raise ScenarioFailed(f"{where}: image size {size}, expected {step['expect_image']}")
    for dotted, wanted in step.get("expect_base64_image", {}).items():
        size = image_size(base64.b64decode(_dig(exchange.body, dotted), validate=True))
        if size != tuple(wanted):
            raise ScenarioFailed(f"{where}: {dotted} is an image of {size}, expected {wanted}")
    if "expect_video" in step:
        size = video_size(response.content)
        if size != tuple(step["expect_video"]):
            raise ScenarioFailed(f"{where}: video size {size}, expected {step['expect_video']}")


def _data_urls(fields: dict[str, str], fixtures: Path) -> dict[str, str]:
    """Each field's fixture file as a base64 data URL."""
    urls = {}
    for name, relative in fields.items():
        path = fixtures / relative
        kind = CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
        urls[name] = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
    return urls


def video_size(data: bytes) -> tuple[int, int] | None:
    """Frame size of a video's first decoded frame (None when it holds no decodable video)."""
    import av  # only scenarios with videos need it

    try:
        with av.open(io.BytesIO(data)) as container:
            frame = next(container.decode(video=0))
    except (av.FFmpegError, StopIteration, IndexError):
        return None
    return frame.width, frame.height
