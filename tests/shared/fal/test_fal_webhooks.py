"""shared.fal.webhooks verifies Fal-style signatures (the sandbox's signer stands in for Fal)."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sandbox.signing import WebhookSigner
from shared.fal import WebhookVerificationError, public_keys_from_jwks, verify_webhook

BODY = json.dumps({"request_id": "r1", "status": "OK", "payload": {}}).encode()


def test_valid_signature() -> None:
    signer = WebhookSigner(Ed25519PrivateKey.generate())
    headers = signer.headers("r1", "user", BODY)
    keys = public_keys_from_jwks(signer.jwks())
    assert verify_webhook(BODY, headers, keys) == "r1"
    # headers are matched case-insensitively
    assert verify_webhook(BODY, {k.lower(): v for k, v in headers.items()}, keys) == "r1"


def test_rotated_jwks_with_several_keys() -> None:
    old, new = WebhookSigner(Ed25519PrivateKey.generate()), WebhookSigner(Ed25519PrivateKey.generate())
    jwks = {"keys": old.jwks()["keys"] + new.jwks()["keys"] + [{"kty": "RSA", "n": "x"}]}
    keys = public_keys_from_jwks(jwks)
    assert len(keys) == 2
    assert verify_webhook(BODY, new.headers("r1", "u", BODY), keys) == "r1"


@pytest.mark.parametrize("tamper", ["body", "request_id", "signature", "timestamp_old", "missing", "other_key"])
def test_invalid(tamper: str) -> None:
    signer = WebhookSigner(Ed25519PrivateKey.generate())
    body = BODY
    headers = signer.headers("r1", "user", BODY)
    keys = public_keys_from_jwks(signer.jwks())
    if tamper == "body":
        body = BODY + b" "
    elif tamper == "request_id":
        headers["X-Fal-Webhook-Request-Id"] = "r2"
    elif tamper == "signature":
        headers["X-Fal-Webhook-Signature"] = "zz"
    elif tamper == "timestamp_old":
        headers = signer.headers("r1", "user", BODY, timestamp=int(time.time()) - 3600)
    elif tamper == "missing":
        del headers["X-Fal-Webhook-User-Id"]
    elif tamper == "other_key":
        keys = public_keys_from_jwks(WebhookSigner(Ed25519PrivateKey.generate()).jwks())
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, headers, keys)
