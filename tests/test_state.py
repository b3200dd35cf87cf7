"""State snapshots: export everything as one archive, import it (or seed with it at start-up)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.client import EmulatorError
from emulator.control import state
from emulator.core.renders import image_size
from emulator.testing import EmulatorServer
from emulator.testing.scenarios import FIXTURES, run_scenario
from emulator.vendors import vendor_classes

DEMO = FIXTURES / "state" / "demo.zip"


@pytest.fixture
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def test_round_trip_restores_every_kind_and_the_clock(emu: EmulatorServer) -> None:
    run_scenario(emu, FIXTURES / "scenarios" / "virtualstaging-art.json")
    client = emu.client
    before = {
        "jobs": client.jobs(),
        "accounts": client.accounts(),
        "clock": client.clock().now,
    }
    archive = client.export_state()
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))
    assert manifest["format"] == state.FORMAT and manifest["documents"]["job"] == 1

    client.reset()
    assert client.jobs() == [] and client.clock().now < before["clock"]
    summary = client.import_state(archive)

    assert summary.documents == manifest["documents"] and summary.blobs == manifest["blobs"]
    assert client.jobs() == before["jobs"] and client.accounts() == before["accounts"]
    assert client.clock().now == before["clock"]
    [job] = client.jobs()
    render = httpx.get(job.output_urls[0], trust_env=False)
    assert render.status_code == 200 and image_size(render.content) == (1600, 1200)


def test_demo_seed_file_works_on_any_port() -> None:
    with EmulatorServer(seed_file=str(DEMO)) as emu:
        jobs = emu.jobs()
        assert {j.vendor for j in jobs} == {cls.slug for cls in vendor_classes()}
        assert all(j.state == "succeeded" for j in jobs)
        for job in jobs:
            assert job.output_urls[0].startswith(emu.url)  # rewritten for this emulator
            assert httpx.get(job.output_urls[0], trust_env=False).status_code == 200
        art = emu.base_url("virtualstaging-art")
        renders = httpx.get(
            f"{art.removesuffix('/api')}/v1/renders",
            headers={"Authorization": "Bearer demo-key"},
            trust_env=False,
        ).json()
        assert renders[0]["status"] == "done" and renders[0]["source_image_url"].startswith(emu.url)


def _archive(**members: bytes | str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            # compressed whatever the ZipFile's default, so a bomb is small
            archive.writestr(
                name.replace("__", "/"), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
            )
    return out.getvalue()


# parses, but nests deeper than any client's JSON may
DEEP_DOCUMENT = '{"kind":"job","id":"j","body":{"a":' + "[" * 100 + "]" * 100 + "}}"
GOOD = {
    "manifest.json": json.dumps({"format": state.FORMAT}),
    "documents.jsonl": "",
    "timers.json": "[]",
    "meta.json": "{}",
    "blobs.json": "{}",
}


@pytest.mark.parametrize(
    ("archive", "says"),
    [
        (b"not a zip", "not a state archive: expected a zip file"),
        (_archive(**{k: v for k, v in GOOD.items() if k != "meta.json"}), "meta.json is missing"),
        (_archive(**(GOOD | {"manifest.json": '{"format": "x"}'})), "unsupported format"),
        (_archive(**(GOOD | {"documents.jsonl": '{"kind": 1}'})), "line 1: not a document"),
        (_archive(**(GOOD | {"timers.json": "[{}]"})), "timers.json"),
        (_archive(**(GOOD | {"blobs.json": '{"b1": null}'})), "blobs/b1 is missing"),
        (_archive(**(GOOD | {"meta.json": "[" * 100_000 + "]" * 100_000})), "meta.json: not JSON"),
        (
            _archive(**(GOOD | {"documents.jsonl": DEEP_DOCUMENT})),
            "line 1: not a document",
        ),
        (_archive(**(GOOD | {"meta.json": '{"clock:manual": "soon"}'})), "clock:manual is not"),
        (_archive(**(GOOD | {"meta.json": '{"clock:high_water": "inf"}'})), "high_water is not"),
        (_archive(**(GOOD | {"blobs.json": '{"b1": []}', "blobs__b1": "x"})), "does not fit"),
        (
            _archive(
                **(
                    GOOD
                    | {
                        "documents.jsonl": '{"kind":"job","id":"j","body":{}}\n'
                        '{"kind":"job","id":"j","body":{}}'
                    }
                )
            ),
            "does not fit the store",
        ),
    ],
)
def test_a_bad_archive_is_refused_and_changes_nothing(
    emu: EmulatorServer, archive: bytes, says: str
) -> None:
    emu.client.set_account("virtualstaging-art", "keep-me")
    with pytest.raises(EmulatorError) as refused:
        emu.client.import_state(archive)
    assert refused.value.status == 400 and says in refused.value.message
    assert [a.api_key for a in emu.client.accounts()] == ["keep-me"]


def test_unpacked_size_is_bounded(emu: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is on the bytes an archive unpacks to, not on its own size: a small archive
    whose members inflate past it is refused, and nothing changes."""
    monkeypatch.setattr(state, "MAX_UNPACKED_BYTES", 1000)
    emu.client.set_account("virtualstaging-art", "keep-me")
    bomb = _archive(**(GOOD | {"documents.jsonl": "\n" * 5000}))
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < state.MAX_UNPACKED_BYTES < unpacked  # a bomb, within the archive limit
    with pytest.raises(EmulatorError, match="unpacks to more than 1000 bytes") as refused:
        emu.client.import_state(bomb)
    assert refused.value.status == 400
    assert [a.api_key for a in emu.client.accounts()] == ["keep-me"]


def test_cli_seed_file_prints_what_it_loaded(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator.cli",
            "--port",
            "0",
            "--store",
            "memory",
            "--seed-file",
            str(DEMO),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        lines = []
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "control API" in line:
                break
        assert any("seeded from" in line and "job" in line for line in lines), lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _played(emu: EmulatorServer) -> bytes:
    run_scenario(emu, FIXTURES / "scenarios" / "virtualstaging-art.json")
    return emu.client.export_state()


def test_the_same_state_exports_the_same_bytes_on_any_port() -> None:
    with EmulatorServer() as one, EmulatorServer() as other:
        assert one.url != other.url
        first, second = _played(one), _played(other)
        assert first == one.client.export_state()  # twice from the same emulator
    assert first == second  # and from another port
    members = zipfile.ZipFile(io.BytesIO(first))
    assert {m.date_time for m in members.infolist()} == {state.MEMBER_TIME}
    manifest = json.loads(members.read("manifest.json"))
    assert manifest["exported_at"] == "2026-01-01T00:00:30+00:00"  # the manual clock's time
    assert "127.0.0.1" not in members.read("documents.jsonl").decode()


def test_refs_holding_the_public_url_follow_the_emulator_to_its_new_port() -> None:
    with EmulatorServer() as one:
        archive = _played(one)
        refs = {d.ref for d in one.app.engine.store.dump().documents if d.ref}
        assert any(ref.startswith(one.url) for ref in refs)  # ART's groups, by image URL
    with EmulatorServer(seed_file=None) as other:
        other.client.import_state(archive)
        moved = {d.ref for d in other.app.engine.store.dump().documents if d.ref}
    assert moved == {ref.replace(one.url, other.url) for ref in refs}
