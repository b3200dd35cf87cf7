"""No input makes the server allocate memory in proportion to what an image declares (issue 9,
item 1), uploads must decode as what they claim (item 9), media are served `nosniff`.

The attack files are the issue's: a 629-byte truncated JPEG declaring 13000x13000, a ~20 KB valid
1-bit PNG of 13000x13000 and a 108-byte HEIC declaring 30000x30000. The last test runs them, one at
a time and in parallel, against a real `staging-emulator serve` process and reads its peak RSS.
"""

from __future__ import annotations

import base64
import concurrent.futures
import io
import os
import re
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from emulator.app import EmulatorApp
from emulator.core import images, renders
from emulator.core.images import ImageProblem, inspect_image, read_header
from emulator.core.renders import MAX_OUTPUT_PIXELS, RenderSpec, image_size, render
from emulator.settings import Settings
from emulator.vendors.virtualstagingai.api import DATA_URL_IMAGE_LIMIT

from .helpers import VSAI_RENDER, data_url, heic_bytes, image_bytes

RSS_LIMIT_KB = 300 * 1024
# Pillow warns about the attack files' declared sizes before our own (stricter) limit refuses them.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def truncated_jpeg(width: int = 13000, height: int = 13000, length: int = 629) -> bytes:
    """A real JPEG's first `length` bytes, its frame header rewritten to declare the size."""
    buf = io.BytesIO()
    Image.effect_noise((64, 64), 80).convert("RGB").save(buf, "JPEG", quality=95)
    data = bytearray(buf.getvalue())
    assert len(data) > length
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data[:length])


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bilevel_png(width: int = 13000, height: int = 13000) -> bytes:
    """A valid 1-bit PNG, written row by row (never the whole image in memory)."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def fake_heic(width: int = 30000, height: int = 30000) -> bytes:
    return heic_bytes(width, height) + b"\x00" * 20


@pytest.fixture(scope="module")
def attacks() -> dict[str, bytes]:
    return {"jpeg": truncated_jpeg(), "png": bilevel_png(), "heic": fake_heic()}


def test_the_attack_files_are_the_issues(attacks: dict[str, bytes]) -> None:
    assert len(attacks["jpeg"]) == 629 and image_size(attacks["jpeg"]) == (13000, 13000)
    assert len(attacks["png"]) < 25_000 and image_size(attacks["png"]) == (13000, 13000)
    assert len(attacks["heic"]) == 108 and image_size(attacks["heic"]) == (30000, 30000)


@pytest.mark.parametrize("name", ["jpeg", "png", "heic"])
def test_images_past_the_pixel_limit_are_refused_naming_their_size(
    attacks: dict[str, bytes], name: str
) -> None:
    with pytest.raises(ImageProblem, match=r"x\d+ pixels; \w+ images may have at most \d+ mega"):
        inspect_image(attacks[name])


def test_pixel_limits_per_format() -> None:
    assert inspect_image(image_bytes(40, 30)).size == (40, 30)
    with pytest.raises(ImageProblem, match="16 megapixels"):
        inspect_image(bilevel_png(4001, 4000))
    assert inspect_image(bilevel_png(4000, 4000)).size == (4000, 4000)
    assert inspect_image(heic_bytes(8000, 6000)).size == (8000, 6000)  # 48 MP: an iPhone photo
    with pytest.raises(ImageProblem, match="50 megapixels"):
        inspect_image(heic_bytes(8000, 6251))


def _html_after(prefix: bytes) -> bytes:
    return prefix + b"<html><script>alert(document.cookie)</script></html>" * 20


@pytest.mark.parametrize(
    "data",
    [
        _html_after(b"\xff\xd8\xff\xe0"),  # JPEG magic bytes, then HTML
        _html_after(image_bytes(64, 48)[:400]),  # a real JPEG's headers, then HTML
        _html_after(image_bytes(64, 48, "PNG")[:60]),
        _html_after(b"RIFF\x00\x10\x00\x00WEBPVP8 "),
        truncated_jpeg(800, 600),  # within the limit but cut short
        image_bytes(640, 480, "PNG")[:-40],
        b"<html>not an image</html>",
        b"",
    ],
)
def test_bytes_that_do_not_decode_as_they_claim_are_refused(data: bytes) -> None:
    with pytest.raises(ImageProblem):
        inspect_image(data)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_real_images_pass_with_their_type_and_size(fmt: str) -> None:
    info = inspect_image(image_bytes(320, 200, fmt))
    assert (info.content_type, info.size) == (f"image/{fmt.lower()}", (320, 200))


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"])
def test_pngs_of_every_colour_type_pass_the_streamed_check(mode: str) -> None:
    buf = io.BytesIO()
    Image.new(mode, (37, 23)).save(buf, "PNG")
    assert inspect_image(buf.getvalue()).size == (37, 23)


@pytest.mark.parametrize("size", [(1, 1), (5, 3), (37, 23), (8, 9)])
def test_an_interlaced_png_passes_when_pillow_decodes_it(size: tuple[int, int]) -> None:
    header = struct.pack(">IIBBBBB", *size, 8, 2, 0, 0, 1)  # RGB, Adam7
    raw = b"\x00" * images._png_raw_size(header)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )
    Image.open(io.BytesIO(data)).load()  # the reference decoder agrees on the size
    assert inspect_image(data).size == size
    with pytest.raises(ImageProblem):
        inspect_image(
            data.replace(
                _chunk(b"IDAT", zlib.compress(raw)), _chunk(b"IDAT", zlib.compress(raw + b"\x00"))
            )
        )


def test_heic_is_accepted_only_as_a_well_formed_container() -> None:
    good = heic_bytes(4032, 3024)
    assert inspect_image(good).size == (4032, 3024)
    ftyp, meta = good[:24], good[24:56]
    malformed = {
        "cut short": good[:40],
        "box past the end": ftyp + b"\x00\x00\x01\x00meta" + meta[8:],
        "no meta": ftyp + b"\x00\x00\x00\x10free" + b"\x00" * 8,
        "ftyp not first": meta + ftyp,
        "empty ispe": heic_bytes(0, 3024),
        "two metas": ftyp + meta + meta,
    }
    for why, data in malformed.items():
        with pytest.raises(ImageProblem, match=r"HEIC|HEIF|not a JPEG"):
            inspect_image(data)
        assert image_size(data) is None, why


def spec(**kw: object) -> RenderSpec:
    return RenderSpec(vendor="Test", room_type="living", style="modern", source_key="k", **kw)


@pytest.mark.parametrize("name", ["jpeg", "png", "heic"])
def test_renders_work_at_the_output_size_never_the_declared_one(
    attacks: dict[str, bytes], name: str
) -> None:
    data, size = render(spec(max_long_edge=1024), attacks[name])
    assert size == (1024, 1024) and image_size(data) == size
    assert Image.open(io.BytesIO(renders.thumbnail(attacks[name]))).size == (400, 400)


def test_without_a_bound_from_the_vendor_renders_stop_at_the_output_limit() -> None:
    assert renders.output_size((13000, 13000), spec()) == (2660, 2660)
    assert renders.output_size((8000, 6000), spec()) == (3072, 2304)
    assert renders.output_size((400, 300), spec()) == (400, 300)
    for declared in ((65535, 1), (1, 10**9), (50_000, 1000)):
        width, height = renders.output_size(declared, spec())
        assert 1 <= width * height <= MAX_OUTPUT_PIXELS


def test_a_jpeg_is_decoded_at_a_reduced_scale() -> None:
    source = Image.linear_gradient("L").resize((4000, 3000))
    buf = io.BytesIO()
    source.save(buf, "JPEG")
    img = images.decode_at(buf.getvalue(), (400, 300))
    assert img is not None and img.size == (400, 300) and img.mode == "RGB"
    header = read_header(buf.getvalue())
    assert images.decode_cost(header, (400, 300)) < 4000 * 3000  # drafted: not 4 bytes a pixel


def test_work_past_the_budget_runs_alone() -> None:
    budget = images.WorkBudget(100)
    inside, most = 0, 0
    lock = threading.Lock()

    def work(cost: int) -> None:
        nonlocal inside, most
        with budget.hold(cost):
            with lock:
                inside += cost
                most = max(most, inside)
            time.sleep(0.01)
            with lock:
                inside -= cost

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(work, [60, 60, 500, 30, 30, 30, 60, 10]))
    assert most <= 500 and budget.used == 0
    assert most != 60 + 60


# a real server process


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """`staging-emulator serve` as its own process: (base URL, pid)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    command = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--store", "memory"]
    command += ["--clock", "manual", "--log-level", "warning"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 15
        while (match := re.search(rb"on (http://127\.0\.0\.1:\d+)", b"".join(output))) is None:
            assert proc.poll() is None and time.monotonic() < deadline, b"".join(output)
            time.sleep(0.02)
        url = match.group(1).decode()
        while True:
            try:
                httpx.get(f"{url}/_emulator/health", trust_env=False, timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, b"".join(output)
                time.sleep(0.02)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


class RssSampler:
    """Samples a process's resident set every 10 ms while in the `with` block."""

    def __init__(self, pid: int) -> None:
        self.pid, self.start_kb, self.peak_kb = pid, _kb(pid, "VmRSS"), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _kb(self.pid, "VmRSS"))
            time.sleep(0.01)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, _kb(self.pid, "VmRSS"))


ART = {"Authorization": "Bearer sk_test_memory"}
VSAI = {"Authorization": "Api-Key memory"}
STAGE = VSAI_RENDER["config"]


def _big_gradient(fmt: str, size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.linear_gradient("L").resize(size).save(buf, fmt)
    return buf.getvalue()


def test_server_rss_stays_bounded_through_every_image_attack(
    server: tuple[str, int], attacks: dict[str, bytes]
) -> None:
    url, pid = server
    rss = RssSampler(pid).__enter__()
    http = httpx.Client(base_url=url, trust_env=False, timeout=60)

    def art_upload(data: bytes) -> httpx.Response:
        files = {"file": ("photo.jpg", data, "image/jpeg")}
        return http.post("/virtualstaging-art/api/image/upload", files=files, headers=ART)

    def vsai_render(data: bytes, content_type: str = "image/jpeg") -> httpx.Response:
        body = {"config": STAGE, "image_url": data_url(data, content_type)}
        return http.post("/virtualstagingai/v2/renders", json=body, headers=VSAI)

    try:
        # one at a time, through every door: refused with each vendor's 400
        for name, data in attacks.items():
            refused = art_upload(data)
            assert refused.status_code == 400, refused.text
            assert "megapixels" in refused.json()["error"], refused.text
            refused = vsai_render(data)
            assert refused.status_code == 400, refused.text
            assert refused.json()["message"].startswith("image_url: image is "), refused.text
            files = {"file": (f"a.{name}", data, "application/octet-stream")}
            form = {"room_type": "living", "style": "modern"}
            refused = http.post(
                "/virtualstagingai/v1/render/create", data=form, files=files, headers=VSAI
            )
            assert refused.status_code == 400 and "file: " in refused.text, refused.text
        html = art_upload(_html_after(b"\xff\xd8\xff\xe0"))
        assert html.status_code == 400 and "does not decode" in html.json()["error"], html.text

        # data URLs that declare sizes within the limit but do not decode: refused
        for broken in (truncated_jpeg(8000, 6000), bilevel_png(4000, 4000)[:200]):
            refused = vsai_render(broken)
            assert refused.status_code == 400 and "not" in refused.json()["message"], refused.text
        # many in parallel, with renders the server must draw: 16 MP PNGs
        big_png = _big_gradient("PNG", (4000, 4000))
        accepted = [vsai_render(big_png, "image/png") for _ in range(2)]
        for response in accepted:
            assert response.status_code == 200, response.text
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            floods = [pool.submit(art_upload, data) for data in attacks.values() for _ in range(4)]
            floods += [
                pool.submit(vsai_render, data) for data in attacks.values() for _ in range(2)
            ]
            assert {f.result().status_code for f in floods} == {400}
        advanced = http.post("/_emulator/clock/advance", json={"seconds": 600})
        assert advanced.status_code == 200, advanced.text
        results = []
        for response in accepted:
            render_id = response.json()["id"]
            path = f"/virtualstagingai/v2/renders/{render_id}?include_variations=true"
            view = http.get(path, headers=VSAI).json()
            [variation] = view["variations"]["items"]
            assert variation["status"] == "done", variation
            results += [variation["result"][k] for k in ("url", "optimized_url", "thumbnail_url")]
        with concurrent.futures.ThreadPoolExecutor(9) as pool:
            fetched = list(pool.map(lambda u: httpx.get(u, trust_env=False, timeout=60), results))
        for response in fetched:
            assert response.status_code == 200
            assert response.headers["x-content-type-options"] == "nosniff"
        sizes = [image_size(r.content) for r in fetched]
        assert sizes[0] == (2660, 2660)  # 16 MP square: the output-pixel bound
        for size in sizes:
            assert size is not None and size[0] * size[1] <= MAX_OUTPUT_PIXELS
    finally:
        rss.__exit__()
        http.close()
    peak_kb = _kb(pid, "VmHWM")
    print(
        f"\nserver RSS: {rss.start_kb // 1024} MB at start, peak sampled {rss.peak_kb // 1024} MB,"
        f" VmHWM {peak_kb // 1024} MB, {_kb(pid, 'VmRSS') // 1024} MB after"
    )
    assert peak_kb < RSS_LIMIT_KB


def test_a_45_mb_data_url_is_refused_without_the_server_holding_it(
    server: tuple[str, int],
) -> None:
    url, pid = server
    chunk = base64.b64encode(b"\x00" * (3 << 18))  # 1 MiB of base64

    def body() -> Iterator[bytes]:
        yield b'{"config": {"type": "staging", "add_furniture": {"room_type": "living"}}, '
        yield b'"image_url": "data:image/jpeg;base64,'
        yield from (chunk for _ in range(45))
        yield b'"}'

    with httpx.Client(trust_env=False, timeout=30) as http, RssSampler(pid) as rss:
        try:
            response = http.post(
                f"{url}/virtualstagingai/v2/renders",
                content=body(),
                headers=VSAI | {"Content-Type": "application/json"},
            )
        except httpx.TransportError:  # the server may close before the client stops writing
            response = None
    if response is not None:
        assert response.status_code == 413, response.text
        assert response.json()["message"].startswith("Payload too large: an image in a data URL")
    grown_mb = (rss.peak_kb - rss.start_kb) // 1024
    assert grown_mb < 45, f"the server grew by {grown_mb} MB"


async def test_a_data_url_is_refused_while_the_body_streams_in() -> None:
    """Fed over raw ASGI, 1 MiB at a time: the 413 goes out after ~20 of the 45 chunks."""
    app = EmulatorApp(Settings(store="memory", clock="manual", seed=1))
    chunk = base64.b64encode(b"\x00" * (3 << 18))
    chunks = [b'{"config": {}, "image_url": "data:image/jpeg;base64,', *[chunk] * 45, b'"}']
    consumed = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal consumed
        if consumed == len(chunks):
            return {"type": "http.disconnect"}
        consumed += 1
        return {
            "type": "http.request",
            "body": chunks[consumed - 1],
            "more_body": consumed < len(chunks),
        }

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/virtualstagingai/v2/renders",
        "raw_path": b"/virtualstagingai/v2/renders",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"t"), (b"authorization", b"Api-Key memory")],
        "server": ("t", 80),
        "client": ("127.0.0.1", 5000),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    limit_chunks = DATA_URL_IMAGE_LIMIT * 4 // 3 // len(chunk)
    assert limit_chunks <= consumed <= limit_chunks + 2, consumed


def _app_client() -> httpx.AsyncClient:
    app = EmulatorApp(Settings(store="memory", clock="manual", seed=1))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_data_url_past_the_limit_in_a_small_body_is_413() -> None:
    jpeg = image_bytes(64, 48)
    padded = jpeg + b"\x00" * (DATA_URL_IMAGE_LIMIT + 1 - len(jpeg))
    async with _app_client() as http:
        body = {"config": STAGE, "image_url": data_url(padded)}
        response = await http.post("/virtualstagingai/v2/renders", json=body, headers=VSAI)
    assert response.status_code == 413
    assert "at most 15 MB" in response.json()["message"]


async def test_failed_jobs_list_no_output_urls() -> None:
    async with _app_client() as http:
        for image in ("https://example.com/emulator-fail.jpg", "https://example.com/ok.jpg"):
            body = {"image_url": image, "room_type": "bed", "style": "modern"}
            accepted = await http.post(
                "/virtualstaging-art/api/image/render/request", json=body, headers=ART
            )
            assert accepted.status_code == 200, accepted.text
        await http.post("/_emulator/clock/advance", json={"seconds": 600})
        jobs = (await http.get("/_emulator/jobs")).json()
    by_state = {job["state"]: job for job in jobs}
    assert by_state["failed"]["output_urls"] == []
    assert len(by_state["succeeded"]["output_urls"]) >= 1
