"""ED25519 webhook signing in Fal's scheme, and the JWKS that publishes the public key.

Fal signs ``"\\n".join([request_id, user_id, timestamp, sha256(body).hexdigest()])`` and sends the
hex signature with the headers ``X-Fal-Webhook-Request-Id``, ``X-Fal-Webhook-User-Id``,
``X-Fal-Webhook-Timestamp`` (unix seconds) and ``X-Fal-Webhook-Signature``. The public keys are a
JWKS of ``OKP``/``Ed25519`` keys (``x`` = base64url raw public key) — Fal's lives at
https://rest.alpha.fal.ai/.well-known/jwks.json, the sandbox's at ``/.well-known/jwks.json``.
"""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

JWKS_PATH = "/.well-known/jwks.json"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class WebhookSigner:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key_bytes = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.kid = hashlib.sha256(self.public_key_bytes).hexdigest()[:16]

    @classmethod
    def load_or_create(cls, data_dir: Path | None) -> WebhookSigner:
        if data_dir is None:
            return cls(Ed25519PrivateKey.generate())
        path = Path(data_dir) / "webhook-ed25519.pem"
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(key, Ed25519PrivateKey):
                return cls(key)
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
        return cls(key)

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": _b64url(self.public_key_bytes),
                    "kid": self.kid,
                    "use": "sig",
                    "alg": "EdDSA",
                }
            ]
        }

    def headers(self, request_id: str, user_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        message = "\n".join([request_id, user_id, ts, hashlib.sha256(body).hexdigest()]).encode()
        return {
            "X-Fal-Webhook-Request-Id": request_id,
            "X-Fal-Webhook-User-Id": user_id,
            "X-Fal-Webhook-Timestamp": ts,
            "X-Fal-Webhook-Signature": self._key.sign(message).hex(),
        }
