"""Where the per-file image work of :class:`~shared.uploads.ImagePipeline` runs: every core of the machine.

Decoding and re-encoding a photo is CPU-bound Python-held work (Pillow holds the GIL for part of it), so
threads of one process reach about one core. :class:`ImageWorkers` is the process-wide bound on files in
flight (``limiter``, one slot per worker) plus where they run:

* ``processes`` (the default on a machine with more than one core): a warm
  :class:`~concurrent.futures.ProcessPoolExecutor` started in the FastAPI lifespan (``forkserver`` where
  available, else ``spawn``: never ``fork`` from a process that has threads and an event loop). Only paths,
  limits and the small :class:`~shared.imaging.ProcessedImage` cross the pipe, never image bytes. The child
  runs the very same :func:`shared.imaging.process_image`, so every hostile-file check is unchanged.
* ``threads``: this process's worker threads (one core machines, the arq worker, scripts).

A child that dies (a decoder crash, the OOM killer) breaks the pool: every file then in it fails with
``BrokenProcessPool``. The pool is replaced at once, and each of those files is run again **alone** in a
one-off process, so an innocent file is never refused for another file's crash; the file that crashes its
own process is refused as ``corrupt_image`` (:class:`WorkerCrashed`). No request answers 5xx for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Literal, TypeAlias, TypeVar

import anyio
import anyio.to_thread
import structlog

log = structlog.get_logger("shared.uploads")

T = TypeVar("T")

WorkerKind = Literal["auto", "processes", "threads"]


class WorkerCrashed(Exception):
    """The file's own worker process died while working on it (alone): the file is what crashes it."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _load_malloc_trim() -> Callable[[int], int] | None:
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


_MALLOC_TRIM = _load_malloc_trim()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Resident size above which release_memory() trims; 0 (threads in the API process) = after every file.
_trim_above = 0
CHILD_NICENESS = 5
CHILD_HEAP_BYTES = 48 * 1024 * 1024  # what a pool process may keep for the next file (~2 MP photos need ~10 MB)


def _rss() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[1]) * _PAGE


def release_memory() -> None:
    """Give the freed pixel buffers of a decoded image back to the OS (glibc keeps them per thread arena
    otherwise, and a few threads' worth of 8 MB images is most of an upload's RSS growth).

    In a pool process, only once it holds more than :data:`CHILD_HEAP_BYTES` beyond its start: handing
    pages back after every file makes the next file fault them in again, ~15 % of its CPU time."""
    if _MALLOC_TRIM is None or (_trim_above and _rss() <= _trim_above):
        return
    _MALLOC_TRIM(0)


def _child_init() -> None:
    global _trim_above
    # Ctrl-C in `fotogen dev` reaches the whole process group: the parent shuts the pool down, children
    # must not die first with a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Behind the event loop: when the API process and its pool want the same core, the loop (health
    # checks, streaming bodies, every other request) goes first; the pool still gets every idle cycle.
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    import shared.imaging  # noqa: F401 - Pillow and its plugins, before the first file

    if _MALLOC_TRIM is not None:
        _trim_above = _rss() + CHILD_HEAP_BYTES


def _warm() -> int:
    return os.getpid()


def _context() -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # The fork server (one per process, started with the first pool) imports these once; every child is
    # then a fork of it with Pillow and the pipeline loaded: ~ms to start, pages shared. No effect once
    # the server runs.
    ctx.set_forkserver_preload(["__main__", "shared.uploads.pipeline"])
    return ctx


class ProcessPool:
    """A warm process pool that replaces itself when a child dies (see the module doc)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._context = _context()
        self._executor = self._new(size)

    def _new(self, size: int) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(size, mp_context=self._context, initializer=_child_init)

    async def start(self) -> None:
        """Start every child now (a pool otherwise starts them on first use, in the middle of a request)."""
        futures = [self._executor.submit(_warm) for _ in range(self.size)]
        await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))

    def pids(self) -> list[int]:
        """The children's process ids (for tests and diagnostics)."""
        return [p.pid for p in (self._executor._processes or {}).values() if p.pid is not None]

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        executor = self._executor
        try:
            return await _wait(executor.submit(fn, *args))
        except BrokenProcessPool:
            self._renew(executor)
        log.warning("image_worker_died", action="retrying the file alone")
        alone = self._new(1)
        try:
            return await _wait(alone.submit(fn, *args))
        except BrokenProcessPool:
            raise WorkerCrashed from None
        finally:
            alone.shutdown(wait=False)

    def _renew(self, broken: concurrent.futures.ProcessPoolExecutor) -> None:
        if self._executor is broken:  # the first of the files that saw it break replaces it
            self._executor = self._new(self.size)
            broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


async def _wait(future: concurrent.futures.Future[T]) -> T:
    # Shielded: a cancelled request still waits for its file (a few tens of ms), so the copy it writes is
    # known to the pipeline and deleted with the others, as with threads.
    with anyio.CancelScope(shield=True):
        result = await asyncio.wrap_future(future)
    return result


class ImageWorkers:
    """The bound on image work in flight (``limiter``) and where it runs (a :class:`ProcessPool` or threads)."""

    def __init__(self, limiter: anyio.CapacityLimiter, pool: ProcessPool | None = None) -> None:
        self.limiter = limiter
        self.pool = pool

    @classmethod
    def threads(cls, n: int) -> ImageWorkers:
        return cls(anyio.CapacityLimiter(n))

    @classmethod
    def build(cls, kind: WorkerKind = "auto", concurrency: int = 0) -> ImageWorkers:
        """``concurrency`` 0 = one per available core; ``auto`` = processes when there is more than one core."""
        n = concurrency or available_cores()
        if kind == "threads" or (kind == "auto" and available_cores() < 2):
            return cls.threads(n)
        return cls(anyio.CapacityLimiter(n), ProcessPool(n))

    @property
    def kind(self) -> Literal["processes", "threads"]:
        return "threads" if self.pool is None else "processes"

    async def start(self) -> None:
        if self.pool is not None:
            await self.pool.start()

    async def aclose(self) -> None:
        if self.pool is not None:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.pool.shutdown)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a worker (a picklable module-level function when it is a process), within the limiter."""
        async with self.limiter:
            if self.pool is None:
                return await anyio.to_thread.run_sync(functools.partial(fn, *args))
            return await self.pool.run(fn, *args)


# What the services take and hand to ImagePipeline: the API's ImageWorkers, or a plain limiter (threads).
ImageLimiter: TypeAlias = ImageWorkers | anyio.CapacityLimiter
