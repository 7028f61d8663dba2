"""Live updates: the feed reader and its fan-out, and the SSE stream on a real uvicorn server."""

from __future__ import annotations

import asyncio
import hashlib
import queue
import threading
import time

import httpx
import pytest
from sqlalchemy import event as sa_event

from store.db import make_engine
from tests.instance import wait_for
from tests.seed import Seeder, resume_text
from tests.ui.support import LiveServer, ui_settings
from ui.feed import Feed, Subscriber, topics
from ui.metrics import WebMetrics


class SSEReader:
    """Reads a server-sent event stream in a thread; `next(name)` waits for the next event of that name."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue = queue.Queue()
        self.status: int | None = None
        self.opened = threading.Event()
        self.closed = threading.Event()
        self._stop = False
        self.thread = threading.Thread(target=self._run, args=(url, headers or {}), daemon=True)
        self.thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _run(self, url: str, headers: dict[str, str]) -> None:
        try:
            with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(30, read=60)) as response:
                self.status = response.status_code
                self.opened.set()
                name, data, last_id = "message", [], None
                for line in response.iter_lines():
                    if self._stop:
                        break
                    if line == "":
                        if data or last_id is not None:
                            self.events.put((name, "\n".join(data), last_id))
                        name, data, last_id = "message", [], None
                    elif line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line.startswith("id: "):
                        last_id = int(line[4:])
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.closed.set()

    def next(self, name: str, timeout: float = 5.0) -> tuple[str, str, int | None]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            try:
                item = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if item[0] == name:
                return item

    def drain(self, wait: float = 0.5) -> list[str]:
        time.sleep(wait)
        names = []
        while not self.events.empty():
            names.append(self.events.get()[0])
        return names

    def close(self) -> None:
        self._stop = True


@pytest.fixture
def server(settings):
    with LiveServer(settings) as server:
        yield server


def caught_up(server, engine) -> None:
    """Wait until the feed has read every event written so far."""
    from sqlmodel import Session
    from store.queries import feed_head

    with Session(engine) as session:
        head = feed_head(session)
    wait_for(lambda: server.app.state.feed.last_id >= head, timeout=5, interval=0.02, message="the feed to catch up")


def test_a_scored_resume_reaches_an_open_stream_as_file_and_topics(server, engine, seeder):
    job = seeder.job("Backend Engineer", ["Python"]).id
    caught_up(server, engine)
    reader = SSEReader(f"{server.url}/events")
    assert reader.status == 200
    candidate = seeder.resume("Ada", ["Python"]).id
    name, data, _ = reader.next("file")
    assert '"status": "scored"' in data and f'"candidate_id": {candidate}' in data
    for topic in ("jobs", "rankings", f"candidate-{candidate}"):
        reader.next(topic)
    reader.close()
    assert job


def test_a_reconnecting_browser_is_replayed_what_it_missed(server, engine, seeder):
    first = SSEReader(f"{server.url}/events")
    seeder.resume("Ada", ["Python"])
    first.next("rankings")
    first.close()
    seen = server.app.state.feed.last_id
    seeder.resume("Bea", ["Go"])  # while the browser is away
    caught_up(server, engine)
    second = SSEReader(f"{server.url}/events", headers={"Last-Event-ID": str(seen)})
    _, data, _ = second.next("file")
    assert '"filename": "bea.txt"' in data
    second.next("rankings")
    second.close()
    third = SSEReader(f"{server.url}/events?after={server.app.state.feed.last_id}")
    assert "rankings" not in third.drain()
    third.close()


def test_an_anonymous_client_only_hears_about_its_own_files(tmp_path):
    settings = ui_settings(tmp_path / "locked", SHORTLIST_PASSWORD="pw")
    engine = make_engine(settings.database_url)
    with LiveServer(settings) as server:
        assert httpx.get(f"{server.url}/events", timeout=5).status_code == 401
        seeder = Seeder(settings, engine)
        text = resume_text("Mona Mine", ["Python"])
        mine = hashlib.sha256(text.encode()).hexdigest()  # what the upload page told this browser
        caught_up(server, engine)
        reader = SSEReader(f"{server.url}/events?sha={mine}")
        seeder.resume("Someone Else", ["Python"])
        assert seeder.document("resume", "mona.txt", text).sha256 == mine
        _, data, _ = reader.next("file")
        assert mine in data and "Someone" not in data and "someone" not in data
        assert set(reader.drain()) <= {"message"}  # no topics, no other files
        reader.close()
    engine.dispose()


def test_one_feed_reader_serves_every_client(server, seeder):
    polls = []
    listener = lambda *args: polls.append(args[2]) if "FROM event" in args[2] else None  # noqa: E731
    sa_event.listen(server.app.state.read_engine.engine, "before_cursor_execute", listener)
    time.sleep(1.0)
    alone = len(polls)
    readers = [SSEReader(f"{server.url}/events") for _ in range(8)]
    wait_for(
        lambda: server.app.state.metrics.sse_clients._value.get() >= 8,
        timeout=5,
        interval=0.05,
        message="eight open streams",
    )
    assert server.app.state.metrics.sse_clients._value.get() == 8
    polls.clear()
    time.sleep(1.0)
    assert len(polls) <= alone + 3  # the same polling with eight browsers as with none
    seeder.resume("Ada", ["Python"])
    for reader in readers:
        reader.next("rankings")
        reader.close()
    sa_event.remove(server.app.state.read_engine.engine, "before_cursor_execute", listener)


def test_shutdown_ends_open_streams_promptly(settings):
    server = LiveServer(settings).__enter__()
    reader = SSEReader(f"{server.url}/events")
    started = time.monotonic()
    server.__exit__(None, None, None)
    assert not server.thread.is_alive() and time.monotonic() - started < 5
    assert reader.closed.wait(5)


# --- the feed without a server ---------------------------------------------------------------


def events(*ids, kind="document.scored", **fields):
    return [
        {
            "id": i,
            "kind": kind,
            "sha256": f"{i:064d}",
            "filename": f"{i}.txt",
            "detail": "",
            "document_id": i,
            "candidate_id": fields.get("candidate_id", i),
            "job_id": fields.get("job_id"),
        }
        for i in ids
    ]


def test_topics_of_each_kind_of_event():
    assert topics({"kind": "document.scored", "job_id": 3, "candidate_id": None}) == ["jobs", "job-3"]
    assert topics({"kind": "document.scored", "job_id": None, "candidate_id": 7}) == ["jobs", "rankings", "candidate-7"]
    assert topics({"kind": "decision", "job_id": 3, "candidate_id": 7}) == ["jobs", "job-3", "candidate-7"]
    assert topics({"kind": "candidate.deleted", "job_id": None, "candidate_id": 7}) == [
        "jobs",
        "rankings",
        "candidate-7",
    ]
    assert topics({"kind": "taxonomy.reloaded"}) == ["jobs", "rankings", "candidates", "rescore"]  # the banner too
    assert topics({"kind": "document.failed"}) == ["failed"]
    assert topics({"kind": "document.started"}) == []


def test_a_batch_becomes_file_messages_each_topic_once_and_the_last_id():
    frames = Subscriber(team=True, hashes=None).frames(events(4, 5))
    assert frames.count("event: file\n") == 2
    assert frames.count("event: rankings\n") == 1 and frames.count("event: jobs\n") == 1
    assert frames.endswith("id: 5\n\n")
    public = Subscriber(team=False, hashes=frozenset({f"{5:064d}"})).frames(events(4, 5))
    assert public.count("event: file\n") == 1 and "rankings" not in public and public.endswith("id: 5\n\n")


def test_missed_events_are_replayed_from_the_buffer_or_a_resync_is_asked():
    feed = Feed(engine=None, metrics=WebMetrics(), buffer=3)
    feed.publish(events(1, 2))
    assert [e["id"] for e in feed.missed(0)] == [1, 2]
    assert feed.missed(None) == [] and feed.missed(2) == [] and feed.missed(99) == []
    feed.publish(events(3, 4, 5))
    assert [e["id"] for e in feed.missed(2)] == [3, 4, 5]
    assert feed.missed(1) == "resync"


def test_a_stalled_browser_is_told_to_resync_instead_of_blocking_the_feed():
    feed = Feed(engine=None, metrics=WebMetrics())
    subscriber = Subscriber(team=True, hashes=None)
    feed.subscribe(subscriber)
    for i in range(1, 300):
        feed.publish(events(i))
    assert subscriber.queue.get_nowait() == "resync"  # the backlog was dropped for one "reload your view"
    assert subscriber.queue.qsize() == 299 - 257
    asyncio.run(feed.stop())
    assert subscriber.queue.qsize() == 1  # the close marker
