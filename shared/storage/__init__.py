"""Object storage: one interface (:class:`Storage`), two backends (local disk, GCS).

See ``shared/storage/base.py`` for the semantics every backend follows.
"""

from shared.storage.base import CHUNK_SIZE, Storage, StoredObject, validate_key, validate_prefix
from shared.storage.errors import InvalidKey, ObjectExists, ObjectNotFound, StorageError
from shared.storage.gcs import GCSStorage
from shared.storage.local import LocalStorage

__all__ = [
    "CHUNK_SIZE",
    "GCSStorage",
    "InvalidKey",
    "LocalStorage",
    "ObjectExists",
    "ObjectNotFound",
    "Storage",
    "StorageError",
    "StoredObject",
    "validate_key",
    "validate_prefix",
]
