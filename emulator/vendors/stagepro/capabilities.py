"""What StagePro offers, in one place: job types, the 23 listing tools, workflow templates, styles,
room types, options, plans, credit prices, limits and timings.

Tags: [DOC] docs.txt; [PROPOSED] notes.md 2.2 (nothing public says); [EMULATOR] a choice of this
emulator where even the notes are silent (each listed in the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.jobs import Timing

JOB_TYPES = ("empty-room", "virtual-stage", "interior-design", "edit", "listing-tool")  # [DOC]

# [DOC] the slugs; [PROPOSED] display names; [EMULATOR] credit prices
LISTING_TOOLS: dict[str, tuple[str, int]] = {
    "add-furniture": ("Add Furniture", 2),
    "ai-furniture-background": ("AI Furniture Background", 2),
    "furniture-eraser": ("Furniture Eraser", 1),
    "room-declutter": ("Room Declutter", 1),
    "material-overlay": ("Material Overlay", 1),
    "fireplace-ignition": ("Fireplace Ignition", 1),
    "tv-screen-replacement": ("TV Screen Replacement", 1),
    "refrigerator-cleanup": ("Refrigerator Cleanup", 1),
    "landscape-design": ("Landscape Design", 2),
    "lawn-replacement": ("Lawn Replacement", 1),
    "changing-seasons": ("Changing Seasons", 1),
    "sky-enhancement": ("Sky Enhancement", 1),
    "rain-to-shine": ("Rain to Shine", 1),
    "driveway-leaf-removal": ("Driveway Leaf Removal", 1),
    "driveway-car-removal": ("Driveway Car Removal", 1),
    "add-water-to-empty-pool": ("Add Water to Empty Pool", 1),
    "pool-water-enhancement": ("Pool Water Enhancement", 1),
    "natural-twilight": ("Natural Twilight", 1),
    "virtual-twilight": ("Virtual Twilight", 1),
    "night-to-day": ("Night to Day", 1),
    "ai-floorplan-visualizer": ("AI Floorplan Visualizer", 2),
    "social-media-poster": ("Social Media Poster", 1),
    "sketch-to-render": ("Sketch to Render", 2),
}
# [DOC] "Furniture Try-On and Magic Editor are app-only (interactive UI)"; [PROPOSED] slugs
APP_ONLY_TOOLS = {"furniture-try-on": "Furniture Try-On", "magic-editor": "Magic Editor"}


@dataclass(frozen=True)
class Look:
    """[EMULATOR] how a job's placeholder shows what was asked: a core.renders operation, and for
    some the sky it paints or the words written on it (tools with no drawing of their own)."""

    operation: str
    sky: str | None = None
    prompt: str | None = None


# [EMULATOR] every listing tool's look, fitting its name
TOOL_LOOKS: dict[str, Look] = {
    "add-furniture": Look("stage"),
    "ai-furniture-background": Look("stage"),
    "furniture-eraser": Look("empty"),
    "room-declutter": Look("declutter"),
    "material-overlay": Look("recolor", prompt="New wall material"),
    "fireplace-ignition": Look("enhance", prompt="Fireplace lit"),
    "tv-screen-replacement": Look("enhance", prompt="TV screen replaced"),
    "refrigerator-cleanup": Look("declutter", prompt="Refrigerator cleared"),
    "landscape-design": Look("landscape"),
    "lawn-replacement": Look("landscape", prompt="New lawn"),
    "changing-seasons": Look("landscape", prompt="Season changed to summer"),
    "sky-enhancement": Look("sky", sky="sunny"),
    "rain-to-shine": Look("sky", sky="sunny", prompt="Rain to shine"),
    "driveway-leaf-removal": Look("declutter", prompt="Leaves removed from the driveway"),
    "driveway-car-removal": Look("declutter", prompt="Cars removed from the driveway"),
    "add-water-to-empty-pool": Look("enhance", prompt="Pool filled with water"),
    "pool-water-enhancement": Look("enhance", prompt="Pool water cleared"),
    "natural-twilight": Look("twilight", sky="dusk"),
    "virtual-twilight": Look("twilight", sky="twilight"),
    "night-to-day": Look("sky", sky="day"),
    "ai-floorplan-visualizer": Look("sketch"),
    "social-media-poster": Look("enhance", prompt="Social media poster"),
    "sketch-to-render": Look("sketch"),
}
JOB_LOOKS = {
    "empty-room": Look("empty"),
    "virtual-stage": Look("stage"),
    "interior-design": Look("remodel"),
    "edit": Look("edit"),
}

# [DOC] the six templates; [PROPOSED] the job each expands to (type, listing tool)
WORKFLOW_TEMPLATES: dict[str, tuple[str, str | None]] = {
    "mls-virtual-stage": ("virtual-stage", None),
    "mls-room-declutter": ("listing-tool", "room-declutter"),
    "mls-furniture-clear": ("empty-room", None),
    "mls-exterior-twilight": ("listing-tool", "virtual-twilight"),
    "mls-sky-enhance": ("listing-tool", "sky-enhancement"),
    "mls-interior-design": ("interior-design", None),
}

# [PROPOSED] lists (only "modern" and "living-room" appear in the docs)
STYLES = (
    "modern",
    "contemporary",
    "scandinavian",
    "minimalist",
    "industrial",
    "mid-century-modern",
    "farmhouse",
    "coastal",
    "bohemian",
    "traditional",
    "transitional",
    "luxury",
    "japandi",
    "rustic",
)
ROOM_TYPES = (
    "living-room",
    "bedroom",
    "kitchen",
    "dining-room",
    "bathroom",
    "home-office",
    "kids-room",
    "nursery",
    "family-room",
    "basement",
    "entryway",
    "patio",
)
CREATIVITY = {"min": 1, "max": 5, "default": 3}  # [PROPOSED]
# [PROPOSED] aspect ratios; [EMULATOR] output long edge 1536 px, "original" keeps the photo's shape
ASPECT_RATIOS: dict[str, tuple[int, int] | None] = {
    "original": None,
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:2": (3, 2),
    "16:9": (16, 9),
    "9:16": (9, 16),
}
OUTPUT_LONG_EDGE = 1536

# [EMULATOR] credits per job; listing tools cost what LISTING_TOOLS says
JOB_CREDITS = {"empty-room": 1, "virtual-stage": 2, "interior-design": 2, "edit": 1}

# [DOC] "2-20 parallel jobs"; [PROPOSED] default plan "pro" with 5; [EMULATOR] the other plans
PLANS = {"starter": 2, "pro": 5, "business": 10, "enterprise": 20}
DEFAULT_PLAN = "pro"
MAX_CONCURRENCY = 20

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # [PROPOSED] "10-20 MB": the upper bound
MAX_PIXELS = 50_000_000  # [EMULATOR] an upload or a cropped source of at most 50 megapixels
UPLOAD_TTL = 24 * 3600.0  # [DOC] uploads expire after 24 hours
SESSION_TTL = 24 * 3600.0  # [DOC] agent sessions: 24h TTL
STORAGE_LIMIT_BYTES = 5 * 1024**3  # [PROPOSED] usage example: 5 GiB
LOW_STORAGE_BYTES = 256 * 1024  # [EMULATOR] API key word `low-storage`
MAX_BATCH_PHOTOS = 100  # [PROPOSED]
RATE_LIMIT_PER_MINUTE = 120  # [PROPOSED] per API key, enforced [EMULATOR] (api.count_request)
MAX_RATE_LIMIT_PER_MINUTE = 100_000  # [EMULATOR] the most a meter may set (bounds its memory)

# [DOC] "Typical jobs complete in 10-30 seconds": nominal seconds at speed 1 (+-20 % jitter)
TIMINGS = {
    "empty-room": Timing(queue=1.0, run=15.0),
    "virtual-stage": Timing(queue=1.0, run=20.0),
    "interior-design": Timing(queue=1.0, run=22.0),
    "edit": Timing(queue=1.0, run=16.0),
    "listing-tool": Timing(queue=1.0, run=12.0),
}
TEST_TIMING = Timing(queue=0.2, run=1.8, jitter=0.1)  # [PROPOSED] sk_test_: "about 2 s"


def job_credits(job_type: str, listing_tool: str | None) -> int:
    if job_type == "listing-tool":
        return LISTING_TOOLS[listing_tool or ""][1]
    return JOB_CREDITS[job_type]


def capabilities() -> dict[str, Any]:
    """GET /capabilities [PROPOSED shape] (answers.Capabilities)."""
    return {
        "job_types": list(JOB_TYPES),
        "listing_tools": [
            {"slug": slug, "name": name, "credits": credits}
            for slug, (name, credits) in LISTING_TOOLS.items()
        ],
        "workflow_templates": [
            {"template": name, "job_type": job_type, "listing_tool": tool}
            for name, (job_type, tool) in WORKFLOW_TEMPLATES.items()
        ],
        "styles": list(STYLES),
        "room_types": list(ROOM_TYPES),
        "options": {"creativity": dict(CREATIVITY), "aspect_ratio": list(ASPECT_RATIOS)},
        "credits": dict(JOB_CREDITS),
        "app_only": list(APP_ONLY_TOOLS),
    }
