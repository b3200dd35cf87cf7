"""Every walkthrough of the README, as its scenario file (fixtures/scenarios/*.json), run over real
HTTP against a fresh emulator: each step's status, fields, and the images and videos it fetches."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.testing import EmulatorServer
from emulator.testing.scenarios import ScenarioFailed, run_scenario, scenario_files
from emulator.vendors import vendor_classes

SCENARIOS = scenario_files()


def test_there_is_a_walkthrough_per_vendor() -> None:
    vendors = {path.stem for path in SCENARIOS}
    assert vendors == {cls.slug for cls in vendor_classes()}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_walkthrough(path: Path) -> None:
    with EmulatorServer() as emu:
        transcript = run_scenario(emu, path)
        assert transcript and all(200 <= step.status < 300 for step in transcript)
        assert all(job.state == "succeeded" for job in emu.jobs())


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    changed = (Path(SCENARIOS[0]).read_text()).replace('"expect": 200', '"expect": 418', 1)
    (tmp_path / "wrong.json").write_text(changed)
    with EmulatorServer() as emu, pytest.raises(ScenarioFailed, match="status 200"):
        run_scenario(emu, tmp_path / "wrong.json")
