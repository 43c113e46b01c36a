"""Network faults between our processes and a real server: a TCP proxy that can be cut and restored.

The proxy runs on its own event loop in a thread, so the code under test (on the test's loop, or in a
subprocess) sees exactly what it would see if Postgres or Redis went away: open connections reset, new
connections refused, then the server back on the same address.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from fotogen.ports import free_port


class FaultProxy:
    """Forwards 127.0.0.1:<port> to ``(host, port)`` or to a unix socket path (embedded Postgres)."""

    def __init__(self, target_host: str, target_port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        """Refuse new connections and reset the open ones (the server "goes down")."""
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._call(self._cut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                transport = writer.transport
                sock = transport.get_extra_info("socket")
                if sock is not None:  # RST, not FIN: what a crashed server looks like to a client
                    import socket
                    import struct

                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            host, port = self.target
            if port is None:
                up_reader, up_writer = await asyncio.open_unix_connection(host)
            else:
                up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.discard(writer)
        self._writers.discard(up_writer)


def postgres_proxy(url: str) -> tuple[FaultProxy, str]:
    """A started proxy in front of the Postgres at ``url`` and the URL that goes through it."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    socket_dir = u.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        [path] = [p for p in Path(socket_dir).glob(".s.PGSQL.*") if not p.name.endswith(".lock")]
        proxy = FaultProxy(str(path)).start()
        u = u.difference_update_query(["host"])
    else:
        proxy = FaultProxy(u.host or "127.0.0.1", u.port or 5432).start()
    return proxy, u.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
