"""A raw HTTP POST of a huge body that stops sending as soon as the server answers, and still reads the answer.

A server that refuses a body it has not read (413, 401) answers and closes; its kernel then resets the
connection because body bytes are unread, and our next write fails with ECONNRESET. The answer is already in
our receive buffer by then, but asyncio's transport closes the socket on that write error without reading it
(and an HTTP client library reports a write error): on a loaded machine that lost the status now and then. A
plain blocking socket reads what arrived before the reset. Run it in a thread (``raw_post``).
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
from urllib.parse import urlsplit


def raw_post_blocking(
    base: str,
    path: str,
    *,
    headers: dict[str, str],
    body_bytes: int,
    chunk: bytes = b"0" * (64 * 1024),
    chunked: bool = False,
) -> tuple[int, int, bytes]:
    """POST ``body_bytes`` (``chunk`` repeated; in chunked encoding if ``chunked``) until the server answers;
    returns (status, body bytes sent, response body)."""
    parts = urlsplit(base)
    head = f"POST {path} HTTP/1.1\r\nHost: test\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    payload = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
    view = memoryview(payload)
    sent = 0
    answer = b""
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            while sent < body_bytes:
                readable, writable, _ = select.select([sock], [sock], [], 5)
                if readable:  # the answer (or the close) came: stop sending
                    break
                if writable:
                    start = sent % len(view)
                    sent += sock.send(view[start : start + min(len(view) - start, body_bytes - sent)])
        except OSError:  # reset while we were still sending: the answer may be in our buffer all the same
            pass
        with contextlib.suppress(OSError):
            while True:
                header_end = answer.find(b"\r\n\r\n")
                if header_end >= 0 and len(answer) - header_end - 4 >= _content_length(answer[:header_end]):
                    break
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
    if not answer:
        raise AssertionError(f"no answer after {sent} body bytes")
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    return int(head_bytes.split(b" ", 2)[1]), sent, body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 1 << 62  # unknown: read until the server closes


async def raw_post(
    base: str,
    path: str,
    *,
    headers: dict[str, str],
    body_bytes: int,
    chunk: bytes = b"0" * (64 * 1024),
    chunked: bool = False,
) -> tuple[int, int, bytes]:
    """:func:`raw_post_blocking` in a thread (the server may run on this event loop)."""
    return await asyncio.to_thread(
        raw_post_blocking, base, path, headers=headers, body_bytes=body_bytes, chunk=chunk, chunked=chunked
    )
