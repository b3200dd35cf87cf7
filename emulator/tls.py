"""HTTPS at the vendors' real hostnames: a local certificate authority, a server certificate for
every vendor and media host, and the HTTPS server that runs beside the plain HTTP one.

The CA is made once (EC P-256, ten years) and kept in the data folder (the folder of the SQLite
store, `.staging-emulator/` by default, or the `tls_dir` setting), so a client trusts it once. The
server certificate it signs is reissued whenever the list of hosts changes, it nears its end, or the
CA was replaced. Keys are written owner-only (0600): anyone holding the CA key can mint certificates
this machine trusts, once the CA is installed in the system store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .hosts import certificate_hosts
from .net import listen_socket

if TYPE_CHECKING:
    from .app import EmulatorApp

DEFAULT_DATA_DIR = ".staging-emulator"
DEFAULT_TLS_PORT = 8443
CA_FILE, CA_KEY_FILE = "ca.pem", "ca-key.pem"
CERT_FILE, KEY_FILE = "server.pem", "server-key.pem"
BUNDLE_FILE = "ca-bundle.pem"  # public CAs + this one, for settings that replace the default trust
CA_LIFETIME = dt.timedelta(days=3650)
# Apple refuses server certificates valid for more than 825 days; 397 is the public-CA limit.
CERT_LIFETIME = dt.timedelta(days=397)
RENEW_BEFORE = dt.timedelta(days=30)
INSTALLED_NAME = "staging-emulator-ca"


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the certificate clients trust
    cert: Path  # the server certificate (for uvicorn's ssl_certfile)
    key: Path  # its key (ssl_keyfile)

    @property
    def directory(self) -> Path:
        return self.ca.parent


# which hosts


def data_dir(store: str, tls_dir: str | None = None) -> Path:
    """Where the CA lives: `tls_dir`, else the SQLite store's folder, else `.staging-emulator/`."""
    if tls_dir:
        return Path(tls_dir).expanduser().resolve()
    if store in ("memory", ":memory:"):
        return Path(DEFAULT_DATA_DIR).resolve()
    return Path(store).expanduser().resolve().parent


# certificates


def ensure(directory: Path, hosts: Sequence[str]) -> TlsFiles:
    """The CA (made once, then reused) and a server certificate covering exactly `hosts`,
    reissued only when needed. Safe when several processes start at once."""
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / ".tls.lock"):
        ca_cert, ca_key = _load_or_make_ca(directory)
        files = TlsFiles(directory / CA_FILE, directory / CERT_FILE, directory / KEY_FILE)
        if not _server_cert_fits(files, ca_cert, hosts):
            cert, key = _issue_server_cert(ca_cert, ca_key, hosts)
            _write_key(files.key, key)
            _write(files.cert, cert.public_bytes(serialization.Encoding.PEM))
        return files


def ensure_ca(directory: Path) -> Path:
    """The CA certificate alone (made once, then reused), leaving the server certificate be."""
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / ".tls.lock"):
        _load_or_make_ca(directory)
    return directory / CA_FILE


def ca_bundle(ca: Path) -> Path | None:
    """A bundle of the public CAs (certifi's) plus this CA, for tools whose setting replaces the
    default trust (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, PHP's curl.cainfo); None without certifi."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return None
    bundle = ca.parent / BUNDLE_FILE
    ours = ca.read_bytes()
    public = Path(certifi.where()).read_bytes()
    wanted = public.rstrip(b"\n") + b"\n" + ours
    if not bundle.exists() or bundle.read_bytes() != wanted:
        _write(bundle, wanted)
    return bundle


def _load_or_make_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = directory / CA_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if (
            isinstance(key, ec.EllipticCurvePrivateKey)
            and _public_bytes(key) == _public_bytes(cert)
            and cert.not_valid_after_utc - _now() > RENEW_BEFORE
        ):
            return cert, key
    cert, key = _make_ca()
    _write_key(key_path, key)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """Signatures only (EC keys): of certificates and CRLs for a CA, of handshakes otherwise."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _make_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    # A name unique to this CA, so that two machines' CAs in one trust store are told apart.
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "staging-emulator"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _owner()),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"staging-emulator local CA {now:%Y-%m-%d %H:%M:%S}"
            ),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _issue_server_cert(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hosts: Sequence[str]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "staging-emulator"),
                    x509.NameAttribute(NameOID.COMMON_NAME, hosts[0] if hosts else "localhost"),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(min(now + CERT_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(_general_names(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def certificate_names(cert: x509.Certificate) -> set[str]:
    """The DNS names and IP addresses a certificate is valid for."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return {name.lower() for name in san.get_values_for_type(x509.DNSName)} | ips


def _server_cert_fits(files: TlsFiles, ca_cert: x509.Certificate, hosts: Sequence[str]) -> bool:
    if not (files.cert.exists() and files.key.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return (
        certificate_names(cert) == {h.lower() for h in hosts}
        and _public_bytes(key) == _public_bytes(cert)
        and cert.not_valid_after_utc - _now() > RENEW_BEFORE
    )


def _general_names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _public_bytes(item: Any) -> bytes:
    public = item.public_key()
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _owner() -> str:
    try:
        user = os.getlogin()
    except OSError:
        user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return f"{user}@{socket.gethostname()}"[:64]


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write whole or not at all: a reader never sees half a certificate."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(temp, mode)
    os.replace(temp, path)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(path, pem, mode=0o600)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: one process at a time is the user's business
        yield
        return
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# trusting the CA


def trust_instructions(ca: Path, bundle: Path | None = None) -> str:
    """How to make each kind of client trust the CA, for the banner and `staging-emulator ca`."""
    replace = bundle or ca
    return "\n".join(
        [
            f"CA certificate: {ca}",
            *([f"CA bundle (public CAs + this one): {bundle}"] if bundle else []),
            "Trust it:",
            f"  curl             curl --cacert {ca} https://api.virtualstagingai.app/v2/status",
            f"  Python requests  REQUESTS_CA_BUNDLE={replace}  (or Session.verify = that path)",
            f"  Python httpx     SSL_CERT_FILE={replace}  (or httpx.Client(verify=ssl context))",
            f"  Node.js          NODE_EXTRA_CA_CERTS={ca}",
            f"  PHP              php.ini: curl.cainfo={replace} and openssl.cafile={replace}",
            f"                   (Guzzle: ['verify' => '{replace}'])",
            f"  Java             keytool -importcert -cacerts -alias {INSTALLED_NAME} -file {ca}",
            "  system store     sudo staging-emulator ca --install",
        ]
    )


def install_commands(
    ca: Path, platform: str = sys.platform, has: Callable[[str], bool] | None = None
) -> list[list[str]]:
    """The commands that add the CA to the system trust store of this platform (`has`: whether a
    tool is installed)."""
    has = has or _installed
    if platform == "darwin":
        keychain = "/Library/Keychains/System.keychain"
        return [["security", "add-trusted-cert", "-d", "-r", "trustRoot", "-k", keychain, str(ca)]]
    if platform.startswith("win"):
        return [["certutil", "-addstore", "-f", "ROOT", str(ca)]]
    if has("update-ca-certificates"):  # Debian, Ubuntu, Alpine
        target = f"/usr/local/share/ca-certificates/{INSTALLED_NAME}.crt"
        return [["cp", str(ca), target], ["update-ca-certificates"]]
    if has("update-ca-trust"):  # Fedora, RHEL
        target = f"/etc/pki/ca-trust/source/anchors/{INSTALLED_NAME}.pem"
        return [["cp", str(ca), target], ["update-ca-trust", "extract"]]
    if has("trust"):  # Arch (p11-kit)
        return [["trust", "anchor", "--store", str(ca)]]
    raise RuntimeError("no known system trust store tool (update-ca-certificates, update-ca-trust)")


def _installed(tool: str) -> bool:
    # /usr/sbin is often not on a user's PATH, though sudo will find the tool there
    return shutil.which(tool) is not None or Path("/usr/sbin", tool).exists()


def install_ca(ca: Path, platform: str = sys.platform) -> list[list[str]]:
    """Add the CA to the system store (needs root / an administrator); returns what it ran."""
    commands = install_commands(ca, platform)
    for command in commands:
        subprocess.run(command, check=True)
    return commands


# serving


@dataclass
class HttpsListener:
    """The HTTPS side of one emulator: its bound socket and the certificate files it serves."""

    socket: socket.socket
    files: TlsFiles
    hosts: list[str]  # the names the certificate covers

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])


def listen_https(
    app: EmulatorApp,
    host: str,
    port: int | None,
    directory: Path,
    public_port: int | None = None,
) -> HttpsListener:
    """Bind the HTTPS socket, make or reuse the certificates for every host the app answers for,
    and switch the app's result URLs to the vendors' media hosts (`public_port`: the port clients
    reach HTTPS at, default the bound one; 443 behind a port mapping)."""
    sock = tls_listen_socket(host, port)
    try:
        public_host = urlsplit(app.engine.media.public_url).hostname
        extra = [h for h in (public_host, host) if h and h not in ("0.0.0.0", "::", "")]
        hosts = certificate_hosts(app.vendors, extra)
        files = ensure(directory, hosts)
        ca_bundle(files.ca)  # for clients whose CA setting replaces the default trust
    except BaseException:
        sock.close()
        raise
    listener = HttpsListener(sock, files, hosts)
    app.use_media_hosts(public_port or listener.port)
    return listener


def tls_listen_socket(host: str, port: int | None) -> socket.socket:
    """The HTTPS socket: `port` when given (0 = a free one); otherwise 443 when this process may
    bind it (root, CAP_NET_BIND_SERVICE, a low ip_unprivileged_port_start), else 8443."""
    if port is not None:
        return listen_socket(host, port)
    try:
        return listen_socket(host, 443)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EADDRINUSE):
            raise
        return listen_socket(host, DEFAULT_TLS_PORT)
