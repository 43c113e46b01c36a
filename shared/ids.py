"""Opaque, prefixed, time-sortable ids (``ds_…``, ``img_…``).

48-bit millisecond timestamp + 80 random bits in an ASCII-ordered base32 alphabet, so ids of one kind
sort by creation time as plain strings: ``ORDER BY id DESC`` is "newest first" and the last id seen is
a stable pagination cursor.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, ascending in ASCII

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
    "webhook_endpoint": "whe",
    "webhook_delivery": "whd",
    "end_user": "eu",
    "ledger_entry": "led",
}


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(kind: str) -> str:
    ts = int(time.time() * 1000) & ((1 << 48) - 1)
    rnd = secrets.randbits(80)
    return f"{PREFIXES[kind]}_{_encode(ts, 10)}{_encode(rnd, 16)}"
