"""Deeply nested JSON (issue 9, item 4): a request body nested 10000 levels deep is StagePro's 400
naming the body, never a 500; a webhook receiver answering the challenge with it is not an echo."""

from __future__ import annotations

import pytest

from ..support import DEEP_JSON, EmulatorControl, deeply_nested_bodies, post_json_bytes
from .client import StageProClient, assert_error
from .receiver import ChallengeReceiver, register_unechoed


@pytest.mark.parametrize(
    "path",
    ["/jobs", "/batches", "/workflows", "/keys", "/webhooks", "/agent/sessions"],
)
@deeply_nested_bodies(b'{"type": "edit", "input": {"prompt": %s}}')
def test_deeply_nested_json_is_a_400_naming_the_body(sp: StageProClient, path: str, body: bytes):
    error = assert_error(post_json_bytes(sp, path, body), 400, "validation_error")
    assert "nested deeper than" in error["message"], error


@pytest.mark.emulator_only
def test_a_deeply_nested_challenge_answer_is_no_echo(sp: StageProClient, emulator: EmulatorControl):
    with ChallengeReceiver(reply=DEEP_JSON.encode()) as deep:
        register_unechoed(sp, emulator, deep, "deep")
