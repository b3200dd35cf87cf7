from __future__ import annotations

import re
import uuid

from emulator.core.ids import IdFactory
from emulator.core.store import Store


def take(ids: IdFactory, n: int = 5) -> list[str]:
    return [ids.uuid() for _ in range(n)]


def test_seeded_ids_repeat_across_two_stores() -> None:
    assert take(IdFactory(Store(), seed=42)) == take(IdFactory(Store(), seed=42))


def test_seeded_ids_differ_across_seeds_and_within_a_run() -> None:
    a, b = take(IdFactory(Store(), seed=1)), take(IdFactory(Store(), seed=2))
    assert set(a).isdisjoint(b)
    assert len(set(a)) == len(a)


def test_seeded_ids_are_valid_uuid4() -> None:
    for value in take(IdFactory(Store(), seed=3)):
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and str(parsed) == value


def test_unseeded_ids_are_random() -> None:
    assert take(IdFactory(Store())) != take(IdFactory(Store()))


def test_seeded_ids_continue_after_reopening_a_file_store(tmp_path) -> None:
    expected = take(IdFactory(Store(), seed=9), 6)
    path = str(tmp_path / "state.db")
    store = Store(path)
    first = take(IdFactory(store, seed=9), 3)
    store.close()
    store = Store(path)
    second = take(IdFactory(store, seed=9), 3)
    store.close()
    assert first + second == expected  # continues, never repeats


def test_hex_and_prefixed_shapes() -> None:
    ids = IdFactory(Store(), seed=5)
    assert re.fullmatch(r"[0-9a-f]{32}", ids.hex())
    assert re.fullmatch(r"[0-9a-f]{8}", ids.hex(8))
    assert re.fullmatch(r"job_[0-9a-f]{24}", ids.prefixed("job_"))


def test_rng_is_repeatable_per_seed_and_parts() -> None:
    ids = IdFactory(Store(), seed=7)

    def draw(factory: IdFactory, *parts: object) -> list[float]:
        rng = factory.rng(*parts)
        return [rng.random() for _ in range(3)]

    assert draw(ids, "job", "x") == draw(ids, "job", "x")
    assert draw(ids, "job", "x") == draw(IdFactory(Store(), seed=7), "job", "x")
    assert draw(ids, "job", "x") != draw(ids, "job", "y")
    assert draw(ids, "job", "x") != draw(IdFactory(Store(), seed=8), "job", "x")
    before = ids.store.get_meta("counter:ids")
    draw(ids, "job", "z")
    assert ids.store.get_meta("counter:ids") == before  # rng does not use up ids
