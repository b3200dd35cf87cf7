"""Render time per operation at 1920x1080: `emulator.core.renders.render`, in-process.

    .venv/bin/python bench/renders.py
    .venv/bin/python bench/renders.py --grid docs/render-grid.png   # room types x styles, for the README

Each operation is drawn over a 1920x1080 JPEG photo (decode, draw, label, encode as JPEG: what a
first fetch of a render costs), median of RUNS. `render_times()` returns the rows for `bench/run.py`.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.core import renders  # noqa: E402
from emulator.core.renders import Operation, RenderSpec  # noqa: E402

RUNS = 7
SIZE = (1920, 1080)

# what each operation is asked for (its own fields), so that the whole look is drawn
EXTRAS: dict[str, dict[str, Any]] = {
    "edit": {"prompt": "add a green velvet sofa and a floor lamp by the window"},
    "recolor": {"color": "#3366aa"},
    "sky_color": {"color": "#ff8844"},
    "remodel": {"room_type": "kitchen"},
}
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("dusk (night)", {"operation": "dusk", "sky": "night"}),
    ("recolor (cabinets)", {"operation": "recolor", "color": "#2e7d32", "target": "cabinets"}),
]


def photo(size: tuple[int, int] = SIZE) -> bytes:
    buf = io.BytesIO()
    renders.synthetic_room("bench photo", size).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def render_times(size: tuple[int, int] = SIZE, runs: int = RUNS) -> list[tuple[str, float, float]]:
    """(operation, median wall-clock ms, median CPU ms) for every operation, drawn over a photo of
    `size`. CPU time is the steadier figure on a busy machine (other processes do not count)."""
    source = photo(size)
    cases = [(op, {"operation": op, **EXTRAS.get(op, {})}) for op in get_args(Operation)]
    rows = []
    for name, fields in [*cases, *VARIANTS]:
        spec = RenderSpec(
            vendor="Bench", room_type="living", style="industrial", source_key="bench"
        ).model_copy(update=fields)
        wall, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            renders.render(spec, source)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        rows.append((name, statistics.median(wall), statistics.median(cpu)))
    return rows


def main() -> None:
    if "--grid" in sys.argv:
        path = Path(sys.argv[sys.argv.index("--grid") + 1])
        print(f"{path}: {render_grid(path) // 1024} KB")
        return
    print(f"render time per operation at {SIZE[0]}x{SIZE[1]} (JPEG in and out), median of {RUNS}")
    print("| operation | wall ms | CPU ms |\n|---|---:|---:|")
    for name, wall, cpu in render_times():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


GRID_ROOMS = [
    "living", "bedroom", "kitchen", "dining", "home office", "bathroom", "kids room", "patio",
    "home gym", "boardroom",
]  # fmt: skip
GRID_STYLES = [
    "modern", "scandinavian", "industrial", "luxury", "farmhouse", "coastal", "bohemian",
    "minimalist",
]  # fmt: skip


def render_grid(path: Path, cell: tuple[int, int] = (240, 160)) -> int:
    """A PNG grid of staged renders, room types down and styles across, with headings; returns
    its size in bytes. Each cell is drawn at 3x and shrunk, as a thumbnail would be."""
    from PIL import Image, ImageDraw, ImageFont

    cw, ch = cell
    head_w, head_h = 130, 30
    grid = Image.new(
        "RGB", (head_w + cw * len(GRID_STYLES), head_h + ch * len(GRID_ROOMS)), "white"
    )
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=15)
    for col, style in enumerate(GRID_STYLES):
        draw.text((head_w + col * cw + 8, 8), style, fill=(20, 20, 20), font=font)
    for row, room in enumerate(GRID_ROOMS):
        draw.text((8, head_h + row * ch + ch // 2 - 8), room, fill=(20, 20, 20), font=font)
        for col, style in enumerate(GRID_STYLES):
            spec = RenderSpec(
                vendor="staging-emulator", room_type=room, style=style, source_key=f"grid {row}"
            )
            data, _ = renders.render(spec, photo((cw * 3, ch * 3)))
            with Image.open(io.BytesIO(data)) as img:
                tile = img.convert("RGB").resize(cell, Image.Resampling.LANCZOS)
            grid.paste(tile, (head_w + col * cw, head_h + row * ch))
    path.parent.mkdir(parents=True, exist_ok=True)
    grid.quantize(colors=192, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


if __name__ == "__main__":
    main()
