"""The one retry policy for the pipeline's database writes: retry while SQLite is busy, until a deadline.

A write runs in its own transaction. While another connection holds SQLite's write lock, an attempt waits in
SQLite's busy handler for at most ATTEMPT_WAIT_S (never past the deadline), then the policy backs off briefly
and tries again. When the deadline passes the write raises DatabaseBusy: the caller puts its files back for
later without charging them an attempt (the lock is not the file's fault). This replaces a 20-try loop stacked
on a 30 s busy timeout, which could hold one commit for about ten minutes.

On PostgreSQL the same rule holds through one transaction-scoped advisory lock (WRITER_LOCK_KEY), waited for
at most the attempt's wait (`lock_timeout`): pipeline writes from every watcher on every host commit one at a
time, so a chunk's check that no document arrived since its snapshot (steps.write) is as sound as on SQLite.
A lock time-out, a deadlock or a serialization failure is "busy" there and is retried the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception, stop_after_delay, wait_exponential

from store.db import BUSY_TIMEOUT_MS

log = logging.getLogger("shortlist.retry")
ATTEMPT_WAIT_S = 5.0  # short enough that the loop notes progress (the heartbeat) between attempts
T = TypeVar("T")


class DatabaseBusy(RuntimeError):
    """Another writer held the database past the write's deadline."""


WRITER_LOCK_KEY = 0x5EED_0002
# lock_not_available (lock_timeout), serialization_failure, deadlock_detected
RETRIED_SQLSTATES = frozenset({"55P03", "40001", "40P01"})


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in RETRIED_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def take_writer_lock(session: Session, wait_s: float) -> None:
    """PostgreSQL: wait at most `wait_s` for the pipeline's writer lock, held until this transaction ends."""
    session.execute(text(f"SET LOCAL lock_timeout = {max(1, int(wait_s * 1000))}"))
    session.execute(text(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})"))


@contextmanager
def _transaction(engine: Engine, wait_s: float) -> Iterator[Session]:
    """One transaction whose wait for SQLite's write lock is bounded by `wait_s` (restored afterwards)."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:  # set on the DBAPI connection, before SQLAlchemy begins (BEGIN IMMEDIATE waits)
            raw.execute(f"PRAGMA busy_timeout={max(1, int(wait_s * 1000))}")
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                try:
                    if engine.dialect.name == "postgresql":
                        take_writer_lock(session, wait_s)
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class CommitPolicy:
    """`run(write)` calls `write(session)` in one transaction and returns its result, or raises DatabaseBusy."""

    def __init__(
        self,
        engine: Engine,
        deadline_s: float,
        on_retry: Callable[[], None] = lambda: None,
        attempt_wait_s: float = ATTEMPT_WAIT_S,
    ) -> None:
        self.engine = engine
        self.deadline_s = deadline_s
        self.attempt_wait_s = attempt_wait_s
        self.on_retry = on_retry  # counts the retry and notes progress: waiting out a lock is not being stuck

    def _before_sleep(self, state: RetryCallState) -> None:
        self.on_retry()
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "database busy, retrying (%d, %.1f s of %g s): %s",
            state.attempt_number,
            state.seconds_since_start or 0.0,
            self.deadline_s,
            getattr(error, "orig", error),
        )

    def run(self, write: Callable[[Session], T]) -> T:
        deadline = time.monotonic() + self.deadline_s
        retrying = Retrying(
            stop=stop_after_delay(self.deadline_s),
            wait=wait_exponential(multiplier=0.05, max=1.0),
            retry=retry_if_exception(is_busy),
            before_sleep=self._before_sleep,
        )
        try:
            for attempt in retrying:
                with attempt:
                    wait = min(self.attempt_wait_s, max(0.0, deadline - time.monotonic()))
                    with _transaction(self.engine, wait) as session:
                        return write(session)
        except RetryError as exc:
            raise DatabaseBusy(
                f"the database stayed locked by another writer for {self.deadline_s:g} s "
                "(SHORTLIST_DB_DEADLINE_SECONDS)"
            ) from exc.last_attempt.exception()
        raise AssertionError("unreachable: tenacity either returns, raises or gives up")
