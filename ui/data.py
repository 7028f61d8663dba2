"""Database access from async views: DEFERRED reads, writes in one short transaction, both off the event loop.

Page data can also be read through a small cache that the change feed invalidates: a view's rows
are computed once per change to the data, however many people look at it. An entry is valid while
the feed's last event id and this process's write generation are unchanged, and never longer than
`CACHE_SECONDS` (a safety net should the feed stall).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from store.db import session_scope

T = TypeVar("T")
CACHE_ENTRIES = 64
CACHE_SECONDS = 5.0


async def read(request: Request, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a named query from store.queries in a worker thread with its own read session."""
    engine = request.app.state.read_engine

    def work() -> T:
        with Session(engine) as session:
            return query(session, *args, **kwargs)

    return await run_in_threadpool(work)


async def write(request: Request, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one of ui.actions in a worker thread inside a single write transaction (and drop cached reads)."""
    engine = request.app.state.write_engine

    def work() -> T:
        with session_scope(engine) as session:
            return action(session, *args, **kwargs)

    try:
        return await run_in_threadpool(work)
    finally:
        request.app.state.read_cache.invalidate()


class ReadCache:
    """Results of reads keyed by query and arguments, valid for one version of the data."""

    def __init__(self, entries: int = CACHE_ENTRIES, seconds: float = CACHE_SECONDS) -> None:
        self.entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
        self.pending: dict[tuple[Hashable, Hashable], asyncio.Future] = {}
        self.size = entries
        self.seconds = seconds
        self.generation = 0
        self.hits = 0
        self.misses = 0

    def invalidate(self) -> None:
        self.generation += 1
        self.entries.clear()

    async def get(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        version = (version, self.generation)
        entry = self.entries.get(key)
        if entry is not None and entry[0] == version and time.monotonic() - entry[1] < self.seconds:
            self.entries.move_to_end(key)
            self.hits += 1
            return entry[2]
        waiting = self.pending.get((key, version))
        if waiting is not None:  # the same read is already running: share its result
            self.hits += 1
            return await asyncio.shield(waiting)
        self.misses += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[(key, version)] = future
        try:
            value = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self.pending.pop((key, version), None)
        future.set_result(value)
        if version[1] == self.generation:
            self.entries[key] = (version, time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


async def cached_read(request: Request, query: Callable[..., T], *args: Hashable) -> T:
    """`read`, served from the feed-invalidated cache (for page data many people look at)."""
    state = request.app.state
    key = (query.__module__, query.__qualname__, args)
    return await state.read_cache.get(key, state.feed.last_id, lambda: read(request, query, *args))
