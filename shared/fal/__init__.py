"""Our Fal client: :class:`FalProvider` (see :mod:`shared.fal.provider`), its errors and webhook checks."""

from shared.fal.environment import configure_fal_client, fal_client_environment
from shared.fal.errors import ProviderError
from shared.fal.provider import CancelAnswer, FalProvider, ProviderState, ProviderStatus
from shared.fal.webhooks import (
    FAL_JWKS_URL,
    WebhookVerificationError,
    public_keys_from_jwks,
    verify_webhook,
)

__all__ = [
    "FAL_JWKS_URL",
    "CancelAnswer",
    "FalProvider",
    "ProviderError",
    "ProviderState",
    "ProviderStatus",
    "WebhookVerificationError",
    "configure_fal_client",
    "fal_client_environment",
    "public_keys_from_jwks",
    "verify_webhook",
]
