"""Per-process read caches that Postgres keeps coherent: the hot paths (API key → owner, a polled job)
answer from memory, and every committed change to their rows drops the entry in every process.

How an entry is dropped:

* A trigger on each cached table (migration ``0002``) does ``pg_notify('fotogen_invalidate',
  '{table}:{id}')`` on every UPDATE and DELETE, whatever code path (API, worker, CLI, psql) made it,
  and the notification is delivered when — and only if — the transaction commits.
* Each API process's one LISTEN connection (:class:`shared.events.hub.EventHub`) hands those payloads to
  :meth:`Invalidations.notify`. While that connection is down, every cache is off (reads go to Postgres),
  and it is emptied when the connection comes back, so a notification missed meanwhile costs nothing.
* A process's own writes clear, at commit, the caches of the tables they wrote (the session events below), so a
  client never reads, from the replica that answered its write, something older than that write. Textual SQL
  names the tables it writes with :func:`writes` (``execution_options``); one that does not clears every cache.
* A value read from Postgres is stored only if no invalidation arrived while it was being read
  (:meth:`NotifiedCache.epoch`), so a slow read cannot put back what a concurrent commit replaced.

Another replica can answer from its cache for the few milliseconds a notification takes to arrive; that is
the whole staleness window, and the TTL only bounds memory.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

INVALIDATE_CHANNEL = "fotogen_invalidate"
_INFO_KEY = "fotogen_invalidations"
_WROTE_KEY = "fotogen_wrote"
_WRITES_OPTION = "fotogen_writes"
ANY_TABLE = "*"


def writes(*tables: str) -> dict[str, Any]:
    """``execution_options`` of a textual statement: the tables it writes (so a commit clears only their caches)."""
    return {_WRITES_OPTION: frozenset(tables)}


V = TypeVar("V")


class NotifiedCache(Generic[V]):
    def __init__(self, *, ttl_seconds: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.enabled = False
        self._entries: dict[str, tuple[float, V]] = {}
        self._epoch = 0

    def get(self, key: str) -> V | None:
        if not self.enabled:
            return None
        hit = self._entries.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return hit[1]

    def epoch(self) -> int:
        """Take this before reading Postgres; hand it to :meth:`put`."""
        return self._epoch

    def put(self, key: str, value: V, epoch: int) -> None:
        if not self.enabled or epoch != self._epoch:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_seconds, value)

    def invalidate(self, key: str) -> None:
        self._epoch += 1
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._epoch += 1
        self._entries.clear()

    async def get_or_load(self, key: str, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value, else ``load()`` (stored unless it is None or was overtaken by a commit)."""
        value = self.get(key)
        if value is not None:
            return value
        epoch = self.epoch()
        value = await load()
        if value is not None:
            self.put(key, value, epoch)
        return value

    def __len__(self) -> int:
        return len(self._entries)


class Invalidations:
    """The caches of one process, by table, and what the listener and local commits do to them."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[NotifiedCache[Any], bool]] = {}

    def register(self, table: str, cache: NotifiedCache[Any], *, by_id: bool = True) -> None:
        """``by_id``: the cache is keyed by the row id; otherwise any change to the table empties it."""
        self._tables[table] = (cache, by_id)

    def cache(self, table: str) -> NotifiedCache[Any] | None:
        entry = self._tables.get(table)
        return entry[0] if entry is not None else None

    def notify(self, payload: str) -> None:
        table, _, row_id = payload.partition(":")
        entry = self._tables.get(table)
        if entry is None:
            return
        cache, by_id = entry
        if by_id and row_id:
            cache.invalidate(row_id)
        else:
            cache.clear()

    def set_listening(self, listening: bool) -> None:
        for cache, _ in self._tables.values():
            cache.clear()
            cache.enabled = listening

    def local_write(self, tables: Iterable[str] = (ANY_TABLE,)) -> None:
        """This process committed writes to ``tables``: drop what its caches hold of them."""
        written = set(tables)
        for table, (cache, _) in self._tables.items():
            if ANY_TABLE in written or table in written:
                cache.clear()

    def session_info(self) -> dict[str, Any]:
        """``info=`` for a sessionmaker whose commits should clear this process's caches."""
        return {_INFO_KEY: self}


def cache_for(session: Session | Any, table: str) -> NotifiedCache[Any] | None:
    """The read cache of ``table`` of the process that made ``session`` (None where there is none: the worker,
    the CLI)."""
    invalidations = session.info.get(_INFO_KEY)
    return invalidations.cache(table) if invalidations is not None else None


def _wrote(session: Session, tables: Iterable[str]) -> None:
    session.info.setdefault(_WROTE_KEY, set()).update(tables)


@event.listens_for(Session, "after_flush")
def _mark_flush(session: Session, _flush_context: Any) -> None:
    objects = [*session.new, *session.dirty, *session.deleted]
    _wrote(session, {getattr(getattr(o, "__table__", None), "name", ANY_TABLE) for o in objects} or {ANY_TABLE})


@event.listens_for(Session, "do_orm_execute")
def _mark_dml(state: ORMExecuteState) -> None:
    # Anything but a ``select()`` may write: an INSERT/UPDATE/DELETE names its table; textual SQL names the tables
    # it writes with ``writes()``, else it may have written any (a needless clear costs one cache miss).
    if state.is_select:
        return
    declared = state.execution_options.get(_WRITES_OPTION)
    if declared is not None:
        _wrote(state.session, declared)
        return
    table = getattr(state.statement, "table", None)
    _wrote(state.session, {getattr(table, "name", None) or ANY_TABLE})


@event.listens_for(Session, "after_commit")
def _clear_on_commit(session: Session) -> None:
    tables = session.info.pop(_WROTE_KEY, None)
    if tables:
        invalidations = session.info.get(_INFO_KEY)
        if invalidations is not None:
            invalidations.local_write(tables)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_WROTE_KEY, None)
