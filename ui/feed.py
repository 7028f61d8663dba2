"""The live-update feed: one reader polls the change-feed table and fans events out to every browser over SSE.

One background task holds the only database connection the feed uses; each browser gets an
asyncio queue. A browser that reconnects (after a network blip or a server restart) sends the
id of the last event it saw, in Last-Event-ID or ?after=, and is replayed what it missed from an
in-memory buffer, or told to `resync` when the gap is older than the buffer.

Ids increase in commit order on SQLite (one writer at a time), so polling `id > last` misses nothing. On
PostgreSQL they do not: events are read through a horizon (ui/feedorder.py) that publishes them strictly in id
order, waiting up to LAG_SECONDS at a gap; and the reader is woken by LISTEN/NOTIFY (ui/listen.py) when
writers on any host commit, polling only as a fallback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import dataclass, field
import time
from typing import Any, AsyncIterator, Callable, Iterable

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from store import queries
from ui.feedorder import Horizon
from ui.listen import Listener
from ui.metrics import WebMetrics
from ui.security import logged_in

log = logging.getLogger("shortlist.ui.feed")
KEEPALIVE_SECONDS = 15.0
WAKE_SECONDS = 1.0
RETRY_MS = 1500
LAG_SECONDS = 5.0  # longest wait at a gap in event ids for the transaction that took the missing id
GAP_POLL_SECONDS = 0.1  # while events wait behind a gap
_CLOSE = object()


def topics(event: dict[str, Any]) -> list[str]:
    """The page topics an event changes: `jobs`, `rankings` (every job), `job-<id>`, `candidate-<id>`, `failed`,
    `rescore` (the re-score banner)."""
    kind = event["kind"]
    job, candidate = event.get("job_id"), event.get("candidate_id")
    if kind == "document.scored":
        if job is not None:
            return ["jobs", f"job-{job}"]
        return ["jobs", "rankings"] + ([f"candidate-{candidate}"] if candidate is not None else [])
    if kind == "decision":
        return ["jobs", f"job-{job}", f"candidate-{candidate}"]
    if kind == "candidate.deleted":
        return ["jobs", "rankings", f"candidate-{candidate}"]
    if kind == "taxonomy.reloaded":
        return ["jobs", "rankings", "candidates", "rescore"]
    if kind in ("rescore.started", "rescore.progress"):
        return ["rescore"]  # the banner and its progress bar; rankings refresh once the re-score is done
    if kind == "rescore.finished":
        return ["jobs", "rankings", "candidates", "rescore"]
    if kind in ("job.status", "job.rescored", "job.deleted"):  # candidate pages follow `jobs` too
        return ["jobs", f"job-{job}"]
    if kind in ("document.failed", "failure.dismissed"):
        return ["failed"]
    if kind.startswith("person."):  # merged, unmerged, split, unsplit, apart, possible_duplicate, revealed
        return ["jobs", "rankings", "people"] + ([f"candidate-{candidate}"] if candidate is not None else [])
    if kind == "job.blind":
        return ["jobs", f"job-{job}"]
    return []


@dataclass(eq=False)
class Subscriber:
    """One browser's stream: its queue, whether it may see team topics, and which files it follows."""

    team: bool
    hashes: frozenset[str] | None  # None: every file (team pages); else only these sha256s
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=256))

    def wants_file(self, sha256: str | None) -> bool:
        return bool(sha256) and (self.hashes is None or sha256 in self.hashes)

    def frames(self, events: Iterable[dict[str, Any]]) -> str:
        """SSE text for a batch: one `file` message per file event, each changed topic once, then the last id."""
        out: list[str] = []
        changed: dict[str, None] = {}
        last = None
        for event in events:
            last = event["id"]
            status = queries.event_file_status(event)
            if status and self.wants_file(event.get("sha256")):
                payload = {"id": event["id"], "sha256": event["sha256"], "filename": event.get("filename"), **status}
                out.append(f"event: file\ndata: {json.dumps(payload)}\n\n")
            if self.team:
                changed.update(dict.fromkeys(topics(event)))
        out.extend(f"event: {topic}\ndata: {last}\n\n" for topic in changed)
        if last is not None:
            out.append(f"id: {last}\n\n")
        return "".join(out)


class Feed:
    """The single reader of the change feed and its fan-out to subscribers."""

    def __init__(
        self,
        engine: Engine,
        metrics: WebMetrics,
        *,
        interval: float = 0.5,
        buffer: int = 2000,
        lag: float = LAG_SECONDS,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.interval = interval  # the fallback poll; on PostgreSQL a NOTIFY wakes the reader at once
        self.horizon = Horizon(lag)
        self.wake: asyncio.Event | None = None
        self.listener: Listener | None = None
        self.buffer: deque[dict[str, Any]] = deque(maxlen=buffer)
        self.subscribers: set[Subscriber] = set()
        self.last_id = 0
        self.floor = 0  # events with id <= floor were never buffered
        self.closing = asyncio.Event()
        self.should_stop: Callable[[], bool] = lambda: False  # set by the server: True once a shutdown starts
        self._task: asyncio.Task | None = None

    # --- the reader ---
    def _load(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            return queries.recent_events(session, self.buffer.maxlen or 0)

    def _poll(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            return queries.events_after(session, self.horizon.last, limit=1000)

    async def start(self) -> None:
        try:
            recent = await run_in_threadpool(self._load)
        except Exception:  # the database may not be there yet; the loop keeps trying
            log.exception("could not read the change feed at start")
            recent = []
        self.buffer.extend(recent)
        self.last_id = recent[-1]["id"] if recent else 0
        self.horizon.last = self.last_id
        self.floor = recent[0]["id"] - 1 if recent else 0
        self.wake = asyncio.Event()
        if self.engine.dialect.name == "postgresql":
            loop, wake = asyncio.get_running_loop(), self.wake
            self.listener = Listener(self.engine, lambda: loop.call_soon_threadsafe(wake.set)).start()
        self._task = asyncio.create_task(self._run(), name="shortlist-feed")

    async def _run(self) -> None:
        assert self.wake is not None
        while not self.closing.is_set():
            self.wake.clear()
            try:
                read = await run_in_threadpool(self._poll)
            except Exception:
                self.metrics.feed_errors.inc()
                log.warning("change feed poll failed", exc_info=True)
                read = []
            events = self.horizon.accept(read)
            if events:
                self.publish(events)
            if len(events) >= 1000:
                continue
            pause = GAP_POLL_SECONDS if self.horizon.waiting else self.interval
            try:
                await asyncio.wait_for(self.wake.wait(), pause)
            except asyncio.TimeoutError:
                pass

    def publish(self, events: list[dict[str, Any]]) -> None:
        self.buffer.extend(events)
        self.last_id = events[-1]["id"]
        if len(self.buffer) == self.buffer.maxlen:
            self.floor = self.buffer[0]["id"] - 1
        self.metrics.feed_events.inc(len(events))
        for subscriber in list(self.subscribers):
            try:
                subscriber.queue.put_nowait(events)
            except asyncio.QueueFull:  # a stalled browser: drop its backlog, tell it to reload its view
                _drain(subscriber.queue)
                subscriber.queue.put_nowait("resync")

    async def stop(self) -> None:
        self.closing.set()
        if self.wake is not None:
            self.wake.set()
        if self.listener is not None:
            await run_in_threadpool(self.listener.stop)
        for subscriber in list(self.subscribers):
            _drain(subscriber.queue)
            subscriber.queue.put_nowait(_CLOSE)
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    # --- the subscribers ---
    def missed(self, after: int | None) -> list[dict[str, Any]] | str:
        """Buffered events after `after`, or "resync" when the buffer no longer reaches back that far."""
        if after is None or after >= self.last_id:
            return []
        if after < self.floor:
            return "resync"
        return [event for event in self.buffer if event["id"] > after]

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.add(subscriber)
        self.metrics.sse_clients.set(len(self.subscribers))

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self.metrics.sse_clients.set(len(self.subscribers))


def _drain(queue: asyncio.Queue) -> None:
    while not queue.empty():
        queue.get_nowait()


def _after(request: Request) -> int | None:
    for raw in (request.headers.get("last-event-id"), request.query_params.get("after")):
        if raw and raw.strip().isdigit():
            return int(raw.strip())
    return None


async def events(request: Request) -> Response:
    """GET /events: the server-sent event stream. Team pages get topics and every file; anyone else only
    the files they name with ?sha=<sha256> (the job seeker's own two files)."""
    feed: Feed = request.app.state.feed
    team = logged_in(request)
    hashes = frozenset(h.lower() for h in request.query_params.getlist("sha") if len(h) == 64)
    if not team and not hashes:
        from ui.render import error

        return error(request, 401, "Log in to follow live updates, or name the files to follow with ?sha=.")
    subscriber = Subscriber(team=team, hashes=hashes or None)
    backlog = feed.missed(_after(request))
    feed.subscribe(subscriber)
    return StreamingResponse(
        _stream(feed, subscriber, backlog),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(feed: Feed, subscriber: Subscriber, backlog: list[dict[str, Any]] | str) -> AsyncIterator[str]:
    try:
        yield f"retry: {RETRY_MS}\n: connected at event {feed.last_id}\n\n"
        if backlog == "resync":
            yield f"event: resync\ndata: {feed.last_id}\n\nid: {feed.last_id}\n\n"
        elif backlog:
            yield subscriber.frames(backlog)
        quiet_since = time.monotonic()
        while not feed.should_stop():
            try:
                item = await asyncio.wait_for(subscriber.queue.get(), WAKE_SECONDS)
            except asyncio.TimeoutError:
                if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                    quiet_since = time.monotonic()
                    yield ": keep-alive\n\n"
                continue
            quiet_since = time.monotonic()
            if item is _CLOSE:
                return
            if item == "resync":
                yield f"event: resync\ndata: {feed.last_id}\n\nid: {feed.last_id}\n\n"
                continue
            text = subscriber.frames(item)
            if text:
                yield text
    finally:
        feed.unsubscribe(subscriber)
