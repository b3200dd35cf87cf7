from __future__ import annotations

import pytest

from emulator.core.faults import FaultRule, Faults, magic_input
from emulator.core.ids import IdFactory
from emulator.core.store import Store


@pytest.mark.parametrize(
    ("texts", "fail", "unavailable", "slow"),
    [
        (("https://example.com/room.jpg",), False, False, False),
        (("https://example.com/emulator-fail.jpg",), True, False, False),
        (("https://EXAMPLE.com/EMULATOR-UNAVAILABLE/x.jpg",), False, True, False),
        (("note", None, "https://x/emulator-slow.png"), False, False, True),
        (("emulator-fail emulator-slow",), True, False, True),
        ((None,), False, False, False),
        ((), False, False, False),
    ],
)
def test_magic_input_words(texts, fail: bool, unavailable: bool, slow: bool) -> None:
    magic = magic_input(*texts)
    assert (magic.fail, magic.unavailable, magic.slow) == (fail, unavailable, slow)


def test_words_split_across_inputs_do_not_match() -> None:
    assert not magic_input("emulator", "fail").fail


def test_rule_with_times_is_used_that_many_times_then_removed() -> None:
    faults = _faults()
    faults.add(FaultRule(id="r1", vendor="v", operation="render", times=2, status=429))
    first = faults.take("v", "render", "error")
    assert first is not None and first.matched == 1 and first.status == 429
    assert [r.matched for r in faults.list()] == [1]
    second = faults.take("v", "render", "error")
    assert second is not None and second.matched == 2
    assert faults.list() == []
    assert faults.take("v", "render", "error") is None


def test_rule_without_times_is_unlimited() -> None:
    faults = _faults()
    faults.add(FaultRule(id="r", vendor="v"))
    for _ in range(5):
        assert faults.take("v", "anything", "error") is not None
    assert faults.list()[0].matched == 5


def test_rule_matches_vendor_operation_and_action() -> None:
    faults = _faults()
    faults.add(FaultRule(id="r", vendor="v", operation="render", action="fail_job"))
    assert faults.take("other", "render", "fail_job") is None
    assert faults.take("v", "status", "fail_job") is None
    assert faults.take("v", "render", "error") is None
    assert faults.take("v", "render", "fail_job") is not None


def test_star_operation_matches_any_operation() -> None:
    faults = _faults()
    faults.add(FaultRule(id="r", vendor="v", operation="*", times=3))
    assert faults.take("v", "upload", "error") is not None
    assert faults.take("v", "render", "error") is not None
    assert faults.take("v", "status", "error") is not None
    assert faults.take("v", "status", "error") is None


def test_first_matching_rule_wins_and_remove_clear() -> None:
    faults = _faults()
    a = faults.add(FaultRule(vendor="v", operation="render", status=500))
    b = faults.add(FaultRule(vendor="v", operation="*", status=503))
    assert faults.take("v", "render", "error").id == a.id
    assert faults.take("v", "upload", "error").id == b.id
    assert faults.remove(a.id) is True and faults.remove(a.id) is False
    assert faults.take("v", "render", "error").id == b.id
    faults.clear()
    assert faults.list() == []


def test_rule_validation() -> None:
    with pytest.raises(ValueError):
        FaultRule(vendor="v", status=200)
    with pytest.raises(ValueError):
        FaultRule(vendor="v", times=0)


def test_rules_added_without_an_id_do_not_overwrite_each_other() -> None:
    faults = _faults()
    faults.add(FaultRule(vendor="v", operation="upload"))
    faults.add(FaultRule(vendor="v", operation="render"))
    assert len(faults.list()) == 2


def _faults() -> Faults:
    store = Store()
    return Faults(store, IdFactory(store))


def test_a_rule_added_by_another_process_applies_to_the_next_request(tmp_path) -> None:
    path = str(tmp_path / "state.db")
    here_store, there_store = Store(path), Store(path)
    here, there = (
        Faults(here_store, IdFactory(here_store)),
        Faults(there_store, IdFactory(there_store)),
    )
    assert here.for_request("v", "render").rule is None
    there.add(FaultRule(vendor="v", operation="render", times=1))
    assert here.for_request("v", "render").rule is not None
    assert here.for_request("v", "render").rule is None  # used up, seen by both
    assert there.list() == []


def test_rules_of_other_vendors_operations_or_actions_leave_a_request_alone() -> None:
    faults = _faults()
    faults.add(FaultRule(vendor="other", operation="render"))
    faults.add(FaultRule(vendor="v", operation="status"))
    faults.add(FaultRule(vendor="v", operation="render", action="fail_job"))
    assert faults.for_request("v", "render").rule is None
    assert faults.take("v", ("render", "create"), "error") is None
    assert [r.seen for r in faults.list()] == [0, 0, 0]
