"""Verifying Fal webhooks (ED25519, Fal's header scheme) — works for Fal and the sandbox alike.

Fal signs ``"\\n".join([request_id, user_id, timestamp, sha256_hex(body)])`` with one of the keys
published as a JWKS (Fal: :data:`FAL_JWKS_URL`; sandbox: ``{sandbox}/.well-known/jwks.json``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FAL_JWKS_URL: Final = "https://rest.alpha.fal.ai/.well-known/jwks.json"
HEADER_REQUEST_ID: Final = "x-fal-webhook-request-id"
HEADER_USER_ID: Final = "x-fal-webhook-user-id"
HEADER_TIMESTAMP: Final = "x-fal-webhook-timestamp"
HEADER_SIGNATURE: Final = "x-fal-webhook-signature"


class WebhookVerificationError(Exception):
    pass


def public_keys_from_jwks(jwks: Mapping[str, Any]) -> list[Ed25519PublicKey]:
    keys: list[Ed25519PublicKey] = []
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        x = str(jwk.get("x", ""))
        try:
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            keys.append(Ed25519PublicKey.from_public_bytes(raw))
        except (ValueError, binascii.Error):
            continue
    return keys


def verify_webhook(
    body: bytes,
    headers: Mapping[str, str],
    keys: Sequence[Ed25519PublicKey],
    *,
    now: float | None = None,
    tolerance_seconds: float = 300.0,
) -> str:
    """Check a webhook delivery; returns its request id or raises :class:`WebhookVerificationError`."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        request_id = lowered[HEADER_REQUEST_ID]
        user_id = lowered[HEADER_USER_ID]
        timestamp = lowered[HEADER_TIMESTAMP]
        signature_hex = lowered[HEADER_SIGNATURE]
    except KeyError as exc:
        raise WebhookVerificationError(f"missing header {exc.args[0]}") from exc
    try:
        ts = int(timestamp)
        signature = bytes.fromhex(signature_hex)
    except ValueError as exc:
        raise WebhookVerificationError("malformed timestamp or signature") from exc
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        raise WebhookVerificationError("timestamp outside the allowed window")
    message = "\n".join([request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()]).encode()
    for key in keys:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            continue
        return request_id
    raise WebhookVerificationError("signature does not match any published key")
