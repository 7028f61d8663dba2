"""Chaos Toolkit actions that hold SQLite's write lock from another connection, and release it."""

from __future__ import annotations

import sqlite3
import threading

from chaos.actions import _drill
from chaos.deployment import Deployment


def lock_database(seconds: float = 10.0) -> dict:
    """Hold SQLite's write lock (BEGIN IMMEDIATE in another connection) for `seconds`; the undo releases it."""
    drill, dep = _drill()
    release = threading.Event()
    taken = threading.Event()
    problem: list[str] = []
    retries_before = _metric(dep, "shortlist_db_retries_total")

    def hold() -> None:
        try:
            conn = sqlite3.connect(dep.db_path, timeout=10, isolation_level=None)
        except sqlite3.Error as exc:
            problem.append(str(exc))
            taken.set()
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            taken.set()
            drill.mark("fault")
            release.wait(seconds)
            conn.execute("ROLLBACK")
            drill.mark("fault ended")
        except sqlite3.Error as exc:
            problem.append(str(exc))
            taken.set()
        finally:
            conn.close()

    thread = threading.Thread(target=hold, name="db-lock", daemon=True)

    def undo() -> None:
        release.set()
        thread.join(15)
        if thread.is_alive():
            raise RuntimeError("the lock-holding connection did not close")

    drill.on_rollback("release the database lock", undo)
    thread.start()
    taken.wait(15)
    if problem:
        raise RuntimeError(f"could not take the write lock: {problem[0]}")
    drill.files["db_lock"] = (thread, retries_before)
    return {"held_for_s": seconds}


def await_lock_released() -> dict:
    """Wait for the held lock to end by itself; record the watcher's retries and its heartbeat's age."""
    drill, dep = _drill()
    thread, retries_before = drill.files["db_lock"]
    ages = []
    while thread.is_alive():
        rows = dep.query(
            "SELECT (julianday('now') - julianday(beat_at)) * 86400 FROM heartbeat WHERE process = 'watcher'"
        )
        if rows and rows[0][0] is not None:
            ages.append(rows[0][0])
        thread.join(0.5)
    drill.rollback_label("release the database lock")
    retries = _metric(dep, "shortlist_db_retries_total")
    drill.measure(
        db_retries=None if retries is None or retries_before is None else retries - retries_before,
        watcher_heartbeat_max_age_s=round(max(ages), 2) if ages else None,
        lock_held_s=drill.between("fault", "fault ended"),
    )
    return {"retries": drill.measures["db_retries"]}


def _metric(dep: Deployment, name: str) -> float | None:
    values = [v for (n, _), v in dep.watcher_metrics().items() if n == name]
    return sum(values) if values else None


def release_database() -> dict:
    """Rollback: end the held write lock now (a no-op once it has ended by itself)."""
    drill, _ = _drill()
    return {"released": drill.rollback_label("release the database lock")}
