"""The commit policy against a real SQLite file whose write lock another connection holds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from pipeline.retry import CommitPolicy, DatabaseBusy
from tests.instance import hold_write_lock


def _insert(session):
    session.execute(text("INSERT INTO taxonomy (version, skills, loaded_at) VALUES ('v-test', 1, '2026-01-01')"))
    return "written"


def test_a_write_that_stays_locked_gives_up_at_the_deadline_not_after_minutes(settings, engine):
    retries = []
    policy = CommitPolicy(engine, deadline_s=2, on_retry=lambda: retries.append(time.monotonic()), attempt_wait_s=0.4)
    holder = hold_write_lock(settings, 6)
    started = time.monotonic()
    with pytest.raises(DatabaseBusy, match="stayed locked"):
        policy.run(_insert)
    took = time.monotonic() - started
    holder.join()
    assert 1.9 < took < 4.5, took  # each attempt's busy wait is bounded by the time left
    assert len(retries) >= 2, "each retry is reported (the metric, and progress for the heartbeat)"


def test_a_lock_released_before_the_deadline_is_waited_out_and_the_write_lands(settings, engine):
    policy = CommitPolicy(engine, deadline_s=20)
    holder = hold_write_lock(settings, 1.0)
    assert policy.run(_insert) == "written"
    holder.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM taxonomy WHERE version = 'v-test'")).scalar() == 1


def test_the_connection_keeps_the_usual_busy_timeout_after_a_bounded_attempt(settings, engine):
    from store.db import BUSY_TIMEOUT_MS

    CommitPolicy(engine, deadline_s=2).run(_insert)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS


def test_an_error_that_is_not_a_busy_database_is_not_retried(engine):
    calls = []

    def broken(session):
        calls.append(1)
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))

    with pytest.raises(Exception, match="no such table"):
        CommitPolicy(engine, deadline_s=5).run(broken)
    assert calls == [1]
