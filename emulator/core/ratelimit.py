"""Requests per second per key, counted in real time.

A rate limit is about the client's own pace, so it is counted on the machine's monotonic clock even
when the emulator runs a manual clock: a client that sends too fast is refused however the test
moves simulated time. The count is a sliding window: at most `limit` requests are accepted in any
window of `per` seconds; a refused request is not counted, so a client that backs off recovers.

State is bounded: each key keeps at most `limit` timestamps, and only the `max_keys` most recently
seen keys are kept (a forgotten key starts over, which only ever lets a request through).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        if max_keys < 1:
            raise ValueError("max_keys is at least 1")
        self._clock, self.max_keys = clock, max_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, per: float = 1.0) -> float | None:
        """Count a request of `key` against `limit` per `per` seconds: None when it is accepted,
        else the seconds until one would be (a refused request is not counted)."""
        if limit < 1 or per <= 0:
            raise ValueError("a rate limit is at least 1 request per positive period")
        now = self._clock()
        with self._lock:
            window = self._seen.pop(key, None)
            if window is None or window.maxlen != limit:
                window = deque(window or (), maxlen=limit)
            while window and window[0] <= now - per:
                window.popleft()
            self._seen[key] = window  # most recently seen last
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
            if len(window) < limit:
                window.append(now)
                return None
            return max(window[0] + per - now, 0.0)

    def forget(self, key: str | None = None) -> None:
        """Start over for one key, or for every key."""
        with self._lock:
            if key is None:
                self._seen.clear()
            else:
                self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)


def retry_after_header(seconds: float) -> str:
    """A `Retry-After` value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
