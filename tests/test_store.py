from __future__ import annotations

import sqlite3

import pytest
from pydantic import BaseModel

from emulator.core.store import Collection, Store


@pytest.fixture
def store():
    s = Store()
    yield s
    s.close()


def test_put_get_delete_round_trip(store: Store) -> None:
    store.put("thing", "a", {"n": 1, "nested": {"x": [1, 2]}}, "acc1")
    assert store.get("thing", "a") == {"n": 1, "nested": {"x": [1, 2]}}
    assert store.get("thing", "missing") is None
    assert store.get("other-kind", "a") is None  # kinds are separate namespaces
    assert store.delete("thing", "a") is True
    assert store.delete("thing", "a") is False
    assert store.get("thing", "a") is None


def test_put_again_replaces_body_but_keeps_position(store: Store) -> None:
    store.put("thing", "a", {"v": 1}, "acc")
    store.put("thing", "b", {"v": 2}, "acc")
    store.put("thing", "a", {"v": 3}, "acc")
    assert store.list("thing") == [{"v": 3}, {"v": 2}]


def test_list_by_account_and_ref_in_insertion_order(store: Store) -> None:
    store.put("job", "1", {"id": 1}, "acc1", ref="g1")
    store.put("job", "2", {"id": 2}, "acc2", ref="g1")
    store.put("job", "3", {"id": 3}, "acc1", ref="g2")
    store.put("job", "4", {"id": 4}, "acc1", ref="g1")
    store.put("other", "5", {"id": 5}, "acc1", ref="g1")
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(store.list("job")) == [1, 2, 3, 4]
    assert ids(store.list("job", account="acc1")) == [1, 3, 4]
    assert ids(store.list("job", ref="g1")) == [1, 2, 4]
    assert ids(store.list("job", account="acc1", ref="g1")) == [1, 4]
    assert ids(store.list("job", account="acc1", newest_first=True)) == [4, 3, 1]
    assert store.list("job", account="nobody") == []


def test_reset_one_account_leaves_the_others(store: Store) -> None:
    for acc in ("acc1", "acc2"):
        store.put("job", f"j-{acc}", {"a": acc}, acc)
        store.put_blob(f"b-{acc}", b"bytes", acc)
        store.add_timer(10.0, "t", f"j-{acc}", acc)
    store.put("fault", "f", {}, None)
    store.next_counter("ids")

    store.reset("acc1")

    assert store.get("job", "j-acc1") is None and store.get_blob("b-acc1") is None
    assert store.get("job", "j-acc2") == {"a": "acc2"} and store.get_blob("b-acc2") == b"bytes"
    assert store.pending_timers() == 1
    assert store.next_timer(100.0).target == "j-acc2"
    assert store.get("fault", "f") == {}  # not owned by an account
    assert store.next_counter("ids") == 2  # counters survive a per-account reset


def test_reset_all_clears_everything_including_counters(store: Store) -> None:
    store.put("job", "j", {}, "acc1")
    store.put("fault", "f", {}, None)
    store.put_blob("b", b"x", "acc1")
    store.add_timer(1.0, "t", "j", "acc1")
    store.set_meta("clock:manual", "5")
    store.next_counter("ids")

    store.reset()

    assert store.list("job") == [] and store.list("fault") == []
    assert store.get_blob("b") is None
    assert store.pending_timers() == 0 and store.next_due() is None
    assert store.get_meta("clock:manual") is None
    assert store.next_counter("ids") == 1


def test_blobs_round_trip_bytes(store: Store) -> None:
    data = bytes(range(256)) * 10
    store.put_blob("img", data, "acc")
    assert store.get_blob("img") == data
    store.put_blob("img", b"new", "acc")
    assert store.get_blob("img") == b"new"
    assert store.get_blob("nope") is None


def test_timers_come_out_by_due_time_then_insertion(store: Store) -> None:
    store.add_timer(5.0, "k", "five", None)
    store.add_timer(3.0, "k", "three-first", None)
    store.add_timer(3.0, "k", "three-second", None)
    store.add_timer(1.0, "k", "one", None)
    assert store.pending_timers() == 4
    assert store.next_due() == 1.0
    assert store.next_timer(until=0.5) is None

    order = []
    while (timer := store.next_timer(until=4.0)) is not None:
        order.append(timer.target)
        store.remove_timer(timer.seq)
    assert order == ["one", "three-first", "three-second"]
    assert store.pending_timers() == 1 and store.next_due() == 5.0
    timer = store.next_timer(until=5.0)  # due exactly at the bound counts
    assert timer is not None and (timer.due, timer.kind, timer.target) == (5.0, "k", "five")


def test_meta_and_counters(store: Store) -> None:
    assert store.get_meta("x") is None
    assert store.get_meta("x", "dflt") == "dflt"
    store.set_meta("x", "1")
    store.set_meta("x", "2")
    assert store.get_meta("x") == "2"
    assert [store.next_counter("a") for _ in range(3)] == [1, 2, 3]
    assert store.next_counter("b") == 1  # counters are independent


def test_transaction_rollback_leaves_nothing(store: Store) -> None:
    store.put("job", "kept", {"v": 1}, "acc")
    with pytest.raises(RuntimeError), store.transaction():
        store.put("job", "kept", {"v": 2}, "acc")
        store.put("job", "new", {}, "acc")
        store.put_blob("blob", b"x", "acc")
        store.add_timer(1.0, "k", "new", "acc")
        store.next_counter("ids")
        raise RuntimeError("boom")
    assert store.get("job", "kept") == {"v": 1}
    assert store.get("job", "new") is None
    assert store.get_blob("blob") is None
    assert store.pending_timers() == 0
    assert store.next_counter("ids") == 1


def test_transaction_commits_on_success(store: Store) -> None:
    with store.transaction():
        store.put("job", "a", {}, "acc")
        store.put_blob("b", b"x", "acc")
    assert store.get("job", "a") == {} and store.get_blob("b") == b"x"


def test_file_store_survives_reopening(tmp_path) -> None:
    path = str(tmp_path / "sub" / "state.db")  # missing parent folders are created
    store = Store(path)
    store.put("job", "a", {"v": 1}, "acc", ref="g")
    store.put_blob("b", b"\x00bytes", "acc")
    store.add_timer(42.0, "k", "a", "acc")
    assert [store.next_counter("ids") for _ in range(3)] == [1, 2, 3]
    store.close()

    again = Store(path)
    try:
        assert again.get("job", "a") == {"v": 1}
        assert again.list("job", account="acc", ref="g") == [{"v": 1}]
        assert again.get_blob("b") == b"\x00bytes"
        assert again.next_due() == 42.0
        assert again.next_counter("ids") == 4
    finally:
        again.close()


class Item(BaseModel):
    id: str
    n: int = 0


def test_collection_saves_and_validates_models(store: Store) -> None:
    items = Collection(store, "item", Item)
    items.save(Item(id="x", n=1), "acc", ref="r")
    items.save(Item(id="y", n=2), "acc")
    assert items.get("x") == Item(id="x", n=1)
    assert items.get("zzz") is None
    assert [i.id for i in items.list("acc", newest_first=True)] == ["y", "x"]
    assert [i.id for i in items.list(ref="r")] == ["x"]
    assert items.delete("x") and items.get("x") is None


def test_nested_transactions_commit_or_roll_back_as_one(store: Store) -> None:
    with store.transaction():
        store.put("job", "outer", {}, "acc")
        with store.transaction():
            store.put("job", "inner", {}, "acc")
    assert len(store.list("job")) == 2

    with pytest.raises(RuntimeError), store.transaction():
        store.put("job", "outer2", {}, "acc")
        with store.transaction():
            store.put("job", "inner2", {}, "acc")
        raise RuntimeError("outer fails after the inner block finished")
    assert store.get("job", "outer2") is None and store.get("job", "inner2") is None


def test_a_failed_inner_transaction_leaves_nothing_half_written(store: Store) -> None:
    with store.transaction():
        store.put("job", "outer", {}, "acc")
        try:
            with store.transaction():
                store.put_blob("blob", b"x", "acc")
                raise RuntimeError("the doc that should go with the blob was never written")
        except RuntimeError:
            pass
    assert store.get("job", "outer") == {}
    assert store.get_blob("blob") is None


def _filled(store: Store) -> Store:
    store.now = lambda: 500.0
    store.put("thing", "b", {"v": 1}, "acc1", ref="r")
    store.put("thing", "a", {"v": 2}, None)
    store.put_blob("blob1", b"\x89PNG...", "acc1")
    store.add_timer(20.0, "job.finish", "b", "acc1")
    store.add_timer(10.0, "job.finish", "a", None)
    store.next_counter("ids")
    return store


def test_dump_then_load_restores_everything_in_order(store: Store) -> None:
    dump = _filled(store).dump()
    assert [(d.kind, d.id, d.account, d.ref) for d in dump.documents] == [
        ("thing", "b", "acc1", "r"),
        ("thing", "a", None, None),
    ]
    assert [t.target for t in dump.timers] == ["a", "b"]  # in the order they fall due
    assert dump.blobs[0].data == b"\x89PNG..." and dump.meta["counter:ids"] == "1"

    other = Store()
    other.now = lambda: 900.0
    other.put("thing", "gone", {}, "acc2")
    other.load(dump)
    assert other.dump() == dump
    assert other.list("thing") == [{"v": 1}, {"v": 2}] and other.get("thing", "gone") is None
    assert other.latest_time() == 500.0  # as in the dump, not when it was loaded
    assert other.next_timer(100.0).target == "a"  # type: ignore[union-attr]
    other.close()


def test_a_dump_that_does_not_fit_changes_nothing(store: Store) -> None:
    dump = _filled(store).dump()
    dump.documents.append(dump.documents[0])  # the same (kind, id) twice
    other = Store()
    other.put("thing", "kept", {"v": 0}, "acc2")
    before = other.dump()
    with pytest.raises(sqlite3.IntegrityError):
        other.load(dump)
    assert other.dump() == before
    other.close()


def test_changes_move_with_every_write_and_list_takes_a_limit(store: Store) -> None:
    before = store.changes()
    for n in range(5):
        store.put("thing", str(n), {"n": n}, "acc")
    assert store.changes() == before + 5
    assert store.list("thing", newest_first=True, limit=2) == [{"n": 4}, {"n": 3}]
    store.delete("thing", "0")
    assert store.changes() == before + 6
