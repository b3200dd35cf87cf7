"""Settings sources and their precedence, and start-up errors: one line, exit status 2."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.cli import parser
from emulator.net import listen_socket
from emulator.settings import Settings, SettingsProblem, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("STAGING_EMULATOR_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_without_any_source(tmp_path: Path) -> None:
    assert load_settings({}) == Settings()


def test_flags_beat_env_beat_config_file_beat_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.staging-emulator]\nport = 7001\nclock = "manual"\nseed = 5\nspeed = 3\n'
    )
    assert load_settings({}).port == 7001  # pyproject alone
    (tmp_path / "staging-emulator.toml").write_text('port = 9000\npublic-url = "http://x:1"\n')
    monkeypatch.setenv("STAGING_EMULATOR_SEED", "11")
    settings = load_settings({"port": "9100"})
    assert settings.port == 9100  # flag
    assert settings.seed == 11  # env
    assert settings.public_url == "http://x:1"  # staging-emulator.toml, key named like the flag
    # the config file wins over pyproject.toml entirely: pyproject is not merged under it
    assert settings.clock == "real"
    assert load_settings({}).port == 9000


def test_vendor_options_and_booleans_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGING_EMULATOR_VENDOR_OPTIONS", '{"virtualstagingai": {"a": 1}}')
    monkeypatch.setenv("STAGING_EMULATOR_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("STAGING_EMULATOR_PUBLIC_URL", "")  # empty: not set
    settings = load_settings({})
    assert settings.vendor_options == {"virtualstagingai": {"a": 1}}
    assert settings.allow_private_urls is True
    assert settings.public_url is None


DEEP = "[" * 5000 + "]" * 5000  # deeper than Python's json.loads can recurse


@pytest.mark.parametrize(
    ("env", "file", "flags", "says"),
    [
        ({"STAGING_EMULATOR_PORT": "abc"}, None, {}, "STAGING_EMULATOR_PORT: "),
        ({}, None, {"port": "70000"}, "--port: "),
        ({}, 'clock = "sometimes"\n', {}, "staging-emulator.toml: clock: "),
        ({}, "prot = 1\n", {}, "unknown setting 'prot'"),
        ({}, "port = [\n", {}, "cannot read it as TOML"),
        ({"STAGING_EMULATOR_VENDOR_OPTIONS": "{x"}, None, {}, "STAGING_EMULATOR_VENDOR_OPTIONS"),
        ({"STAGING_EMULATOR_VENDOR_OPTIONS": DEEP}, None, {}, "VENDOR_OPTIONS: cannot parse"),
    ],
)
def test_bad_values_name_their_source(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    file: str | None,
    flags: dict[str, str],
    says: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if file is not None:
        (tmp_path / "staging-emulator.toml").write_text(file)
    with pytest.raises(SettingsProblem) as caught:
        load_settings(flags)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_help_names_every_setting_and_its_variable() -> None:
    text = parser().format_help()
    for name in Settings.model_fields:
        assert "--" + name.replace("_", "-") in text
        assert "STAGING_EMULATOR_" + name.upper() in text.replace("\n", "").replace(" ", "")


def _run(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "emulator.cli", *args],
        capture_output=True,
        text=True,
        env=clean | (env or {}),
        cwd=cwd,
        timeout=60,
    )


def _one_clear_line(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("staging-emulator: error: ") and says in lines[0], lines


def test_startup_errors_are_one_line_and_status_2(tmp_path: Path) -> None:
    _one_clear_line(_run([], {"STAGING_EMULATOR_PORT": "abc"}), "STAGING_EMULATOR_PORT")
    (tmp_path / "staging-emulator.toml").write_text("port = 'x'\n")
    _one_clear_line(_run(["serve"], cwd=tmp_path), "staging-emulator.toml: port")
    _one_clear_line(_run(["--bogus"]), "unrecognized arguments: --bogus")
    _one_clear_line(_run(["--vendor-options", DEEP]), "--vendor-options: not JSON")
    _one_clear_line(
        _run(["serve", "--seed-file", str(tmp_path / "nope.zip"), "--port", "0"]), "--seed-file"
    )
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    _one_clear_line(
        _run(["--seed-file", str(tmp_path / "bad.zip"), "--port", "0", "--store", "memory"]),
        "not a state archive",
    )


def test_port_in_use_is_one_line_and_status_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(["--port", str(port), "--store", "memory"])
    _one_clear_line(result, f"cannot listen on 127.0.0.1:{port}")
    assert "in use" in result.stderr


def test_a_bound_port_cannot_be_taken_before_the_server_listens() -> None:
    """Bound means listening: another socket with SO_REUSEADDR cannot share the port (it could
    while ours was only bound, and uvloop then served nothing on it, silently)."""
    ours = listen_socket("127.0.0.1", 0)
    with ours, socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with pytest.raises(OSError) as refused:
            other.bind(ours.getsockname())
        assert refused.value.errno == errno.EADDRINUSE


def test_https_on_the_http_port_is_one_line_and_status_2(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    tls = ["--tls", "--tls-port", port, "--tls-dir", str(tmp_path / "tls")]
    result = _run(["serve", "--port", port, "--store", "memory", *tls])
    _one_clear_line(result, f"cannot listen for HTTPS on 127.0.0.1:{port}: the port is in use")


# The HTTPS server reads its certificate only when it starts serving; this makes that fail.
HTTPS_CERTIFICATE_SPOILT = """
import sys
import emulator.tls_cli as tls_cli
from emulator.cli import main
start_https = tls_cli.start_https
def start_then_spoil(*args, **kwargs):
    listener = start_https(*args, **kwargs)
    listener.files.key.write_text("not a key")
    return listener
tls_cli.start_https = start_then_spoil
sys.exit(main(sys.argv[1:]))
"""


def test_https_failing_to_start_is_one_line_and_status_2(tmp_path: Path) -> None:
    args = ["serve", "--port", "0", "--store", "memory", "--log-level", "warning"]
    args += ["--tls", "--tls-port", "0", "--tls-dir", str(tmp_path / "tls")]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    result = subprocess.run(
        [sys.executable, "-c", HTTPS_CERTIFICATE_SPOILT, *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
    )
    _one_clear_line(result, "cannot serve HTTPS on 127.0.0.1:")
