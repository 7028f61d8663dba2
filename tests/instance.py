"""A throw-away Shortlist instance for tests and benchmarks: its environment, settings, database and processes.

Plain functions, no fixtures: tests/conftest.py wraps them as fixtures; tests and bench/ import them from here.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from store.db import is_sqlite, make_engine, migrate
from store.settings import ensure_dirs, load

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a second instance living in `home`, using the repo's skills taxonomy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
    env.update(
        SHORTLIST_HOME=str(home),
        SHORTLIST_SKILLS=str(ROOT / "skills"),
        SHORTLIST_METRICS_PORT="0",
        SHORTLIST_STABLE_SECONDS="0.2",
        SHORTLIST_RESCAN_SECONDS="2",
        SHORTLIST_HEARTBEAT_SECONDS="1",
    )
    env.update(extra)
    return env


def instance(env: dict[str, str]):
    """Settings of the instance `env` describes, its folders made and its database at the latest schema."""
    settings = load(env)
    ensure_dirs(settings)
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    engine.dispose()
    return settings


def db_rows(settings, sql: str, *params):
    """Rows of `sql` (`?` placeholders) on the instance's database, SQLite or PostgreSQL."""
    if is_sqlite(settings.database_url):
        path = settings.database_url.split("///", 1)[1]
        with sqlite3.connect(path, timeout=30) as conn:
            rows = conn.execute(sql, params).fetchall()
        conn.close()  # the context manager commits; it does not close
        return rows
    import psycopg

    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        query = sql.replace("%", "%%").replace("?", "%s") if params else sql
        cursor = conn.execute(query, params or None)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def start_watcher(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", "watch"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
        )


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it returns something true (which is returned); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")


def hold_write_lock(settings, seconds: float) -> threading.Thread:
    """Another connection takes the writer's lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the pipeline's advisory
    lock) and keeps it for `seconds`; join the thread to wait for the release."""
    taken = threading.Event()

    def hold_pg() -> None:
        import psycopg
        from pipeline.retry import WRITER_LOCK_KEY

        url = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(url) as conn:
            conn.execute(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
            taken.set()
            time.sleep(seconds)
            conn.rollback()

    def hold() -> None:
        if not is_sqlite(settings.database_url):
            return hold_pg()
        conn = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold, name="hold-write-lock", daemon=True)
    thread.start()
    if not taken.wait(10):
        raise AssertionError("could not take the write lock")
    return thread
