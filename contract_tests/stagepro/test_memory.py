"""Shaping big photos within memory bounds (issue 9, item 1): an aspect-ratio crop reads the
source's header and decodes it at the size the job draws at, inside the process-wide image budget,
so a real `staging-emulator serve` cropping 50 MP JPEGs and 16 MP PNGs, one at a time and in
parallel, stays under 300 MB."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests import test_memory_bounds as bounds
from tests.test_memory_bounds import bilevel_png

from ..support import decode_image, rss_stays_bounded
from .client import ASPECT_SIZES, JOB_SECONDS, StageProClient, job_body, make_key

pytestmark = pytest.mark.emulator_only


def _cropped_job(sp: StageProClient, data: bytes, name: str, aspect: str) -> str:
    upload = sp.upload(data, name, "application/octet-stream")
    assert upload.status_code == 201, upload.text
    body = job_body(upload_id=upload.json()["upload_id"], options={"aspect_ratio": aspect})
    del body["input"]["image_url"]
    created = sp.create_job(body)
    assert created.status_code == 202, created.text
    return created.json()["id"]


def test_server_rss_stays_bounded_cropping_big_photos(serve: tuple[str, int]) -> None:
    url, pid = serve
    photos = [
        (bounds._big_gradient("JPEG", (8660, 5770)), "big.jpg", "1:1"),  # 50 MP
        (bilevel_png(4000, 4000), "big.png", "16:9"),  # 16 MP
    ]
    with rss_stays_bounded(pid), httpx.Client(timeout=300, trust_env=False) as http:
        clients = [StageProClient(http, f"{url}/stagepro", make_key()) for _ in range(4)]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            jobs = list(
                pool.map(
                    lambda n: (clients[n], _cropped_job(clients[n], *photos[n % 2])),
                    range(4),
                )
            )
        advanced = http.post(f"{url}/_emulator/clock/advance", json={"seconds": JOB_SECONDS})
        assert advanced.status_code == 200, advanced.text
        for n, (sp, job_id) in enumerate(jobs):
            job = sp.job(job_id)
            assert job["status"] == "completed", job
            [image] = job["output"]["images"]
            picture = decode_image(http.get(image["url"]).content)
            assert picture.size == ASPECT_SIZES[photos[n % 2][2]]
