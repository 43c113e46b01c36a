"""Opaque, prefixed, time-sortable ids (``ds_…``, ``img_…``).

48-bit millisecond timestamp + 80 random bits in an ASCII-ordered base32 alphabet, so ids of one kind
sort by creation time as plain strings: ``ORDER BY id DESC`` is "newest first" and the last id seen is
a stable pagination cursor. Within one process ids are strictly increasing, like ULID's monotonic mode
(https://github.com/ulid/spec): an id made in the same millisecond as the previous one (or after the clock
stepped back) keeps its timestamp and adds a random step to its random part. Rows take ``created_at`` from
their id's timestamp (:func:`id_time`), so list order and ``created_at`` order agree by construction.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, ascending in ASCII
_VALUES = {c: i for i, c in enumerate(_ALPHABET)}
_TS_CHARS, _RND_CHARS = 10, 16
_RND_LIMIT = 1 << 80

PREFIXES = {
    "owner": "own",
    "api_key": "key",
    "dataset": "ds",
    "image": "img",
    "model": "mdl",
    "training": "trn",
    "generation": "gen",
    "generation_image": "gim",
    "mesh": "msh",
    "mesh_item": "mit",
    "upload": "upl",
    "video": "vid",
    "character": "chr",
    "webhook_endpoint": "whe",
    "webhook_delivery": "whd",
    "end_user": "eu",
    "ledger_entry": "led",
}


class _MonotonicClock:
    """(timestamp, random) pairs that only increase within the process (threads included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = (0, 0)

    def next(self) -> tuple[int, int]:
        now = int(time.time() * 1000) & ((1 << 48) - 1)
        with self._lock:
            last_ts, last_rnd = self._last
            if now > last_ts:
                pair = (now, secrets.randbits(80))
            else:
                # A random step, not +1: the next id stays unguessable from the previous one.
                rnd = last_rnd + 1 + secrets.randbits(32)
                pair = (last_ts, rnd) if rnd < _RND_LIMIT else (last_ts + 1, secrets.randbits(79))
            self._last = pair
            return pair


_clock = _MonotonicClock()


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(kind: str) -> str:
    ts, rnd = _clock.next()
    return f"{PREFIXES[kind]}_{_encode(ts, _TS_CHARS)}{_encode(rnd, _RND_CHARS)}"


def id_time(value: str) -> datetime | None:
    """The moment encoded in an id made by :func:`new_id` (millisecond precision, UTC); None for any other
    string (seeded ids such as ``mdl_flux_1_dev``)."""
    _, sep, body = value.partition("_")
    if not sep or len(body) != _TS_CHARS + _RND_CHARS or any(c not in _VALUES for c in body):
        return None
    ms = 0
    for c in body[:_TS_CHARS]:
        ms = ms * 32 + _VALUES[c]
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
