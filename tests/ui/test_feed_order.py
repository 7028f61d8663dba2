"""The change feed across hosts: events published in id order though PostgreSQL commits them out of order, and
LISTEN/NOTIFY waking the reader when another connection (another host) commits."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from sqlalchemy import insert
from sqlmodel import Session

from store.models import Event, utcnow
from ui.feed import Feed
from ui.feedorder import Horizon
from ui.metrics import WebMetrics


def _events(*ids: int) -> list[dict]:
    return [{"id": i, "kind": "document.scored"} for i in ids]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_events_in_order_pass_at_once():
    horizon = Horizon(lag=5)
    assert [e["id"] for e in horizon.accept(_events(1, 2, 3))] == [1, 2, 3]
    assert horizon.last == 3 and not horizon.waiting


def test_an_event_behind_a_gap_waits_for_the_missing_one_and_both_go_in_order():
    clock = Clock()
    horizon = Horizon(lag=5, clock=clock)
    assert [e["id"] for e in horizon.accept(_events(1, 3))] == [1]
    assert horizon.waiting
    clock.now = 2
    assert horizon.accept(_events(3)) == []
    assert [e["id"] for e in horizon.accept(_events(2, 3))] == [2, 3]
    assert horizon.last == 3 and horizon.gaps_skipped == 0


def test_a_gap_that_never_fills_is_given_up_after_the_lag():
    clock = Clock()
    horizon = Horizon(lag=5, clock=clock)
    assert horizon.accept(_events(2, 3)) == []
    clock.now = 4.9
    assert horizon.accept(_events(2, 3)) == []
    clock.now = 5.0
    assert [e["id"] for e in horizon.accept(_events(2, 3))] == [2, 3]
    assert horizon.gaps_skipped == 1
    assert horizon.accept(_events(1)) == [], "an id below the horizon is never published late, out of order"


def _insert_event(session, name: str) -> None:
    session.execute(
        insert(Event.__table__).values(kind="document.scored", filename=name, detail="", created_at=utcnow())
    )


async def _collect(feed: Feed, until, timeout: float) -> list[dict]:
    published: list[dict] = []
    original = feed.publish

    def publish(events):
        published.extend(events)
        original(events)

    feed.publish = publish  # type: ignore[method-assign]
    deadline = time.monotonic() + timeout
    while not until(published) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    feed.publish = original  # type: ignore[method-assign]
    return list(published)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # SQLite: one writer, ids are commit order
def test_the_feed_publishes_in_id_order_when_transactions_commit_out_of_order(engine):
    """Transaction A takes an id, B takes the next and commits first: B waits for A, then both go, A first."""

    async def scenario() -> tuple[list[str], list[str]]:
        feed = Feed(engine, WebMetrics(), interval=0.05, lag=30)
        await feed.start()
        try:
            slow = Session(engine)
            _insert_event(slow, "a")  # takes id n, not committed yet
            slow.flush()
            with Session(engine) as fast:
                _insert_event(fast, "b")  # takes id n+1
                fast.commit()
            early = await _collect(feed, lambda got: got, 1.0)
            slow.commit()
            slow.close()
            later = await _collect(feed, lambda got: len(got) >= 2, 10.0)
        finally:
            await feed.stop()
        return [e["filename"] for e in early], [e["filename"] for e in later]

    early, later = asyncio.run(scenario())
    assert early == [], "b waits behind a's uncommitted id"
    assert later == ["a", "b"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # LISTEN/NOTIFY is PostgreSQL's
def test_a_commit_on_another_connection_wakes_the_feed_through_notify(engine, settings):
    """With the fallback poll at 60 s, only NOTIFY can bring the event within a second."""

    async def scenario() -> float:
        feed = Feed(engine, WebMetrics(), interval=60)
        await feed.start()
        try:
            assert feed.listener is not None
            await asyncio.get_running_loop().run_in_executor(None, feed.listener.listening.wait, 10)
            await asyncio.sleep(0.2)  # the first poll after LISTEN has run
            url = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
            started = time.monotonic()
            with psycopg.connect(url) as other:  # a writer elsewhere: plain SQL, its own connection
                other.execute(
                    "INSERT INTO event (kind, filename, detail, created_at) "
                    "VALUES ('document.scored', 'remote', '', now())"
                )
            got = await _collect(feed, lambda got: got, 5.0)
            assert [e["filename"] for e in got] == ["remote"]
            return time.monotonic() - started
        finally:
            await feed.stop()

    assert asyncio.run(scenario()) < 2.0
