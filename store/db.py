"""Engine (SQLite with its pragmas in one connect hook, or PostgreSQL), sessions, and schema migration to head."""

from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from store.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# A commit that finds the WAL past this many pages copies it back into the database file and syncs it (a
# checkpoint). SQLite's default, 1,000 pages (4 MB), made nearly every re-score batch pay one; at 64 MiB a page
# rewritten by ten batches in a row (an index's) is copied back once. The WAL file is cut back to the same size.
WAL_CHECKPOINT_PAGES = 16_384  # 64 MiB of 4 KiB pages
WAL_SIZE_LIMIT = WAL_CHECKPOINT_PAGES * 4096


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cursor.close()


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock up front instead,
        # so a writer waits on busy_timeout rather than failing to upgrade a read lock.
        event.listen(engine, "connect", _no_implicit_begin)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    if not url.startswith("postgresql"):
        raise SystemExit(f"SHORTLIST_DATABASE_URL must be sqlite:///… or postgresql+psycopg://…, got {url!r}")
    # PostgreSQL: READ COMMITTED; the pipeline's writers take one advisory lock per transaction
    # (pipeline/retry.py), the same one-writer-at-a-time rule SQLite's BEGIN IMMEDIATE gives.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _no_implicit_begin(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def read_engine(url: str) -> Engine:
    """An engine whose transactions start DEFERRED: readers never take SQLite's write lock."""
    engine = make_engine(url)
    return engine.execution_options(sqlite_begin="DEFERRED")


def _alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


MIGRATION_LOCK_KEY = 0x5EED_0001  # PostgreSQL advisory lock: one migrating process across every host


@contextmanager
def _migration_lock(settings: Settings, engine: Engine) -> Iterator[None]:
    """SQLite: a file lock beside the database; PostgreSQL: a session advisory lock, so watchers and webs
    starting at once on different hosts migrate one after the other."""
    if not is_sqlite(settings.database_url):
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            connection.commit()
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                connection.commit()
        return
    settings.store.mkdir(parents=True, exist_ok=True)
    with open(settings.store / ".migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for migrations, with SQLite's foreign keys off around it: a batch migration copies a table
    and drops the old one, and with foreign keys on that DROP would cascade into every table referring to it
    (match_skill rows when match is rebuilt). The pragma is a no-op inside a transaction, so it is set before."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection if is_sqlite(str(engine.url)) else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def migrate(settings: Settings, engine: Engine) -> None:
    """Upgrade the schema to head; safe when the watcher and the web start at once."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic import command

    config = _alembic_config(settings.database_url)
    with _migration_lock(settings, engine):
        for attempt in range(5):
            try:
                with migration_transaction(engine) as connection:
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                return
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
