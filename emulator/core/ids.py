"""Ids and jitter: random by default, repeatable with a seed.

With a seed, the n-th id of a run is the same every run; the counter lives in the store, so a
restart with a persistent store continues the sequence instead of repeating ids.
"""

from __future__ import annotations

import hashlib
import random
import uuid

from .store import Store


class IdFactory:
    def __init__(self, store: Store, seed: int | None = None) -> None:
        self.store, self.seed = store, seed

    def uuid(self) -> str:
        if self.seed is None:
            return str(uuid.uuid4())
        n = self.store.next_counter("ids")
        digest = hashlib.sha256(f"{self.seed}:{n}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def hex(self, length: int = 32) -> str:
        return self.uuid().replace("-", "")[:length]

    def prefixed(self, prefix: str, length: int = 24) -> str:
        return f"{prefix}{self.hex(length)}"

    def rng(self, *parts: object) -> random.Random:
        """A generator seeded from the run seed and the given parts (a job id, say)."""
        key = ":".join([str(self.seed), *map(str, parts)])
        return random.Random(hashlib.sha256(key.encode()).digest())
