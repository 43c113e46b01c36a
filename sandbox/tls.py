"""Self-signed TLS material for the sandbox: a private CA plus a server certificate it signs.

Clients trust the sandbox by adding ``ca.pem`` to their trust store (``SSL_CERT_FILE``); nothing in
fal-client changes. Files are reused across restarts when they still cover the requested host.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class CertPaths:
    ca_cert: Path  # trust this one
    cert: Path  # server certificate (leaf)
    key: Path  # server private key
    bundle: Path  # certifi's public CAs + ca_cert, a drop-in SSL_CERT_FILE


def _san_entries(names: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _covers(cert_path: Path, names: list[str]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    have = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    have |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    if cert.not_valid_after_utc < dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
        return False
    return all(str(ipaddress.ip_address(n)) in have if _is_ip(n) else n in have for n in names)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def ensure_certificates(data_dir: Path | str, host: str = "127.0.0.1") -> CertPaths:
    """Create (or reuse) ``ca.pem``, ``server.pem``, ``server-key.pem`` and ``ca-bundle.pem`` in data_dir."""
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(
        ca_cert=data / "ca.pem",
        cert=data / "server.pem",
        key=data / "server-key.pem",
        bundle=data / "ca-bundle.pem",
    )
    names = list(dict.fromkeys([*DEFAULT_NAMES, *([host] if host not in ("0.0.0.0", "::", "") else [])]))
    if not (paths.ca_cert.exists() and paths.key.exists() and _covers(paths.cert, names)):
        _generate(paths, names)
    if not paths.bundle.exists() or paths.bundle.stat().st_mtime < paths.ca_cert.stat().st_mtime:
        bundle = Path(certifi.where()).read_text() + "\n" + paths.ca_cert.read_text()
        paths.bundle.write_text(bundle)
    return paths


def _generate(paths: CertPaths, names: list[str]) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FotoGen Fal Sandbox CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(_san_entries(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths.key.chmod(0o600)
    paths.cert.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    paths.bundle.unlink(missing_ok=True)


def client_ssl_context(ca_cert: Path | None) -> ssl.SSLContext:
    """Public CAs (certifi) plus the sandbox CA: used for the sandbox's own downloads and webhooks."""
    ctx = ssl.create_default_context(cafile=certifi.where())
    if ca_cert is not None and ca_cert.exists():
        ctx.load_verify_locations(cafile=str(ca_cert))
    return ctx
