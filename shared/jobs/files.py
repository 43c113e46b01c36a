"""Copy a provider's output file into our storage (streamed; safe to repeat)."""

from __future__ import annotations

import httpx

from shared.fal.errors import PROVIDER_FAILED, PROVIDER_UNAVAILABLE, ProviderError
from shared.storage import ObjectExists, Storage, StoredObject


async def copy_url_to_storage(
    http: httpx.AsyncClient, storage: Storage, url: str, key: str, content_type: str
) -> StoredObject:
    """Stream ``url`` into ``key``. A key that already exists (a repeated step) is returned as is: our keys
    are deterministic per job, so an existing object is the copy an earlier attempt completed."""
    existing = await storage.stat(key)
    if existing is not None:
        return existing
    try:
        async with http.stream("GET", url) as response:
            if response.status_code >= 500:
                raise ProviderError(PROVIDER_UNAVAILABLE, f"provider file answered {response.status_code}", True)
            if response.status_code >= 400:
                raise ProviderError(PROVIDER_FAILED, f"provider file answered {response.status_code}", False)
            return await storage.put(key, response.aiter_bytes(1024 * 1024), content_type)
    except ObjectExists:
        found = await storage.stat(key)
        assert found is not None
        return found
    except httpx.TransportError as exc:
        raise ProviderError(PROVIDER_UNAVAILABLE, f"could not download provider file: {exc!r}", True) from exc
