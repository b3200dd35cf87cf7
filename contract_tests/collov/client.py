"""A thin Collov client for the contract tests: one method per endpoint, raw `httpx.Response`s back
so each test asserts on statuses and bodies itself, plus the helpers the tests share (bodies, the
`{"code", "success", "message", "data"}` envelope, fetching and decoding results).

Tags as in notes.md: [DOC] docs.txt, [CLIENT] real client code, [PROPOSED] the emulator's reading.
"""

from __future__ import annotations

import io
import json
import time
from functools import partial
from typing import Any, Literal

import av
import httpx
from PIL import Image

from ..support import VendorClient, decode_image, unique_image_url, without_omitted

SLUG = "collov"
BASE = "/flair/enterpriseApi"  # [DOC]
HOST = "api.collov.ai"  # [DOC]

# The longest task on the emulator's clock: 1 s queue + 10 s run (+-20 %). Advancing this far
# finishes every task created so far that is not queued behind the concurrency limit.
JOB_SECONDS = 20

# The docs' enums, written out here rather than imported, so a change in the emulator's models is
# caught against the docs.
ROOM_TYPES = [
    "game room",
    "kitchen",
    "living room",
    "outdoor",
    "bedroom",
    "studio",
    "conference room",
    "home office",
    "home gym",
    "dining room",
    "laundry room",
    "bathroom",
    "spa room",
    "kids room",
    "open living and dining room",
]
STYLES = [
    "scandinavian",
    "luxury",
    "industrial",
    "coastal",
    "transitional",
    "farmhouse",
    "mid-century",
    "modern",
]
RESOLUTIONS = ["1080p", "720p"]
ORIENTATIONS = ["Landscape", "Portrait", "Square"]
FONTS = ["Oswald", "Amatic", "GreatVibes", "OpenSans", "Montserrat", "Playfair"]
MUSIC = ["Embrace", "Future_Design", "Waterfall", "Happy_Holiday", "Summer_Ukulele"]
FRAME_SIZES = {  # [PROPOSED] the tour's frame per resolution and orientation
    ("1080p", "Landscape"): (1920, 1080),
    ("1080p", "Portrait"): (1080, 1920),
    ("1080p", "Square"): (1080, 1080),
    ("720p", "Landscape"): (1280, 720),
    ("720p", "Portrait"): (720, 1280),
    ("720p", "Square"): (720, 720),
}

Encoding = Literal["multipart", "form", "json"]


# photo_url("kitchen"): an https image URL nobody else uses
photo_url = partial(unique_image_url, "collov-contract")


def staging_body(**fields: Any) -> dict[str, Any]:
    """A valid generateImgOnCommon body, `fields` added or replacing (OMIT leaves one out)."""
    body = {"uploadUrl": photo_url(), "roomType": "living room", "style": "modern"} | fields
    return without_omitted(body)


def tour_body(photos: int = 2, **fields: Any) -> dict[str, Any]:
    """A valid vgs/task body with `images` as a list (sent as a JSON string in a form)."""
    images = [{"imageUrl": photo_url(f"p{i}"), "width": 768, "height": 769} for i in range(photos)]
    body = {"images": images, "resolution": "720p", "orientation": "Landscape"} | fields
    return without_omitted(body)


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The `{"code", "success", "message", "data"}` body, asserting it is JSON (never HTML)."""
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), (
        f"{response.status_code} is {content_type!r}, not JSON: {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"code", "success", "message", "data"}, body
    assert isinstance(body["success"], bool) and isinstance(body["message"], str), body
    return body


def ok_data(response: httpx.Response) -> Any:
    """`data` of a success: HTTP 200, `success: true`, `code: 200`."""
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    body = envelope(response)
    assert body["success"] is True and body["code"] == 200, body
    return body["data"]


def refusal(response: httpx.Response, status: int, *mentions: str, http: int | None = None) -> str:
    """A refusal with envelope `code` `status` (HTTP `http`, by default 200 for the business
    statuses 400 and 402 [PROPOSED], else `status`) whose message mentions each word; returns it."""
    expected_http = http if http is not None else (200 if status in (400, 402) else status)
    assert response.status_code == expected_http, (
        f"expected HTTP {expected_http}, got {response.status_code}: {response.text[:500]}"
    )
    body = envelope(response)
    assert body["success"] is False and body["data"] is None, body
    assert body["code"] == status, body
    message = body["message"]
    assert message.strip(), "empty message"
    for word in mentions:
        assert word.lower() in message.lower(), f"message {message!r} does not mention {word!r}"
    return message


def probe_video(data: bytes) -> dict[str, Any]:
    """What a player sees in an MP4: codec, pixel format, size, decoded frames, seconds."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.width, stream.height),
            "frames": frames,
            "fps": float(stream.average_rate or 0),
            "duration": container.duration / 1e6,
            "audio": [s.codec_context.name for s in container.streams.audio],
        }


class CollovClient(VendorClient):
    """Paths are relative to `BASE`; the key goes as the header `apiKey` [DOC].

    `backoff`: retry a 429 after its Retry-After, as the one public client does [CLIENT] (for
    runs against the real vendor; on the emulator the tests turn the rate limit off instead)."""

    base = BASE
    auth_header, auth_scheme = "apiKey", ""

    def __init__(
        self,
        http: httpx.Client,
        root: str,
        api_key: str | None,
        encoding: Encoding = "multipart",
        backoff: bool = False,
    ) -> None:
        super().__init__(http, root, api_key)
        self.encoding, self.backoff = encoding, backoff

    def encoded(self, encoding: Encoding) -> CollovClient:
        return self._with(encoding=encoding)

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = kw.pop("headers", {})
        for attempt in range(6):
            response = super().request(method, path, headers=headers, **kw)
            if not (self.backoff and response.status_code == 429 and attempt < 5):
                return response
            time.sleep(min(30, float(response.headers.get("retry-after", 2**attempt))))
        return response

    def post(
        self, path: str, body: Any, encoding: Encoding | None = None, **kw: Any
    ) -> httpx.Response:
        """POST `body` (a dict) as multipart/form-data [DOC], url-encoded or JSON; lists and dicts
        travel as JSON text inside a form."""
        kind = encoding or self.encoding
        if kind == "json":
            return self.request("POST", path, json=body, **kw)
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        if kind == "form":
            return self.request("POST", path, data=fields, **kw)
        return self.request("POST", path, files={k: (None, v) for k, v in fields.items()}, **kw)

    # Virtual staging [DOC]

    def generate(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post("/vst/generateImgOnCommon", body, **kw)

    def generate_ok(self, **fields: Any) -> str:
        return ok_data(self.generate(staging_body(**fields)))["uuid"]

    def regenerate(self, uuid_: Any, **kw: Any) -> httpx.Response:
        return self.post("/vst/reGenerateImgOnCommon", {"uuid": uuid_}, **kw)

    def record(self, uuid_: Any) -> httpx.Response:
        return self.request("GET", "/vst/getRecord", params={"uuid": uuid_})

    def record_ok(self, uuid_: str) -> dict[str, Any]:
        return ok_data(self.record(uuid_))

    # Room clearing [DOC]

    def empty_room(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post("/vst/generateEmptyRoom", body, **kw)

    def empty_room_ok(self, upload_url: str | None = None) -> int:
        return ok_data(self.empty_room({"uploadUrl": upload_url or photo_url()}))["id"]

    def empty_room_record(self, **params: Any) -> httpx.Response:
        return self.request("GET", "/vst/getEmptyRoomRecord", params=params)

    # Photo chat editing [DOC], polled at /edit/getRecord [CLIENT]

    def edit(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post("/edit/generate", body, **kw)

    def edit_ok(self, prompt: str = "paint the walls sage green", **fields: Any) -> str:
        body = {"uploadUrl": photo_url(), "prompt": prompt} | fields
        return ok_data(self.edit(body))["uuid"]

    def edit_record(self, uuid_: Any) -> httpx.Response:
        return self.request("GET", "/edit/getRecord", params={"uuid": uuid_})

    # AI virtual tour [DOC]

    def tour(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post("/vgs/task", body, **kw)

    def tour_ok(self, **fields: Any) -> str:
        return ok_data(self.tour(tour_body(**fields)))["taskId"]

    def video_info(self, task_id: Any) -> httpx.Response:
        return self.request("GET", "/vgs/loadVideoInfo", params={"taskId": task_id})

    def video_info_ok(self, task_id: str) -> dict[str, Any]:
        return ok_data(self.video_info(task_id))

    # results

    def fetch(self, url: str, content_type: str) -> bytes:
        response = self.get_media(url)
        assert response.headers["content-type"] == content_type, response.headers
        assert int(response.headers["content-length"]) == len(response.content)
        return response.content

    def fetch_image(self, url: str) -> Image.Image:
        img = decode_image(self.fetch(url, "image/jpeg"))
        assert img.format == "JPEG"
        return img

    def fetch_video(self, url: str) -> dict[str, Any]:
        return probe_video(self.fetch(url, "video/mp4"))
