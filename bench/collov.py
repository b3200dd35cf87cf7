"""Collov's virtual tour: the time to encode a 1080p landscape tour of three listing photos, and its
size on disk, in-process (`emulator.core.video.render`, the code the /_media route runs in a worker
thread on first fetch). Photos: three 1536x1024 JPEG rooms, as Collov's results are; the spec is the
one `POST /vgs/task` plans (12 fps, 2.5 s per photo, intro, agent details, music).

    .venv/bin/python bench/collov.py     # or from bench/run.py: bench_tour()
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.core import renders, video  # noqa: E402
from emulator.vendors.collov import proposed  # noqa: E402

RUNS = 3


def tour_spec(photos: int = 3) -> video.SlideshowSpec:
    width, height = proposed.TOUR_SIZES[("1080p", "Landscape")]
    return video.SlideshowSpec(
        width=width,
        height=height,
        fps=proposed.TOUR_FPS,
        seconds_per_photo=proposed.TOUR_SECONDS_PER_PHOTO,
        photo_media_ids=[None] * photos,
        photo_keys=[f"bench-room-{i}" for i in range(photos)],
        title="Just listed: 12 Oak Street",
        details=["Jane Agent", "+1 555 0100", "jane@example.com"],
        tag=proposed.TOUR_TAG,
        music="Embrace",
    )


def bench_tour(runs: int = RUNS) -> dict[str, float]:
    """Median seconds to encode the tour (wall clock, and CPU summed over the encoder's threads,
    which a busy machine inflates less), its bytes, seconds of video, and the process's peak RSS
    (MiB) after encoding."""
    spec = tour_spec()
    photos = [renders.encode(renders.synthetic_room(key), "JPEG") for key in spec.photo_keys]
    times, cpu, size = [], [], 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = len(video.render(spec, photos))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "seconds": statistics.median(times),
        "cpu_seconds": statistics.median(cpu),
        "bytes": size,
        "video_seconds": spec.duration,
        "frames": spec.frame_count,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    result = bench_tour()
    print(
        f"(e) Collov tour, 1080p landscape, 3 photos, {result['frames']} frames "
        f"({result['video_seconds']:.1f} s of video): encoded in {result['seconds']:.2f} s "
        f"({result['cpu_seconds']:.2f} s CPU; median of {RUNS}), "
        f"{result['bytes'] / 1024:.0f} KiB on disk, "
        f"peak RSS {result['peak_rss_mib']:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
