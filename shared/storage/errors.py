"""Storage errors.

Hierarchy::

    FotogenError (shared.errors)
    └── StorageError (500, storage_error)   any backend failure we could not classify
        ├── ObjectExists (409)              create-only put hit an existing key
        ├── ObjectNotFound (404)            open/download_to of a missing key
        └── InvalidKey (400)                key failed :func:`shared.storage.base.validate_key`

These are mostly programming or consistency errors, not client input errors; the status codes only
matter if one escapes a route unhandled (then it still renders as problem+json instead of a bare 500).
"""

from __future__ import annotations

from typing import ClassVar

from shared.errors import FotogenError


class StorageError(FotogenError):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "storage_error"
    default_title: ClassVar[str] = "Storage error"


class ObjectExists(StorageError):
    status_code = 409
    default_code = "object_exists"
    default_title = "Object already exists"

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"Object {key!r} already exists.")


class ObjectNotFound(StorageError):
    status_code = 404
    default_code = "object_not_found"
    default_title = "Object not found"

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"No object {key!r}.")


class InvalidKey(StorageError):
    status_code = 400
    default_code = "invalid_storage_key"
    default_title = "Invalid storage key"

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"Invalid storage key {key!r}: {reason}.")
