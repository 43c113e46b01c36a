"""Verifying Fal's completion callbacks as the API receives them: JWKS cache, tolerance, error codes.

Fal signs ``"\\n".join([request_id, user_id, timestamp, sha256_hex(body)])`` with ED25519 and sends the hex
signature in ``X-Fal-Webhook-Signature`` (see :mod:`shared.fal.webhooks` for the key format). The public
keys come from ``settings.fal_webhook_jwks_url`` and are cached for ``fal_webhook_jwks_ttl_seconds``; a
signature that matches no cached key triggers one early refetch (key rotation), at most every
:data:`MIN_REFETCH_SECONDS`, so forged callbacks cannot make us hammer the JWKS host.

Outcomes: 401 ``invalid_signature`` (headers missing or malformed, or no key matches), 401
``stale_timestamp`` (more than ``fal_webhook_tolerance_seconds`` away from now, either way),
503 ``jwks_unavailable`` (the key set cannot be fetched: Fal retries the callback).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.errors import ServiceUnavailable, Unauthorized
from shared.fal.webhooks import (
    HEADER_REQUEST_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    HEADER_USER_ID,
    public_keys_from_jwks,
)

MIN_REFETCH_SECONDS = 30.0


class InvalidWebhookSignature(Unauthorized):
    default_code = "invalid_signature"
    default_title = "Invalid webhook signature"


@dataclass(frozen=True)
class VerifiedCallback:
    request_id: str
    user_id: str
    timestamp: int
    digest: str  # sha256 of the signature: the replay key


class JwksCache:
    """Fal's public keys, fetched with the process's shared ``httpx.AsyncClient``."""

    def __init__(self, url: str, http: httpx.AsyncClient, ttl_seconds: float) -> None:
        self.url = url
        self.http = http
        self.ttl_seconds = ttl_seconds
        self._keys: list[Ed25519PublicKey] = []
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def _fetch(self) -> None:
        try:
            response = await self.http.get(self.url, timeout=10)
            response.raise_for_status()
            keys = public_keys_from_jwks(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(
                "Fal's webhook signing keys could not be fetched; retry later.", code="jwks_unavailable"
            ) from exc
        self.fetches += 1
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def keys(self, *, refresh: bool = False) -> list[Ed25519PublicKey]:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self.ttl_seconds or not self._keys or (refresh and age > MIN_REFETCH_SECONDS):
                await self._fetch()
            return list(self._keys)


def _matches(keys: list[Ed25519PublicKey], signature: bytes, message: bytes) -> bool:
    for key in keys:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            continue
        return True
    return False


async def verify_fal_callback(
    body: bytes,
    headers: Mapping[str, str],
    jwks: JwksCache,
    *,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> VerifiedCallback:
    lowered = {k.lower(): v for k, v in headers.items()}
    request_id = lowered.get(HEADER_REQUEST_ID, "")
    user_id = lowered.get(HEADER_USER_ID, "")
    timestamp = lowered.get(HEADER_TIMESTAMP, "")
    signature_hex = lowered.get(HEADER_SIGNATURE, "")
    if not (request_id and user_id and timestamp and signature_hex):
        raise InvalidWebhookSignature("The X-Fal-Webhook-* signature headers are missing.")
    if len(request_id) > 200 or len(user_id) > 200 or len(signature_hex) != 128 or not timestamp.isdigit():
        raise InvalidWebhookSignature("The X-Fal-Webhook-* signature headers are malformed.")
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        raise InvalidWebhookSignature("The X-Fal-Webhook-Signature header is not hex.") from None
    ts = int(timestamp)
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        raise Unauthorized(
            f"The webhook timestamp is more than {int(tolerance_seconds)} s away from now.",
            code="stale_timestamp",
            title="Stale webhook timestamp",
        )
    message = "\n".join([request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()]).encode()
    if not _matches(await jwks.keys(), signature, message) and not _matches(
        await jwks.keys(refresh=True), signature, message
    ):
        raise InvalidWebhookSignature("The webhook signature matches none of Fal's published keys.")
    return VerifiedCallback(
        request_id=request_id, user_id=user_id, timestamp=ts, digest=hashlib.sha256(signature).hexdigest()
    )
