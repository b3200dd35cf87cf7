"""Where Collov's docs and the client code are silent: every choice the emulator makes, in one place
([PROPOSED] in notes.md unless marked [EMULATOR]: a choice of this emulator alone). Each is listed in
the README's Collov section; change one here and the behaviour follows.
"""

from __future__ import annotations

from typing import Any

from ...core.jobs import Timing

# The envelope `{"code", "success", "message", "data"}` (notes 1.2): `code` is 200 on success,
# else the error's status. Business errors (bad input, unknown ids, the regeneration cap, credits)
# are answered with HTTP 200 and `success: false`; every other error with its own HTTP status (401
# refused key, 403 blocked account, 404/405 unknown path or method, 413, 429 limits, 5xx).
SUCCESS_MESSAGE = "success"
BUSINESS_STATUSES = frozenset({400, 402})

# Status words, upper-case (clients upper-case before comparing [CLIENT]).
PENDING, SUCCESS, FAILED = "PENDING", "SUCCESS", "FAILED"

# Limits [DOC] "10 requests/sec", "2 active tasks"; how each is reported is proposed.
RATE_LIMIT = 10  # requests per second per key, counted in real time
CONCURRENCY_LIMIT = 2  # active tasks per key, of any kind, on the emulator's clock
CONCURRENCY_MODE = "reject"  # or "queue": the task waits as PENDING until a slot frees
RATE_LIMITED = "Rate limit exceeded: at most {limit} requests per second; retry after {wait} s"
TOO_MANY_TASKS = (
    "Concurrency limit exceeded: at most {limit} active tasks per account ({active} active); "
    "retry when one finishes"
)
# [DOC] "up to 20 free calls" per source image; the series' first generation is not one of them.
MAX_REGENERATIONS = 20
REGENERATION_CAP = (
    "Regeneration limit reached: each source image gets {limit} regenerations; start a new series "
    "with generateImgOnCommon"
)
# Credits [EMULATOR]: Collov publishes no prices. Each task costs one credit, a regeneration none
# ("free calls"); the refusal says "credit", which clients look for [CLIENT].
TASK_CREDITS = 1
NO_CREDITS = "Insufficient credit balance: this task needs {cost} credit, {balance} left"

UNAUTHORIZED = "Unauthorized: missing or invalid apiKey header"
BLOCKED = "Forbidden: this API key has been disabled"
UNAVAILABLE = "Service busy, please try again later"
FAILURE = "Image generation failed, please try again"
NOT_FOUND = "{field}: no {what} with this {field} for this API key"

# Numeric ids of empty-room tasks start here ([EMULATOR]: the notes' example is 184467).
EMPTY_ROOM_ID_BASE = 184_466
# `createTime` as clients print it ("2025-09-01 12:00:00"), in UTC.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# `durationTime` in whole seconds from the request to the end, null while pending.
# `watermark` and `proMode` are booleans, always false.
WATERMARK, PRO_MODE = False, False

# Nominal seconds per task kind at speed 1 ("2-10 s is a reasonable default").
TIMINGS = {
    "design": Timing(queue=1.0, run=8.0),
    "empty_room": Timing(queue=1.0, run=6.0),
    "edit": Timing(queue=1.0, run=6.0),
    "tour": Timing(queue=1.0, run=10.0),
}
# Results are JPEGs of the source's size, the long edge capped here [EMULATOR].
MAX_LONG_EDGE = 2048
# The tour [EMULATOR]: its frame sizes per resolution and orientation, and its pace.
TOUR_SIZES = {
    ("1080p", "Landscape"): (1920, 1080),
    ("1080p", "Portrait"): (1080, 1920),
    ("1080p", "Square"): (1080, 1080),
    ("720p", "Landscape"): (1280, 720),
    ("720p", "Portrait"): (720, 1280),
    ("720p", "Square"): (720, 720),
}
TOUR_FPS = 12
TOUR_SECONDS_PER_PHOTO = 2.5
TOUR_TAG = "Collov virtual tour"


def default_prompt(room_type: str, style: str) -> str:
    """`data.prompt` when the client sent none: the room described in words."""
    article = "An" if style[:1].lower() in "aeiou" else "A"
    return f"{article} {style} style {room_type}"


def timing(kind: str, options: dict[str, Any]) -> Timing:
    """The timing of a task kind; vendor option `task_seconds` (a number, or one per kind) sets
    the run time."""
    base = TIMINGS[kind]
    seconds = options.get("task_seconds")
    if isinstance(seconds, dict):
        seconds = seconds.get(kind)
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        return base.model_copy(update={"run": float(seconds)})
    return base
