"""Dataset ids and storage keys: ``owners/{owner}/datasets/{ds}/images/{img}.{ext}`` — ids are ours,
filenames never reach a key."""

from __future__ import annotations

import re

from shared.errors import not_found

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def checked_id(value: str, resource: str) -> str:
    """``value`` if it could be one of our ids, else the resource's 404 (never a query with a NUL byte)."""
    if not _ID.fullmatch(value):
        raise not_found(resource, value[:64])
    return value


def dataset_prefix(owner_id: str, dataset_id: str) -> str:
    return f"owners/{owner_id}/datasets/{dataset_id}/"


def image_key(owner_id: str, dataset_id: str, image_id: str, ext: str) -> str:
    return f"{dataset_prefix(owner_id, dataset_id)}images/{image_id}.{ext}"
