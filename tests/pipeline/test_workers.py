"""The parse worker pool: time-outs and crashes cost one worker, never the pool."""

import os
import time

import pytest

from pipeline.workers import WorkerCrashed, WorkerPool, WorkerTimeout


def double(x):
    return 2 * x


def sleep_for(seconds):
    time.sleep(seconds)
    return seconds


def die(_):
    os._exit(3)


def boom(message):
    raise ValueError(message)


@pytest.fixture
def pool():
    replaced = []
    pool = WorkerPool(2, timeout=2.0, on_replace=replaced.append)
    pool.replaced = replaced
    yield pool
    pool.close()


def test_runs_tasks_and_returns_results(pool):
    assert [pool.run(double, n) for n in range(5)] == [0, 2, 4, 6, 8]


def test_a_task_past_its_time_limit_is_killed_and_the_worker_replaced(pool):
    with pytest.raises(WorkerTimeout):
        pool.run(sleep_for, 30)
    assert pool.replaced == ["timeout"]
    assert pool.run(double, 21) == 42


def test_a_worker_that_dies_is_reported_and_replaced(pool):
    with pytest.raises(WorkerCrashed, match="exit code 3"):
        pool.run(die, None)
    assert pool.replaced == ["crash"]
    assert pool.run(double, 1) == 2


def test_an_exception_in_the_task_reaches_the_caller_and_the_worker_lives(pool):
    with pytest.raises(ValueError, match="bad input"):
        pool.run(boom, "bad input")
    assert pool.replaced == []
    assert pool.run(double, 2) == 4
