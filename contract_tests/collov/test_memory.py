"""A virtual tour of big photos within memory bounds: each photo is read from its header and decoded
inside the process-wide budget at the size its frames need, so a real `staging-emulator serve`
encoding tours of a 50 MP JPEG and a 16 MP PNG stays under 300 MB."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests import test_memory_bounds as bounds
from tests.test_memory_bounds import (
    bilevel_png,
)

from ..support import rss_stays_bounded
from .client import JOB_SECONDS, CollovClient, ok_data, probe_video, tour_body

pytestmark = pytest.mark.emulator_only
ART = {"Authorization": "Bearer sk_test_collov_memory"}


def _uploaded(http: httpx.Client, data: bytes, name: str) -> str:
    """A photo this emulator serves (kept through another vendor's upload): tours take URLs."""
    files = {"file": (name, data, "application/octet-stream")}
    answer = http.post("/virtualstaging-art/api/image/upload", files=files, headers=ART)
    assert answer.status_code == 200, answer.text
    return answer.json()["url"]


def test_server_rss_stays_bounded_through_tours_of_big_photos(serve: tuple[str, int]) -> None:
    url, pid = serve
    with rss_stays_bounded(pid), httpx.Client(base_url=url, trust_env=False, timeout=300) as http:
        photos = [
            _uploaded(http, bounds._big_gradient("JPEG", (8660, 5770)), "big.jpg"),
            _uploaded(http, bilevel_png(4000, 4000), "mask.png"),
        ]
        images = [{"imageUrl": photo, "width": 1920, "height": 1080} for photo in photos]
        tasks = []
        for n in range(2):
            collov = CollovClient(http, f"{url}/collov", f"sk_collov_memory_{n}")
            body = tour_body(images=images, resolution="1080p", intro="Big photos")
            tasks.append((collov, ok_data(collov.tour(body))["taskId"]))
        advanced = http.post("/_emulator/clock/advance", json={"seconds": JOB_SECONDS})
        assert advanced.status_code == 200, advanced.text
        infos = [collov.video_info_ok(task_id) for collov, task_id in tasks]
        fetches = [
            (collov, info["videoUrl"], "video/mp4")
            for (collov, _), info in zip(tasks, infos, strict=True)
        ]
        fetches += [
            (collov, info["coverUrl"], "image/jpeg")
            for (collov, _), info in zip(tasks, infos, strict=True)
        ]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda f: f[0].fetch(f[1], f[2]), fetches))
        assert probe_video(got[0])["size"] == (1920, 1080)
