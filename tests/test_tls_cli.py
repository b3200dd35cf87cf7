"""The TLS parts of the command line and of the pytest plugin: `serve --tls` in a real process,
`staging-emulator ca`, `staging-emulator hosts`, the settings, and the `staging_emulator_tls`
fixture."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from emulator import tls
from emulator.cli import main
from emulator.hosts import BEGIN, every_vendor, vendor_hosts
from emulator.settings import load_settings
from emulator.testing import EmulatorServer
from emulator.testing.tls import HostMap, https_client

from .helpers import VSAI_RENDER

ROOT = Path(__file__).resolve().parent.parent


def test_hosts_prints_a_line_per_vendor_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"127.0.0.1 {host}" for host in vendor_hosts(every_vendor())]
    assert "127.0.0.1 api.virtualstagingai.app" in lines


def test_hosts_compose_format_matches_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "--format", "compose", "--address", "172.30.99.10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "extra_hosts:"
    example = (ROOT / "examples" / "docker-compose.tls.yml").read_text()
    for line in out[1:]:
        assert line.strip() in example


def test_hosts_write_and_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hosts"
    path.write_text("127.0.0.1 localhost\n")
    assert main(["hosts", "--write", "--file", str(path)]) == 0
    written = path.read_text()
    assert written.count(BEGIN) == 1 and "127.0.0.1 api.virtualstagingai.app" in written
    assert main(["hosts", "--write", "--file", str(path)]) == 0
    assert path.read_text() == written
    assert "already has" in capsys.readouterr().out
    assert main(["hosts", "--remove", "--file", str(path)]) == 0
    assert path.read_text() == "127.0.0.1 localhost\n"


def test_hosts_write_to_an_unwritable_file_says_to_use_sudo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_dir = tmp_path / "no" / "such" / "hosts"
    assert main(["hosts", "--write", "--file", str(missing_dir)]) == 1
    assert "sudo" in capsys.readouterr().err


def test_hosts_follow_a_media_url_option(capsys: pytest.CaptureFixture[str]) -> None:
    options = '{"virtualstagingai": {"media_url": "https://media.example.test"}}'
    assert main(["hosts", "--vendor-options", options]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "127.0.0.1 media.example.test" in lines
    assert "127.0.0.1 furniture-ai.storage.googleapis.com" not in lines


def test_ca_prints_its_path_and_how_to_trust_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ca", "--tls-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    ca = tmp_path / tls.CA_FILE
    assert f"CA certificate: {ca}" in out
    for needle in ("curl --cacert", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "curl.cainfo"):
        assert needle in out
    first = ca.read_bytes()
    assert main(["ca", "--path", "--tls-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(ca)
    assert ca.read_bytes() == first  # made once, then reused
    assert not (tmp_path / tls.CERT_FILE).exists()  # the server certificate is serve's business
    x509.load_pem_x509_certificate(first)


def test_ca_defaults_to_the_store_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "data" / "state.db"
    assert main(["ca", "--path", "--store", str(store)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "data" / tls.CA_FILE)


def test_ca_install_runs_the_platform_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(tls.subprocess, "run", lambda command, check: ran.append(command))
    monkeypatch.setattr(tls, "_installed", lambda tool: tool == "update-ca-certificates")
    assert main(["ca", "--install", "--tls-dir", str(tmp_path)]) == 0
    assert ran == tls.install_commands(tmp_path / tls.CA_FILE)
    assert "installed" in capsys.readouterr().out


def test_ca_install_without_rights_prints_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(command: list[str], check: bool) -> None:
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(tls.subprocess, "run", refuse)
    monkeypatch.setattr(tls, "_installed", lambda tool: tool == "update-ca-certificates")
    assert main(["ca", "--install", "--tls-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "could not install" in err and "sudo" in err


def test_tls_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGING_EMULATOR_TLS", "true")
    monkeypatch.setenv("STAGING_EMULATOR_TLS_PORT", "9443")
    monkeypatch.setenv("STAGING_EMULATOR_TLS_DIR", "/tmp/some-ca")
    settings = load_settings(folder=Path("/nonexistent"))
    assert (settings.tls, settings.tls_port, settings.tls_dir) == (True, 9443, "/tmp/some-ca")
    assert load_settings({"tls_public_port": 443}).tls_public_port == 443


def test_serve_tls_in_a_real_process(tmp_path: Path) -> None:
    """`staging-emulator serve --tls`: the banner names the CA, the vendors answer at their real
    hosts over HTTPS, the control API over HTTP, and a SIGTERM stops both servers."""
    command = [sys.executable, "-m", "emulator.cli", "serve", "--port", "0", "--store", "memory"]
    command += ["--clock", "manual", "--log-level", "warning"]
    command += ["--tls", "--tls-port", "0", "--tls-dir", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGING_EMULATOR_")}
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        banner = []
        assert proc.stdout is not None
        while not any("CA certificate" in line for line in banner):
            line = proc.stdout.readline()
            assert line, f"exited early: {proc.stderr.read() if proc.stderr else ''}"
            banner.append(line)
        text = "".join(banner)
        http_port = int(re.search(r"on http://127\.0\.0\.1:(\d+)", text).group(1))
        https_port = int(re.search(r"HTTPS on port (\d+)", text).group(1))
        assert f"https://api.virtualstagingai.app:{https_port}/v2" in text
        assert str(tmp_path / tls.CA_FILE) in text
        host_map = HostMap(
            frozenset(vendor_hosts(every_vendor())), https_port, http_port, tmp_path / tls.CA_FILE
        )
        with https_client(host_map) as client:
            _wait_until_up(client, f"http://127.0.0.1:{http_port}/_emulator/health")
            status = client.get(f"https://api.virtualstagingai.app:{https_port}/v2/status")
            assert status.status_code == 200
            created = client.post(
                f"https://api.virtualstagingai.app:{https_port}/v2/renders",
                json=VSAI_RENDER,
                headers={"Authorization": "Api-Key cli-test"},
            )
            assert created.status_code in (200, 201), created.text
            url = created.json()["variations"]["items"][0]["result"]["url"]
            # not behind a port mapping: the result URL carries the HTTPS port
            assert url.startswith(f"https://furniture-ai.storage.googleapis.com:{https_port}/")
            assert client.get(url).status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) is not None
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def _wait_until_up(client: httpx.Client, url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if client.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.01)  # start-up only; no job is ever waited for
    raise AssertionError("the server did not answer")


def test_serve_tls_on_a_taken_port_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with EmulatorServer() as other:  # holds a port
        taken = str(other.settings.port)
        with pytest.raises(SystemExit) as exit_:
            main(["serve", "--port", "0", "--store", "memory", "--tls", "--tls-port", taken])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "cannot listen for HTTPS" in err and "--tls-port" in err
    assert "Traceback" not in err


def test_the_pytest_fixture_gives_https_clients(staging_emulator_tls: EmulatorServer) -> None:
    with staging_emulator_tls.https_client() as client:
        response = client.get("https://www.stageproai.com/api/v1/capabilities")
        assert response.status_code in (200, 401)  # reached StagePro at its real host
        assert response.url.host == "www.stageproai.com"
    assert staging_emulator_tls.ca_path.exists()
