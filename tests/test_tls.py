"""HTTPS at the vendors' real hostnames, end to end over real TLS (nothing skips verification).

One emulator serves HTTP and HTTPS for the whole module; its CA is made once in a temporary
folder. Clients reach `https://api.virtualstagingai.app/...` through a transport that maps the
vendor hosts to the emulator's port, checking the certificate for the vendor's name.
"""

from __future__ import annotations

import asyncio
import errno
import io
import ipaddress
import shutil
import socket
import ssl
import stat
from collections.abc import Callable, Iterator
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import requests
from cryptography import x509
from PIL import Image

from emulator import hosts as hosts_file
from emulator import tls
from emulator.testing import EmulatorServer
from emulator.testing.tls import HostMap, HostMapTransport, async_https_client, ssl_context
from emulator.vendors import vendor_classes

from .helpers import VSAI_RENDER, image_bytes

KEY = "tls-test-key"


# The result-URL check of the public clients that motivated HTTPS (issue 10): https only, no
# private host, and (like the Collov client) only hosts on an allow-list.
PRIVATE_SUFFIXES = (".local", ".internal", ".localhost")
ALLOWED_MEDIA = {
    "virtualstaging-art": ["*.vercel-storage.com", "*.virtualstaging.art"],
    "virtualstagingai": ["*.googleapis.com", "*.virtualstagingai.app"],
    "decor8": ["*.decor8.ai"],
    "stagepro": ["*.stageproai.com"],
    "collov": ["*.cloudfront.net", "*.collov.ai"],
}


class RefusedUrl(Exception):
    pass


def check_result_url(url: str, allowed: list[str] | None = None) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        raise RefusedUrl(f"not https: {url}")
    if host == "localhost" or host.endswith(PRIVATE_SUFFIXES):
        raise RefusedUrl(f"private host: {url}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise RefusedUrl(f"IP literal: {url}")
    if allowed is not None and not any(fnmatch(host, pattern) for pattern in allowed):
        raise RefusedUrl(f"host not allowed: {url}")


class StrictDownloader:
    """Downloads a result only when its URL passes the check; never sends a request otherwise."""

    def __init__(self, client: httpx.Client, allowed: list[str] | None = None) -> None:
        self.client, self.allowed = client, allowed

    def download(self, url: str) -> bytes:
        check_result_url(url, self.allowed)
        response = self.client.get(url)
        response.raise_for_status()
        return response.content


# the emulator


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def emu(tls_dir: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(tls=True, tls_dir=str(tls_dir)) as server:
        yield server


@pytest.fixture
def client(emu: EmulatorServer) -> Iterator[httpx.Client]:
    with emu.https_client() as c:
        yield c


def decoded_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.size


# one real flow per vendor, at its real host: create a job, advance, return its result URLs

Flow = Callable[[httpx.Client, EmulatorServer, str], list[str]]


def vsai_flow(client: httpx.Client, emu: EmulatorServer, key: str) -> list[str]:
    base = "https://api.virtualstagingai.app/v2"
    headers = {"Authorization": f"Api-Key {key}"}
    body = {
        "config": {"type": "staging", "add_furniture": {"room_type": "living", "style": "modern"}},
        "image_url": "https://example.com/room.jpg",
    }
    created = client.post(f"{base}/renders", json=body, headers=headers)
    assert created.status_code in (200, 201), created.text
    render_id = created.json()["id"]
    emu.advance(600)
    query = {"include_variations": "true"}
    render = client.get(f"{base}/renders/{render_id}", params=query, headers=headers)
    assert render.status_code == 200, render.text
    (variation,) = render.json()["variations"]["items"]
    assert variation["status"] == "done"
    result = variation["result"]
    return [result["url"], result["optimized_url"], result["thumbnail_url"]]


def vsart_flow(client: httpx.Client, emu: EmulatorServer, key: str) -> list[str]:
    base = "https://www.virtualstaging.art/api"
    headers = {"Authorization": f"Bearer {key}"}
    photo = image_bytes(320, 240)
    upload = client.post(
        f"{base}/image/upload", files={"file": ("room.jpg", photo, "image/jpeg")}, headers=headers
    )
    assert upload.status_code == 200, upload.text
    image_url = upload.json()["url"]
    assert urlsplit(image_url).hostname == "vsart.public.blob.vercel-storage.com"
    body = {"image_url": image_url, "room_type": "living", "style": "modern"}
    requested = client.post(f"{base}/image/render/request", json=body, headers=headers)
    assert requested.status_code == 200, requested.text
    upload_id = requested.json()["upload_id"]
    emu.advance(600)
    status = client.post(
        f"{base}/image/check-status", json={"upload_id": upload_id}, headers=headers
    )
    assert status.json() == {"status": "done"}, status.text
    (run,) = client.get(f"{base}/renders", headers=headers).json()
    return [*run["render_urls"], image_url]


def decor8_flow(client: httpx.Client, emu: EmulatorServer, key: str) -> list[str]:
    """Decor8 answers when the job is done: on a manual clock, at once."""
    body = {
        "input_image_url": "https://example.com/room.jpg",
        "room_type": "LIVINGROOM",
        "design_style": "MODERN",
        "num_images": 2,
    }
    answer = client.post(
        "https://api.decor8.ai/generate_designs_for_room",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.text
    return [image["url"] for image in answer.json()["info"]["images"]]


def stagepro_flow(client: httpx.Client, emu: EmulatorServer, key: str) -> list[str]:
    base = "https://www.stageproai.com/api/v1"
    headers = {"Authorization": f"Bearer sk_test_{key}"}
    body = {
        "type": "virtual-stage",
        "input": {
            "image_url": "https://example.com/room.jpg",
            "style": "modern",
            "room_type": "living-room",
        },
    }
    created = client.post(f"{base}/jobs", json=body, headers=headers)
    assert created.status_code == 202, created.text
    emu.advance(600)
    job = client.get(f"{base}/jobs/{created.json()['id']}", headers=headers).json()
    assert job["status"] == "completed", job
    return [job["output"]["image_url"], *(image["url"] for image in job["output"]["images"])]


def collov_flow(client: httpx.Client, emu: EmulatorServer, key: str) -> list[str]:
    base = "https://api.collov.ai/flair/enterpriseApi"
    headers = {"apiKey": key}
    form = {"uploadUrl": "https://example.com/room.jpg", "roomType": "bedroom", "style": "modern"}
    sent = client.post(
        f"{base}/vst/generateImgOnCommon",
        files={k: (None, v) for k, v in form.items()},
        headers=headers,
    )
    assert sent.status_code == 200 and sent.json()["success"], sent.text
    uuid = sent.json()["data"]["uuid"]
    emu.advance(600)
    record = client.get(f"{base}/vst/getRecord", params={"uuid": uuid}, headers=headers).json()
    latest = record["data"]["aiGenerateRecord"]
    assert latest["status"] == "SUCCESS", record
    return [latest["generateUrl"]]


FLOWS: dict[str, Flow] = {
    "collov": collov_flow,
    "stagepro": stagepro_flow,
    "virtualstagingai": vsai_flow,
    "virtualstaging-art": vsart_flow,
    "decor8": decor8_flow,
}
SLUGS = [cls.slug for cls in vendor_classes()]


def flow_of(slug: str) -> Flow:
    if slug not in FLOWS:
        pytest.fail(f"no HTTPS flow written for vendor {slug}: add one to tests/test_tls.py")
    return FLOWS[slug]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_vendor_answers_at_its_real_host_and_serves_results_at_its_media_host(
    emu: EmulatorServer, client: httpx.Client, slug: str
) -> None:
    emu.reset()
    vendor = next(v for v in emu.app.vendors if v.slug == slug)
    urls = flow_of(slug)(client, emu, KEY)
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("https", vendor.media_host, None)
        assert parts.path.startswith("/_media/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.url == url  # the client saw the vendor's URL, not the emulator's
        assert response.headers["content-type"].startswith(("image/", "video/"))
        assert int(response.headers["content-length"]) == len(response.content)
        if response.headers["content-type"].startswith("image/"):
            width, height = decoded_size(response.content)
            assert width > 0 and height > 0


@pytest.mark.parametrize("slug", SLUGS)
def test_a_strict_client_accepts_every_result_url(
    emu: EmulatorServer, client: httpx.Client, slug: str
) -> None:
    emu.reset()
    downloader = StrictDownloader(client, ALLOWED_MEDIA.get(slug))
    for url in flow_of(slug)(client, emu, KEY):
        assert downloader.download(url)


def test_the_strict_client_refuses_the_plain_http_urls_it_was_written_against(
    emu: EmulatorServer, client: httpx.Client
) -> None:
    emu.reset()
    (url, *_) = vsai_flow(client, emu, KEY)
    plain = f"{emu.url}{urlsplit(url).path}"  # the same media over plain HTTP on 127.0.0.1
    assert httpx.get(plain).status_code == 200  # plain HTTP keeps working
    with pytest.raises(RefusedUrl, match="not https"):
        check_result_url(plain)
    with pytest.raises(RefusedUrl, match="IP literal"):
        check_result_url(plain.replace("http:", "https:"))
    for private in ("https://localhost/x.jpg", "https://cdn.local/x.jpg", "https://s.internal/x"):
        with pytest.raises(RefusedUrl, match="private"):
            check_result_url(private)
    with pytest.raises(RefusedUrl, match="not allowed"):
        check_result_url(url, ALLOWED_MEDIA["collov"])


def test_requests_session_verifies_and_reaches_the_real_hosts(emu: EmulatorServer) -> None:
    emu.reset()
    with emu.requests_session() as session:
        status = session.get("https://api.virtualstagingai.app/v2/status")
        assert status.status_code == 200
        created = session.post(
            "https://api.virtualstagingai.app/v2/renders",
            json={
                "config": {
                    "type": "staging",
                    "add_furniture": {"room_type": "bed", "style": "modern"},
                },
                "image_url": "https://example.com/room.jpg",
            },
            headers={"Authorization": f"Api-Key {KEY}"},
        )
        assert created.status_code in (200, 201), created.text
        emu.advance(600)
        render = session.get(
            f"https://api.virtualstagingai.app/v2/renders/{created.json()['id']}",
            params={"include_variations": "true"},
            headers={"Authorization": f"Api-Key {KEY}"},
        ).json()
        url = render["variations"]["items"][0]["result"]["url"]
        check_result_url(url, ALLOWED_MEDIA["virtualstagingai"])
        image = session.get(url)
        assert image.status_code == 200 and image.url == url
        assert decoded_size(image.content) > (0, 0)
    plain = requests.Session()
    with pytest.raises(requests.exceptions.SSLError):  # default trust refuses the local CA
        plain.get(f"https://127.0.0.1:{emu.tls.port}/v2/status", timeout=10)


def test_async_client(emu: EmulatorServer) -> None:
    async def call() -> int:
        async with async_https_client(emu.host_map) as client:
            response = await client.get("https://api.virtualstagingai.app/v2/status")
            return response.status_code

    assert asyncio.run(call()) == 200


def test_a_client_with_default_trust_refuses_the_emulator(emu: EmulatorServer) -> None:
    with (
        httpx.Client(trust_env=False) as default,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        default.get(f"https://127.0.0.1:{emu.tls.port}/")


# the certificate


def test_the_certificate_covers_every_vendor_and_media_host(emu: EmulatorServer) -> None:
    cert = x509.load_pem_x509_certificate(emu.tls.files.cert.read_bytes())
    ca = x509.load_pem_x509_certificate(emu.ca_path.read_bytes())
    cert.verify_directly_issued_by(ca)
    names = tls.certificate_names(cert)
    for vendor in emu.app.vendors:
        assert vendor.media_host, f"{vendor.slug} has no media host"
        assert {*vendor.hosts, vendor.media_host} <= names
    assert {"localhost", "127.0.0.1"} <= names
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # a real handshake per name, the certificate checked for that name
    context = ssl_context(emu.ca_path)
    for name in names:
        with (
            socket.create_connection(("127.0.0.1", emu.tls.port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=name) as conn,
        ):
            assert conn.version() in ("TLSv1.2", "TLSv1.3")


def test_a_name_the_certificate_does_not_cover_is_refused(emu: EmulatorServer) -> None:
    context = ssl_context(emu.ca_path)
    with (
        socket.create_connection(("127.0.0.1", emu.tls.port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError, match="match"),
    ):
        context.wrap_socket(raw, server_hostname="api.example.com")


def test_the_ca_is_made_once_and_reused_across_restarts(tls_dir: Path, emu: EmulatorServer) -> None:
    ca_before = emu.ca_path.read_bytes()
    cert_before = emu.tls.files.cert.read_bytes()
    trusted = tls_dir.parent / "trusted-ca.pem"
    shutil.copy(emu.ca_path, trusted)  # what a user trusted after the first run
    with EmulatorServer(tls=True, tls_dir=str(tls_dir)) as again:
        assert again.ca_path.read_bytes() == ca_before
        assert again.tls.files.cert.read_bytes() == cert_before  # same hosts: not reissued
        host_map = HostMap(again.host_map.hosts, again.tls.port, again.settings.port, trusted)
        with httpx.Client(transport=HostMapTransport(host_map)) as client:
            assert client.get("https://api.virtualstagingai.app/v2/status").status_code == 200


def test_a_changed_host_list_reissues_the_server_certificate_only(tmp_path: Path) -> None:
    first = tls.ensure(tmp_path, ["api.example.test", "localhost", "127.0.0.1"])
    ca, cert = first.ca.read_bytes(), first.cert.read_bytes()
    assert tls.ensure(tmp_path, ["api.example.test", "localhost", "127.0.0.1"]) == first
    assert first.cert.read_bytes() == cert
    tls.ensure(tmp_path, ["api.example.test", "cdn.example.test", "localhost", "127.0.0.1"])
    assert first.ca.read_bytes() == ca
    reissued = x509.load_pem_x509_certificate(first.cert.read_bytes())
    assert tls.certificate_names(reissued) == {
        "api.example.test",
        "cdn.example.test",
        "localhost",
        "127.0.0.1",
    }


def test_broken_files_are_replaced_and_keys_are_private(tmp_path: Path) -> None:
    files = tls.ensure(tmp_path, ["localhost"])
    files.cert.write_text("not a certificate")
    files.key.write_bytes(b"")
    tls.ensure(tmp_path, ["localhost"])
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    assert tls.certificate_names(cert) == {"localhost"}
    for key in (files.key, tmp_path / tls.CA_KEY_FILE):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_server_certificate_of_another_ca_is_reissued(tmp_path: Path) -> None:
    files = tls.ensure(tmp_path, ["localhost"])
    (tmp_path / tls.CA_FILE).unlink()  # a new CA on the next start
    tls.ensure(tmp_path, ["localhost"])
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(files.ca.read_bytes()))


# plain HTTP and URLs without TLS


def test_plain_http_keeps_working_beside_https(emu: EmulatorServer) -> None:
    emu.reset()
    with httpx.Client(base_url=emu.url) as plain:
        assert plain.get("/_emulator/health").status_code == 200
        headers = {"Host": "api.virtualstagingai.app"}
        assert plain.get("/v2/status", headers=headers).status_code == 200
        created = plain.post(
            "/virtualstagingai/v2/renders",
            json=VSAI_RENDER,
            headers={"Authorization": f"Api-Key {KEY}"},
        )
        assert created.status_code in (200, 201), created.text


def test_without_tls_result_urls_stay_on_the_public_url() -> None:
    with EmulatorServer() as plain, httpx.Client() as client:
        created = client.post(
            f"{plain.base_url('virtualstagingai')}/renders",
            json=VSAI_RENDER,
            headers={"Authorization": f"Api-Key {KEY}"},
        )
        url = created.json()["variations"]["items"][0]["result"]["url"]
        assert url.startswith(f"{plain.url}/_media/")
        assert client.get(url).status_code == 200


def test_a_media_host_serves_media_only(emu: EmulatorServer, client: httpx.Client) -> None:
    emu.reset()
    url, *_ = vsai_flow(client, emu, KEY)
    media_host = urlsplit(url).hostname
    assert client.get(f"https://{media_host}/_emulator/health").status_code == 404
    assert client.get(f"https://{media_host}/v2/status").status_code == 404
    missing = client.get(f"https://{media_host}/_media/{'0' * 32}.jpg")
    assert missing.status_code == 404 and missing.json() == {"error": "Not found"}
    # and a media host answers on the plain HTTP port too, by Host
    plain = httpx.get(f"{emu.url}{urlsplit(url).path}", headers={"Host": media_host})
    assert plain.status_code == 200


def test_a_vendor_option_moves_its_media_host(tmp_path: Path) -> None:
    options = {"virtualstagingai": {"media_url": "https://media.example.test"}}
    with (
        EmulatorServer(tls=True, tls_dir=str(tmp_path), vendor_options=options) as emu,
        emu.https_client() as client,
    ):
        names = tls.certificate_names(
            x509.load_pem_x509_certificate(emu.tls.files.cert.read_bytes())
        )
        assert "media.example.test" in names
        url, *_ = vsai_flow(client, emu, KEY)
        assert url.startswith("https://media.example.test/_media/")
        assert client.get(url).status_code == 200


# the HTTPS port


def test_the_https_port_is_443_when_it_can_be_bound_else_8443(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bound: list[int] = []

    def fake_listen(host: str, port: int) -> socket.socket:
        if port == 443:
            raise PermissionError(errno.EACCES, "Permission denied")
        bound.append(port)
        return socket.socket()

    monkeypatch.setattr(tls, "listen_socket", fake_listen)
    tls.tls_listen_socket("127.0.0.1", None).close()
    tls.tls_listen_socket("127.0.0.1", 9443).close()
    assert bound == [tls.DEFAULT_TLS_PORT, 9443]


# trust instructions and the system store


def test_trust_instructions_name_every_client(tmp_path: Path) -> None:
    files = tls.ensure(tmp_path, ["localhost"])
    bundle = tls.ca_bundle(files.ca)
    assert bundle is not None
    text = tls.trust_instructions(files.ca, bundle)
    for needle in (
        "curl --cacert",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "NODE_EXTRA_CA_CERTS",
        "curl.cainfo",
        "--install",
        str(files.ca),
    ):
        assert needle in text
    assert bundle.read_bytes().endswith(files.ca.read_bytes())
    assert bundle.read_bytes().count(b"BEGIN CERTIFICATE") > 10


def test_install_commands_per_platform(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    assert tls.install_commands(ca, "darwin")[0][:2] == ["security", "add-trusted-cert"]
    assert tls.install_commands(ca, "win32") == [["certutil", "-addstore", "-f", "ROOT", str(ca)]]
    debian = tls.install_commands(ca, "linux", has=lambda tool: tool == "update-ca-certificates")
    assert debian[-1] == ["update-ca-certificates"]
    assert debian[0][-1].startswith("/usr/local/share/ca-certificates/")
    fedora = tls.install_commands(ca, "linux", has=lambda tool: tool == "update-ca-trust")
    assert fedora[-1] == ["update-ca-trust", "extract"]
    with pytest.raises(RuntimeError, match="no known system trust store"):
        tls.install_commands(ca, "linux", has=lambda tool: False)


# the hosts file


def test_hosts_lines_cover_every_vendor_host(emu: EmulatorServer) -> None:
    lines = hosts_file.host_lines(hosts_file.vendor_hosts(emu.app.vendors))
    for vendor in emu.app.vendors:
        for name in [*vendor.hosts, vendor.media_host]:
            assert f"127.0.0.1 {name}" in lines
    assert not any(line.endswith((" localhost", " 127.0.0.1", " ::1")) for line in lines)


def test_hosts_write_is_idempotent_and_remove_restores(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    original = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n# a comment"
    path.write_text(original)
    assert hosts_file.write(path, ["api.example.test", "cdn.example.test"])
    once = path.read_text()
    assert "127.0.0.1 api.example.test\n127.0.0.1 cdn.example.test\n" in once
    assert once.startswith("127.0.0.1 localhost\n::1 localhost ip6-localhost\n# a comment\n")
    assert not hosts_file.write(path, ["api.example.test", "cdn.example.test"])
    assert path.read_text() == once
    assert hosts_file.write(path, ["api.example.test"], address="10.0.0.5")
    changed = path.read_text()
    assert changed.count(hosts_file.BEGIN) == 1
    assert "10.0.0.5 api.example.test" in changed and "cdn.example.test" not in changed
    assert hosts_file.remove(path)
    assert path.read_text() == original + "\n"
    assert not hosts_file.remove(path)


def test_hosts_write_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    assert hosts_file.write(path, ["api.example.test"])
    assert path.read_text() == (
        f"{hosts_file.BEGIN}\n127.0.0.1 api.example.test\n{hosts_file.END}\n"
    )


def test_the_compose_example_maps_every_vendor_host(emu: EmulatorServer) -> None:
    example = (Path(__file__).parent.parent / "examples" / "docker-compose.tls.yml").read_text()
    for line in hosts_file.compose_lines(hosts_file.vendor_hosts(emu.app.vendors), "172.30.99.10"):
        assert line in example, f"examples/docker-compose.tls.yml lacks {line}"
