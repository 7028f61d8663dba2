"""Database access from async views: reads on the DEFERRED read engine, writes in one short transaction, both off the event loop."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from store.db import session_scope

T = TypeVar("T")


async def read(request: Request, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a named query from store.queries in a worker thread with its own read session."""
    engine = request.app.state.read_engine

    def work() -> T:
        with Session(engine) as session:
            return query(session, *args, **kwargs)

    return await run_in_threadpool(work)


async def write(request: Request, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one of ui.actions in a worker thread inside a single write transaction."""
    engine = request.app.state.write_engine

    def work() -> T:
        with session_scope(engine) as session:
            return action(session, *args, **kwargs)

    return await run_in_threadpool(work)
