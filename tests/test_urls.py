"""One image-URL policy (core/urls.py): hosts normalised before they are checked, every vendor
refusing what its real service could never fetch, URLs the emulator handed out always accepted."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.app import EmulatorApp
from emulator.core.urls import normalized_host, source_url_problem
from emulator.settings import Settings

from .helpers import data_url, image_bytes

# The bypasses of issue 9, item 6, and their cousins.
LOOPBACK_SPELLINGS = [
    "https://127.0.0.1./a.jpg",
    "https://localhost./a.jpg",
    "https://LocalHost/a.jpg",
    "https://127.1/a.jpg",
    "https://127.0.1/a.jpg",
    "https://2130706433/a.jpg",
    "https://0x7f000001/a.jpg",
    "https://0x7f.1/a.jpg",
    "https://0177.0.0.1/a.jpg",
    "https://017700000001/a.jpg",
    "https://[::1]/a.jpg",
    "https://[::ffff:127.0.0.1]/a.jpg",
    "https://[::ffff:7f00:1]/a.jpg",
    "https://[0:0:0:0:0:ffff:127.0.0.1]/a.jpg",
    "https://[::127.0.0.1]/a.jpg",
    "https://[2002:7f00:1::]/a.jpg",
    "https://%6c%6f%63%61%6c%68%6f%73%74/a.jpg",
    "https://%31%32%37.0.0.1/a.jpg",
    "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/a.jpg",  # fullwidth
    "https://app.localhost/a.jpg",
    "https://0/a.jpg",
    "https://0.0.0.0/a.jpg",
]
OTHER_UNREACHABLE = [
    "https://169.254.169.254/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://metadata/computeMetadata/v1/",
    "https://[fd00:ec2::254]/latest/",
    "https://[fe80::1%25eth0]/a.jpg",
    "https://10.0.0.5/a.jpg",
    "https://172.16.3.4/a.jpg",
    "https://192.168.1.20/a.jpg",
    "https://100.64.0.1/a.jpg",
    "https://printer.local/a.jpg",
    "https://[fc00::1]/a.jpg",
    "https://[64:ff9b::a00:5]/a.jpg",
    "https://224.0.0.1/a.jpg",
]
USERINFO = ["https://user:pass@images.example.com/a.jpg", "https://user@images.example.com/a.jpg"]
PUBLIC = [
    "https://images.example.com/a.jpg",
    "https://cdn.example.org:8443/p/a.jpg?x=1",
    "https://93.184.215.14/a.jpg",
    "https://[2606:4700:4700::1111]/a.jpg",
    "https://example.com./a.jpg",
    "https://bücher.example/a.jpg",
]


@pytest.mark.parametrize("url", LOOPBACK_SPELLINGS + OTHER_UNREACHABLE + USERINFO)
def test_unreachable_urls_are_refused_in_words(url: str) -> None:
    problem = source_url_problem(url)
    assert problem is not None
    assert "not reachable" in problem or "user name or password" in problem


@pytest.mark.parametrize("url", LOOPBACK_SPELLINGS[:10])
def test_every_loopback_spelling_normalises_to_127_0_0_1(url: str) -> None:
    host = normalized_host(url)
    assert (host.ip is not None and host.ip.is_loopback) or host.name == "localhost"


@pytest.mark.parametrize("url", PUBLIC)
def test_public_urls_are_accepted(url: str) -> None:
    assert source_url_problem(url) is None
    assert source_url_problem(url, https_only=True) is None


@pytest.mark.parametrize(
    "url",
    ["http://images.example.com/a.jpg", "ftp://images.example.com/a.jpg", "https://", "a.jpg"],
)
def test_https_only(url: str) -> None:
    assert source_url_problem(url, https_only=True) is not None


@pytest.mark.parametrize(
    "url",
    ["https://1.2.3.256/a.jpg", "https://example.com:99999/a", "https://[::1/a", "https://a..b/"],
)
def test_malformed_hosts_are_refused(url: str) -> None:
    assert source_url_problem(url) is not None


def test_allow_private_relaxes_only_the_host_check() -> None:
    for url in LOOPBACK_SPELLINGS + OTHER_UNREACHABLE:
        assert source_url_problem(url, allow_private=True) is None, url
    assert source_url_problem("ftp://10.0.0.1/a.jpg", allow_private=True) is not None
    assert source_url_problem(USERINFO[0], allow_private=True) is not None


# every encoding of a private address is refused

PRIVATE_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
    )
]
private_ipv4 = st.sampled_from(PRIVATE_NETWORKS).flatmap(
    lambda net: st.integers(int(net.network_address), int(net.broadcast_address)).map(
        ipaddress.IPv4Address
    )
)


def _number(value: int, style: str) -> str:
    return {"dec": str(value), "hex": hex(value), "oct": "0" + oct(value)[2:]}[style]


def spellings(ip: ipaddress.IPv4Address, style: str, parts: int) -> str:
    """`ip` written with 1-4 parts (the last filling the remaining bytes), each in `style`."""
    octets = ip.packed
    head = [_number(b, style) for b in octets[: parts - 1]]
    tail = int.from_bytes(octets[parts - 1 :], "big")
    return ".".join([*head, _number(tail, style)])


encoded_private_hosts = st.one_of(
    st.builds(spellings, private_ipv4, st.sampled_from(["dec", "hex", "oct"]), st.integers(1, 4)),
    private_ipv4.map(lambda ip: f"[::ffff:{ip}]"),
    private_ipv4.map(lambda ip: f"[::ffff:{int(ip) >> 16:x}:{int(ip) & 0xFFFF:x}]"),
    private_ipv4.map(lambda ip: f"[2002:{int(ip) >> 16:x}:{int(ip) & 0xFFFF:x}::]"),
    st.sampled_from(["localhost", "metadata.google.internal", "printer.local", "x.localhost"]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    host=encoded_private_hosts,
    trailing_dot=st.booleans(),
    percent=st.booleans(),
    upper=st.booleans(),
    scheme=st.sampled_from(["http", "https"]),
    port=st.sampled_from(["", ":443", ":8080"]),
)
def test_every_encoding_of_a_private_address_is_refused(
    host: str, trailing_dot: bool, percent: bool, upper: bool, scheme: str, port: str
) -> None:
    if not host.startswith("["):
        host += "." if trailing_dot else ""
        host = host.upper() if upper else host
        host = "".join(f"%{ord(c):02x}" for c in host) if percent else host
    url = f"{scheme}://{host}{port}/photo.jpg"
    assert source_url_problem(url) is not None, url


label = st.from_regex(r"[a-z][a-z0-9-]{0,14}[a-z0-9]", fullmatch=True)
public_names = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["com", "org", "net", "io", "de", "app"]),
)
public_ipv4 = (
    st.integers(0, 2**32 - 1)
    .map(ipaddress.IPv4Address)
    .filter(lambda ip: ip.is_global and not ip.is_multicast)
)


@settings(max_examples=200)
@given(
    host=st.one_of(public_names, public_ipv4.map(str)),
    port=st.sampled_from(["", ":443", ":8443"]),
    path=st.text("abcdefgh0123456789-_/", max_size=30),
    query=st.sampled_from(["", "?w=1536", "?sig=a%2Fb&exp=1"]),
)
def test_valid_public_urls_are_accepted(host: str, port: str, path: str, query: str) -> None:
    url = f"https://{host}{port}/{path}{query}"
    assert source_url_problem(url, https_only=True) is None, url


# through each vendor: the vendor's own 400 envelope, naming the field

ART_KEY = {"Authorization": "Bearer sk_test_urls"}
VSAI_KEY = {"Authorization": "Api-Key urls"}


def _app(**settings: object) -> EmulatorApp:
    return EmulatorApp(Settings(store="memory", clock="manual", seed=1, **settings))


def _client(app: EmulatorApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _art_body(url: str) -> dict[str, object]:
    return {"image_url": url, "room_type": "bed", "style": "modern"}


def _vsai_body(**urls: object) -> dict[str, object]:
    return {
        "config": {"type": "staging", "add_furniture": {"room_type": "bed", "style": "modern"}}
    } | urls


async def test_virtualstaging_art_refuses_every_spelling_of_a_private_host() -> None:
    async with _client(_app()) as http:
        for url in LOOPBACK_SPELLINGS + OTHER_UNREACHABLE + USERINFO:
            response = await http.post(
                "/virtualstaging-art/api/image/render/request", json=_art_body(url), headers=ART_KEY
            )
            assert response.status_code == 400, (url, response.text)
            assert response.json()["error"].startswith("Invalid image URL: image_url"), url
        for url in ("http://images.example.com/a.jpg", "https://images.example.com/a.jpg"):
            response = await http.post(
                "/virtualstaging-art/api/image/render/request", json=_art_body(url), headers=ART_KEY
            )
            assert response.status_code == (400 if url.startswith("http:") else 200), response.text


async def test_virtualstagingai_refuses_unreachable_urls_in_every_image_field() -> None:
    mask = {"mode": "on", "mask_url": "http://169.254.169.254/mask.png"}
    config = {"type": "staging", "remove_furniture": mask}
    cases = [
        ("/v2/renders", _vsai_body(image_url="http://127.1/a.jpg"), "image_url"),
        (
            "/v2/renders",
            _vsai_body(image_urls=["https://images.example.com/a.jpg", "http://0x7f000001/b.jpg"]),
            "image_urls[1]",
        ),
        (
            "/v2/renders",
            {"config": config, "image_url": "https://images.example.com/a.jpg"},
            "config.remove_furniture.mask_url",
        ),
        ("/v2/analyze", {"image_url": "https://user:pass@images.example.com/a.jpg"}, "image_url"),
        (
            "/v2/renders/bulk",
            {"renders": [_vsai_body(image_url="http://metadata.google.internal/a.jpg")]},
            "renders[0].image_url",
        ),
        (
            "/v1/render/create",
            {"image_url": "http://[::ffff:127.0.0.1]/a.jpg", "room_type": "bed", "style": "modern"},
            "image_url",
        ),
    ]
    async with _client(_app()) as http:
        for path, body, field in cases:
            response = await http.post(f"/virtualstagingai{path}", json=body, headers=VSAI_KEY)
            assert response.status_code == 400, (path, response.text)
            assert response.json()["message"].startswith(f"{field}: "), response.text
        ok = await http.post(
            "/virtualstagingai/v2/renders",
            json=_vsai_body(image_url="http://images.example.com/a.jpg"),
            headers=VSAI_KEY,
        )
        assert ok.status_code == 200, ok.text


async def test_urls_the_emulator_handed_out_are_accepted_on_any_host() -> None:
    async with _client(_app()) as http:
        uploaded = await http.post(
            "/virtualstaging-art/api/image/upload",
            json={"data_url": data_url(image_bytes(64, 48))},
            headers=ART_KEY,
        )
        url = uploaded.json()["url"]  # http://127.0.0.1:8080/_media/...: loopback, not https
        assert url.startswith("http://127.0.0.1")
        response = await http.post(
            "/virtualstaging-art/api/image/render/request", json=_art_body(url), headers=ART_KEY
        )
        assert response.status_code == 200, response.text
        response = await http.post(
            "/virtualstagingai/v2/renders", json=_vsai_body(image_url=url), headers=VSAI_KEY
        )
        assert response.status_code == 200, response.text


async def test_allow_private_urls_setting_accepts_private_hosts() -> None:
    app = _app()
    app.engine.config.allow_private_urls = True
    async with _client(app) as http:
        response = await http.post(
            "/virtualstaging-art/api/image/render/request",
            json=_art_body("https://192.168.1.20/a.jpg"),
            headers=ART_KEY,
        )
        assert response.status_code == 200, response.text
        response = await http.post(
            "/virtualstagingai/v2/renders",
            json=_vsai_body(image_url="http://localhost:9000/a.jpg"),
            headers=VSAI_KEY,
        )
        assert response.status_code == 200, response.text
