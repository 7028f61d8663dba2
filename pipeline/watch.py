"""The daemon: a watchdog observer notices files, a stability tracker queues them, the driver ingests them."""

from __future__ import annotations

import logging
import os
import signal
import stat
import threading
import time
from pathlib import Path

from sqlalchemy.engine import Engine
from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)

from pipeline import checks, retention
from pipeline import observer as observers
from pipeline.inbox import is_junk
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from pipeline.prober import CanaryProber
from pipeline.retry import DatabaseBusy
from store.db import session_scope
from store.models import Heartbeat, utcnow
from store.settings import Settings

log = logging.getLogger("shortlist.watch")
# Files claimed per turn: small enough that watchers sharing an inbox, which see the same files become stable
# at the same moment, split them (the second finds the first chunk held and claims the next one at once).
BATCH = 16
DECISIONS_SECONDS = 1.0  # how often the change feed is read for reopened jobs
# Events that mean a file's content or name changed. Opening, reading (closed without a write) and attribute
# changes are left out: the watcher's own reads of skills/ and of the inbox would otherwise look like edits.
CHANGES = frozenset({EVENT_TYPE_MODIFIED, EVENT_TYPE_CREATED, EVENT_TYPE_MOVED, EVENT_TYPE_DELETED, EVENT_TYPE_CLOSED})
RETENTION_SECONDS = 3600.0


def _hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    return any(part.startswith(".") for part in parts[:-1]) or is_junk(path)


def heartbeat_path(settings: Settings) -> Path:
    """The file the watcher touches on every heartbeat."""
    return settings.store / "watcher.heartbeat"


class StabilityTracker:
    """A path is stable after a quiet period with size and mtime unchanged, and is still a regular file."""

    def __init__(self, quiet: float) -> None:
        self.quiet = quiet
        self._pending: dict[Path, tuple[float, tuple[int, float] | None]] = {}
        self._lock = threading.Lock()
        self.wake = threading.Event()

    def touch(self, path: Path) -> None:
        try:
            info = path.stat()
            signature = (info.st_size, info.st_mtime)
        except OSError:
            signature = None
        with self._lock:
            self._pending[path] = (time.monotonic(), signature)
        self.wake.set()

    def forget(self, path: Path) -> None:
        with self._lock:
            self._pending.pop(path, None)

    def __len__(self) -> int:
        return len(self._pending)

    def stable(self) -> list[Path]:
        now = time.monotonic()
        ready: list[Path] = []
        with self._lock:
            for path, (last_event, signature) in list(self._pending.items()):
                if now - last_event < self.quiet:
                    continue
                try:
                    info = path.stat()
                except FileNotFoundError:
                    del self._pending[path]
                    continue
                if not stat.S_ISREG(info.st_mode):
                    del self._pending[path]
                    continue
                current = (info.st_size, info.st_mtime)
                if signature == current:
                    ready.append(path)
                    del self._pending[path]
                else:  # look again after another quiet period
                    self._pending[path] = (now, current)
        return sorted(ready, key=lambda p: (p.stat().st_mtime if p.exists() else 0, str(p)))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return
        if event.is_directory:
            if event.event_type in ("created", "moved"):
                self.watcher.rescan_soon.set()
            return
        for attr in ("src_path", "dest_path"):
            raw = getattr(event, attr, "")
            if raw:
                self.watcher.offer(Path(os.fsdecode(raw)))


class Watcher:
    def __init__(self, settings: Settings, engine: Engine, metrics: PipelineMetrics | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.metrics = metrics or PipelineMetrics()
        self.ingestor = Ingestor(settings, engine, self.metrics)
        self.observer_kind, self.observer_reason = observers.choose(settings.observer, settings.inbox)
        polling = self.observer_kind == "polling"
        # polling hears a change only at its next scan: a file must stay unchanged over two of them
        self.tracker = StabilityTracker(
            max(settings.stable_seconds, 2 * settings.poll_seconds) if polling else settings.stable_seconds
        )
        self.roots = [settings.inbox / "resumes", settings.inbox / "jobs", settings.inbox / checks.FOLDER]
        self.stop_event = threading.Event()
        self.rescan_soon = threading.Event()
        self.skills_changed = threading.Event()
        self.next_retention = time.monotonic()  # the first run right at start
        self.observer = observers.make_observer(self.observer_kind, settings.poll_seconds)
        self.pid, self.started = os.getpid(), utcnow()
        self.canary = CanaryProber(settings, self.metrics, lambda: self.ingestor.taxonomy, self.ingestor.limits)

    def offer(self, path: Path) -> None:
        for root in self.roots:
            if path.is_relative_to(root):
                if not _hidden(path, root):
                    self.tracker.touch(path)
                return
        if path.is_relative_to(self.settings.skills) and path.suffix in (".yaml", ".yml"):
            self.skills_changed.set()
            self.tracker.wake.set()

    def requeue(self, paths: list[Path]) -> None:
        """A file still in the inbox after its turn (charged an attempt, put back while the database was
        locked, or a copy of a file that was not committed yet) is taken again after the stability wait; the
        attempts recorded in the database decide when it is set aside."""
        for path in paths:
            if path.exists():
                self.tracker.touch(path)

    def rescan(self) -> int:
        found = 0
        for root in self.roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    path = Path(folder) / name
                    if not _hidden(path, root):
                        self.tracker.touch(path)
                        found += 1
        return found

    def heartbeat(self) -> None:
        """Beat while the main loop makes progress; a stuck loop stops the beat and autoheal notices.

        Two beats: a file touched in the store (what autoheal reads; it needs no database lock, so a
        watcher waiting out another writer's lock is not taken for hung) and the Heartbeat row (/readyz).
        While a re-score is pending, progress means a committed batch: a loop that keeps ticking but
        commits none is as stuck as one that stopped."""
        stale_after = max(60.0, 6 * self.settings.heartbeat_seconds)
        while not self.stop_event.wait(self.settings.heartbeat_seconds):
            now = time.monotonic()
            quiet = now - max(self.loop_tick, self.ingestor.last_progress)
            rescore = self.ingestor.rescore
            if rescore.pending and now - rescore.last_progress > stale_after:
                quiet = now - rescore.last_progress
            if quiet > stale_after:
                log.error("main loop has made no progress for %.0f s; withholding heartbeat", quiet)
                continue
            self.beat()

    def beat(self) -> None:
        """Touch the heartbeat file and write the Heartbeat row (after every re-score batch, too)."""
        heartbeat_path(self.settings).touch()
        try:
            with session_scope(self.engine) as session:
                beat = session.get(Heartbeat, "watcher") or Heartbeat(process="watcher", pid=self.pid)
                if beat.pid != self.pid:
                    beat.pid, beat.started_at = self.pid, self.started
                beat.beat_at = utcnow()
                session.add(beat)
        except Exception as exc:  # a locked database must not kill the heartbeat thread
            log.warning("heartbeat row not written: %s", exc)

    def rescore_step(self) -> bool:
        """One re-score batch after the new files (so they are never starved); True when one was done."""
        try:
            batch = self.ingestor.rescore.step(self.ingestor.taxonomy)
        except Exception:  # counted and retried; a batch that never succeeds stops the heartbeat
            self.metrics.rescore_errors.inc()
            log.exception("re-score batch failed; trying again")
            time.sleep(1.0)
            return False
        if batch is None:
            return False
        self.ingestor.last_progress = self.loop_tick = time.monotonic()
        started = time.perf_counter()
        self.beat()
        log.debug("re-score batch: %s; heartbeat %.3f s", batch, time.perf_counter() - started)
        return True

    def start(self) -> None:
        for root in self.roots:
            root.mkdir(parents=True, exist_ok=True)
            self.observer.schedule(_Handler(self), str(root), recursive=True)
        if self.settings.skills.is_dir():
            self.observer.schedule(_Handler(self), str(self.settings.skills), recursive=True)
        self.observer.start()
        self.loop_tick = time.monotonic()
        threading.Thread(target=self.heartbeat, name="heartbeat", daemon=True).start()
        self.canary.start()

    def run(self) -> None:
        """Process what is already there, then events, with a periodic rescan for anything missed."""
        self.start()
        self.rescan()
        next_rescan = time.monotonic() + self.settings.rescan_seconds
        next_decisions = 0.0
        log.info(
            "watching %s with %s (%s; taxonomy %s, %d skills)",
            self.settings.inbox,
            self.observer_kind,
            self.observer_reason,
            self.ingestor.taxonomy.version[:12],
            len(self.ingestor.taxonomy),
        )
        try:
            while not self.stop_event.is_set():
                self.loop_tick = time.monotonic()
                if self.skills_changed.is_set():
                    self.reload_skills()
                if self.rescan_soon.is_set() or time.monotonic() >= next_rescan:
                    self.rescan_soon.clear()
                    self.rescan()
                    try:
                        checks.purge_checks(self.ingestor)
                    except DatabaseBusy as exc:  # expired checks are erased on the next rescan
                        log.warning("expired checks not erased yet: %s", exc)
                    next_rescan = time.monotonic() + self.settings.rescan_seconds
                if time.monotonic() >= self.next_retention:
                    self.erase_expired()
                if time.monotonic() >= next_decisions:  # a person's decisions the pipeline acts on
                    self.ingestor.score_reopened()
                    next_decisions = time.monotonic() + DECISIONS_SECONDS
                ready = self.tracker.stable()
                self.metrics.backlog.set(len(self.tracker) + len(ready))
                for start in range(0, len(ready), BATCH):
                    if self.stop_event.is_set():
                        break
                    batch = ready[start : start + BATCH]
                    outcomes = self.ingestor.process(batch)
                    # a file another watcher holds is its to finish; the rescan looks again if it dies
                    self.requeue([Path(o.path) for o in outcomes if o.outcome != "held"])
                    self.loop_tick = time.monotonic()
                    self.metrics.backlog.set(len(self.tracker) + max(0, len(ready) - start - BATCH))
                if self.ingestor.rescore.pending and not self.stop_event.is_set():
                    if self.rescore_step():
                        continue
                if not ready:
                    self.tracker.wake.wait(min(0.25, max(0.05, self.settings.stable_seconds / 2)))
                    self.tracker.wake.clear()
        finally:
            self.observer.stop()
            self.observer.join(5)
            self.ingestor.close()
            log.info("stopped")

    def reload_skills(self) -> None:
        """skills/ changed: load it again (the canaries rerun on a new version); a busy database puts it off."""
        time.sleep(0.3)  # let an editor finish writing
        self.skills_changed.clear()
        try:
            if self.ingestor.reload_taxonomy():
                self.canary.poke()
        except DatabaseBusy as exc:  # the old taxonomy stays in use; try the reload again
            log.warning("taxonomy reload put off: %s", exc)
            self.skills_changed.set()

    def erase_expired(self) -> None:
        """Retention, once an hour: people nobody touched for SHORTLIST_RETENTION_DAYS are erased."""
        self.next_retention = time.monotonic() + RETENTION_SECONDS
        try:
            retention.run(self.settings, self.engine)
        except Exception:  # the daemon goes on; the next hour tries again
            log.exception("retention run failed")

    def stop(self, *_args) -> None:
        self.stop_event.set()
        self.canary.stop()
        self.tracker.wake.set()


def serve(settings: Settings, engine: Engine) -> None:
    metrics = PipelineMetrics()
    metrics.read_store(settings.database_url)
    watcher = Watcher(settings, engine, metrics)
    metrics.serve(settings.metrics_host, settings.metrics_port)
    signal.signal(signal.SIGTERM, watcher.stop)
    signal.signal(signal.SIGINT, watcher.stop)
    watcher.run()
