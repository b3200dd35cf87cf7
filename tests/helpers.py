"""Small builders shared by the engine tests: images, engines, a webhook receiver."""

from __future__ import annotations

import base64
import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from PIL import Image

from emulator.core.engine import Engine, EngineConfig

# A Virtual Staging AI render that answers at once, with its result
VSAI_RENDER = {
    "config": {"type": "staging", "add_furniture": {"room_type": "living", "style": "modern"}},
    "image_url": "https://example.com/room.jpg",
    "wait_for_completion": True,
}


def image_bytes(
    width: int = 64, height: int = 48, fmt: str = "JPEG", color=(180, 120, 90)
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, fmt)
    return buf.getvalue()


def data_url(data: bytes, content_type: str = "image/jpeg") -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def heic_bytes(width: int, height: int, brand: bytes = b"heic") -> bytes:
    """A minimal HEIF container: an `ftyp` box, then a `meta` box holding an `ispe` property."""
    ftyp = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1" + brand
    ispe = (20).to_bytes(4, "big") + b"ispe" + b"\x00\x00\x00\x00"
    ispe += width.to_bytes(4, "big") + height.to_bytes(4, "big")
    meta = (12 + len(ispe)).to_bytes(4, "big") + b"meta" + b"\x00\x00\x00\x00" + ispe
    return ftyp + meta + b"\x00" * 32


def manual_engine(seed: int | None = 1, store: str = ":memory:", **config: Any) -> Engine:
    return Engine(EngineConfig(clock="manual", seed=seed, store=store, **config))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class LocalServer:
    """A real HTTP server on 127.0.0.1, in a thread, answering with `handler`; `url` is /hook."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True  # closing never waits for a handler still answering
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class Receiver(LocalServer):
    """Records every POST and answers with scripted statuses (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        super().__init__(Handler)
