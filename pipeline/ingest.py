"""The driver: claim a file, run the stages in a worker, archive, commit in one transaction, then let go of it."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from pipeline import checks, record
from pipeline.inflight import InFlight
from pipeline.metrics import PipelineMetrics
from pipeline.model import model_for
from pipeline.parse import ParseError
from pipeline.parse.errors import size_and_limit
from pipeline.rescore import Rescorer
from pipeline.stages import Analysis, Limits, analyse_in_worker, analyse_text, warm_worker
from pipeline.taxonomy import Taxonomy, load_taxonomy, taxonomy_version
from pipeline.workers import WorkerCrashed, WorkerPool, WorkerTimeout
from store.db import session_scope
from store.models import Attempt, Document, Event, Job
from store.settings import Settings

log = logging.getLogger("shortlist.ingest")
COMMIT_CHUNK = 16  # files per transaction: fewer commits, results still visible within a fraction of a second
JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


def is_junk(path: Path) -> bool:
    """Temporary, hidden and system files that are never documents."""
    name = path.name
    return (name.startswith((".", "~$", "._")) or name.lower() in JUNK_NAMES
            or name.endswith((".part", ".tmp", ".crdownload", ".swp", "~", ".reason.txt")))


@dataclass
class Outcome:
    path: str
    kind: str
    outcome: str  # scored | duplicate | quarantined | failed | skipped | check.done | check.failed | check.waiting
    reason: str = ""
    document_id: int | None = None
    sha256: str = ""


@dataclass
class Claim:
    path: Path
    kind: str
    sha256: str
    data: bytes
    size: int
    mtime: float
    attempts: int


def sha256_file(path: Path) -> tuple[str, bytes | None, int]:
    """Hash a file in chunks; keep its bytes only when they are small enough to parse."""
    digest = hashlib.sha256()
    chunks: list[bytes] | None = []
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
            if chunks is not None:
                chunks.append(block)
                if size > 256 << 20:
                    chunks = None
    return digest.hexdigest(), (b"".join(chunks) if chunks is not None else None), size


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Ingestor:
    """One writer: every change to documents, matches and failures goes through here."""

    def __init__(self, settings: Settings, engine: Engine, metrics: PipelineMetrics | None = None,
                 pool: WorkerPool | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.read_engine = engine.execution_options(sqlite_begin="DEFERRED")  # reads never take the write lock
        self.metrics = metrics or PipelineMetrics()
        self.taxonomy: Taxonomy = load_taxonomy(settings.skills)
        self.refused_version = ""  # the content hash of a skills/ that failed to load, not tried again
        self.metrics.set_taxonomy(self.taxonomy.version, len(self.taxonomy))
        record.use_model(model_for(self.taxonomy, settings.skills))
        self.limits = Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars)
        self.pool = pool or WorkerPool(settings.workers, settings.parse_timeout, initializer=warm_worker,
                                       initargs=(str(settings.skills),),
                                       on_replace=lambda reason: self.metrics.worker_restarts.labels(reason).inc())
        self.threads = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="parse")
        self.last_progress = time.monotonic()
        self.reopened_seen = 0  # change-feed id up to which reopened jobs were scored (all again at start)
        self.inflight = InFlight(settings.store / "inflight")
        with session_scope(engine) as session:
            record.save_taxonomy(session, self.taxonomy.version, len(self.taxonomy))
            for sha, filename in self.inflight.orphans():
                record.count_attempt(session, sha, filename, "the watcher stopped (crashed or was killed) while "
                                                             "this file was in a parse worker")
        self.rescore = Rescorer(settings, self.metrics, self._commit)  # stale rows are done in batches by the loop
        self.rescore.target(self.taxonomy)

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.pool.close()
        self.inflight.close()

    # -- where a file came from and where it goes

    def kind_of(self, path: Path) -> str:
        try:
            relative = path.resolve().relative_to(self.settings.inbox.resolve())
        except ValueError:
            parts = [p.lower() for p in path.resolve().parts]
            return "job" if "jobs" in parts else "resume" if "resumes" in parts else "auto"
        return "job" if relative.parts[0] == "jobs" else "resume"

    def in_inbox(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.settings.inbox.resolve())
            return True
        except ValueError:
            return False

    def _release(self, path: Path) -> None:
        """The inbox copy is no longer needed once its result is committed."""
        if self.in_inbox(path):
            path.unlink(missing_ok=True)

    def archive(self, claim: Claim, fmt: str) -> Path:
        target = self.settings.files_dir / f"{claim.sha256}.{fmt}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with open(temp, "wb") as handle:
                handle.write(claim.data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
            _fsync_dir(target.parent)
        return target

    def quarantine(self, claim: Claim, code: str, reason: str) -> Outcome:
        failed = self.settings.failed_dir
        failed.mkdir(parents=True, exist_ok=True)
        target = failed / claim.path.name
        if target.exists() or target.with_name(target.name + ".reason.txt").exists():
            target = failed / f"{claim.path.stem}-{claim.sha256[:8]}{claim.path.suffix}"
        if self.in_inbox(claim.path):
            os.replace(claim.path, target)
        else:
            shutil.copyfile(claim.path, target)
        kind = claim.kind if claim.kind != "auto" else "resume"
        target.with_name(target.name + ".reason.txt").write_text(
            f"{reason}\n\nfile: {claim.path.name}\nkind: {kind}\ncode: {code}\nattempts: {max(claim.attempts, 1)}\n"
            f"sha256: {claim.sha256}\nwhen: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n", encoding="utf-8")
        self._commit(lambda session: record.save_failure(
            session, sha256=claim.sha256, kind=kind, filename=claim.path.name, code=code, reason=reason,
            quarantined_path=str(target), attempts=max(claim.attempts, 1)))
        self.metrics.files.labels(kind, "quarantined").inc()
        log.warning("quarantined %s: %s", claim.path.name, reason)
        return Outcome(str(claim.path), kind, "quarantined", reason, sha256=claim.sha256)

    # -- database, retried while another writer holds the lock

    def _commit(self, write):
        for attempt in range(1, 21):
            try:
                with session_scope(self.engine) as session:
                    return write(session)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                self.metrics.retries.inc()
                self.last_progress = time.monotonic()  # waiting out a lock on purpose is not being stuck
                log.warning("database busy, retrying (%d): %s", attempt, exc.orig)
                time.sleep(min(0.2 * attempt, 2.0))
        raise RuntimeError("the database stayed locked; giving up for now")

    # -- the stages

    def read(self, path: Path) -> Claim | Outcome:
        kind = self.kind_of(path)
        try:
            stat = path.stat()
            sha, data, size = sha256_file(path)
        except FileNotFoundError:
            return Outcome(str(path), kind, "skipped", "the file disappeared before it could be read")
        self.metrics.seen.labels(kind if kind != "auto" else "resume").inc()
        return Claim(path, kind, sha, data or b"", size, stat.st_mtime, 0)

    def claim(self, paths: list[Path], outcomes: list[Outcome | None]) -> list[tuple[int, Claim]]:
        """Hash the files (those without an outcome yet); drop those already ingested; read the attempts the
        rest have had; one transaction."""
        read = [(i, self.read(path)) for i, path in enumerate(paths) if outcomes[i] is None]
        for i, claim in read:
            if isinstance(claim, Outcome):
                outcomes[i] = claim
        read = [(i, claim) for i, claim in read if isinstance(claim, Claim)]
        if not read:
            return []

        def start(session):
            shas = list({claim.sha256 for _, claim in read})
            existing = {sha: doc_id for sha, doc_id in
                        session.execute(select(Document.sha256, Document.id).where(Document.sha256.in_(shas)))}
            verdicts, seen = [], set()
            for i, claim in read:
                if claim.sha256 in existing or claim.sha256 in seen:  # same bytes earlier, or twice in this batch
                    record.add_event(session, "document.duplicate", sha256=claim.sha256, filename=claim.path.name,
                                     document_id=existing.get(claim.sha256))
                    verdicts.append((existing.get(claim.sha256), None, ""))
                    continue
                seen.add(claim.sha256)
                attempt = session.get(Attempt, claim.sha256)
                record.add_event(session, "document.started", sha256=claim.sha256, filename=claim.path.name)
                verdicts.append((None, attempt.attempts if attempt else 0, attempt.last_error if attempt else ""))
            return verdicts
        claimed = []
        for (i, claim), (existing, attempts, last_error) in zip(read, self._commit(start)):
            if attempts is None:
                if existing is not None:
                    self._release(claim.path)
                label = claim.kind if claim.kind != "auto" else "resume"
                self.metrics.files.labels(label, "duplicate").inc()
                outcomes[i] = Outcome(str(claim.path), label, "duplicate", "the same bytes were already ingested",
                                      existing, claim.sha256)
                continue
            claim.attempts = attempts
            if attempts >= self.settings.max_attempts:
                outcomes[i] = self.quarantine(claim, "gave_up", f"Processing failed {attempts} times "
                                              f"(last error: {last_error or 'the worker crashed or was killed'}); "
                                              "the file was set aside so the rest of the inbox keeps moving.")
            elif claim.size > self.settings.max_file_bytes:
                said, allowed = size_and_limit(claim.size, self.settings.max_file_bytes)
                outcomes[i] = self.quarantine(claim, "too_large", f"The file is {said}; the limit is {allowed} "
                                              "(SHORTLIST_MAX_FILE_MB).")
            else:
                claimed.append((i, claim))
        return claimed

    def prepare(self, claim: Claim) -> Analysis:
        """In a parse thread: the worker's stages, then the archived original (its fsync off the main thread)."""
        item = Analysis(filename=claim.path.name, kind=claim.kind, data=claim.data)
        try:  # the attempt is recorded once a worker is ready, before the work starts
            item = self.pool.run(analyse_in_worker,
                                 (item, self.limits, str(self.settings.skills), self.taxonomy.version),
                                 on_start=lambda: self.inflight.add(claim.sha256, claim.path.name))
        finally:
            self.inflight.remove(claim.sha256)
        self.archive(claim, item.format)
        return item

    def fail(self, claim: Claim, error: str) -> Outcome:
        """A crash, time-out or unexpected error: tried again later, quarantined after the last attempt."""
        claim.attempts = self._commit(lambda s: record.count_attempt(s, claim.sha256, claim.path.name, error))
        kind = claim.kind if claim.kind != "auto" else "resume"
        if claim.attempts >= self.settings.max_attempts:
            return self.quarantine(claim, "gave_up", f"Processing failed {claim.attempts} times "
                                   f"(last error: {error}); the file was set aside so the rest of the inbox "
                                   "keeps moving.")
        self.metrics.files.labels(kind, "failed").inc()
        log.warning("attempt %d on %s failed: %s", claim.attempts, claim.path.name, error)
        return Outcome(str(claim.path), kind, "failed", error, sha256=claim.sha256)

    def settle(self, claim: Claim, future) -> Analysis | Outcome:
        try:
            item = future.result()
        except ParseError as exc:
            return self.quarantine(claim, exc.code, exc.reason)
        except WorkerTimeout as exc:
            return self.fail(claim, f"parsing {exc}")
        except WorkerCrashed as exc:
            return self.fail(claim, str(exc))
        except Exception as exc:  # an unexpected bug in a stage: keep the daemon going, count the attempt
            log.exception("stage error on %s", claim.path.name)
            return self.fail(claim, f"{type(exc).__name__}: {exc}")
        for stage, seconds in item.timings.items():
            self.metrics.stage.labels(stage).observe(seconds)
        if item.taxonomy_version != self.taxonomy.version:  # the taxonomy changed while the worker ran
            analyse_text(item, self.taxonomy)
        return item

    def commit(self, ready: list[tuple[Claim, Analysis]]) -> list[Outcome]:
        """Write documents, versions, mentions, matches and events for a batch in one transaction."""
        scoring = [0.0]

        def write(session):
            written, jobs = [], None
            for claim, item in ready:
                stored = self.settings.files_dir / f"{claim.sha256}.{item.format}"
                document = record.save_document(session, item, sha256=claim.sha256, size=claim.size,
                                                stored_path=str(stored))
                started = time.perf_counter()
                if item.kind == "resume" and jobs is None:
                    jobs = record.job_requirements(session)
                results = record.score_document(session, document, self.taxonomy.version,
                                                jobs if item.kind == "resume" else None)
                if item.kind == "job":
                    jobs = None  # later resumes in the batch are scored against this job too
                scoring[0] += time.perf_counter() - started
                record.clear_attempt(session, claim.sha256)
                record.add_event(session, "document.scored", document_id=document.id, sha256=claim.sha256,
                                 filename=claim.path.name, candidate_id=document.candidate_id,
                                 job_id=document.job_id, detail={"kind": item.kind, "matches": len(results)})
                written.append((document.id, results))
            return written
        started = time.perf_counter()
        written = self._commit(write)
        per_file = (time.perf_counter() - started - scoring[0]) / len(ready)
        outcomes = []
        for (claim, item), (document_id, results) in zip(ready, written):
            self._release(claim.path)
            self.metrics.stage.labels("commit").observe(per_file)
            self.metrics.stage.labels("score").observe(scoring[0] / len(ready))
            for result in results:
                self.metrics.score.observe(result.score)
            self.metrics.files.labels(item.kind, "scored").inc()
            self.metrics.drop_to_scored.observe(max(0.0, time.time() - claim.mtime))
            outcomes.append(Outcome(str(claim.path), item.kind, "scored", document_id=document_id,
                                    sha256=claim.sha256))
        self.metrics.last_ingest.set_to_current_time()
        self.last_progress = time.monotonic()
        return outcomes

    def commit_each(self, ready: list[tuple[Claim, Analysis]]) -> list[Outcome]:
        """The batch as one transaction; if that fails for a reason other than a busy database, file by file."""
        try:
            return self.commit(ready)
        except Exception:
            if len(ready) == 1:
                raise
            log.exception("batch commit failed; committing its %d files one by one", len(ready))
        outcomes = []
        for claim, item in ready:
            try:
                outcomes += self.commit([(claim, item)])
            except Exception as exc:
                log.exception("commit failed for %s", claim.path.name)
                outcomes.append(self.fail(claim, f"{type(exc).__name__}: {exc}"))
        return outcomes

    def process(self, paths: list[Path]) -> list[Outcome]:
        """Ingest files: the workers parse ahead while finished files are committed in chunks; outcomes in
        input order. Files of a job seeker's check (inbox/checks/<id>/) go their own, private way."""
        outcomes: list[Outcome | None] = [None] * len(paths)
        self.run_checks(paths, outcomes)
        started = time.perf_counter()
        futures = [(i, claim, self.threads.submit(self.prepare, claim)) for i, claim in self.claim(paths, outcomes)]
        ready: list[tuple[int, Claim, Analysis]] = []
        for position, (i, claim, future) in enumerate(futures):
            settled = self.settle(claim, future)
            if isinstance(settled, Outcome):
                outcomes[i] = settled
            else:
                ready.append((i, claim, settled))
            if ready and (len(ready) >= COMMIT_CHUNK or position == len(futures) - 1):
                for (slot, *_), outcome in zip(ready, self.commit_each([(c, a) for _, c, a in ready])):
                    outcomes[slot] = outcome
                ready = []
            self.last_progress = time.monotonic()
        for _ in futures:
            self.metrics.stage.labels("total").observe((time.perf_counter() - started) / len(futures))
        return outcomes  # type: ignore[return-value]  (every slot is filled)

    def run_checks(self, paths: list[Path], outcomes: list[Outcome | None]) -> None:
        """Run the checks among `paths`, once per check folder, and fill in their outcomes."""
        done: dict[Path, str] = {}
        for i, path in enumerate(paths):
            folder = checks.check_folder(self.settings.inbox, path)
            if folder is None:
                continue
            if folder not in done:
                done[folder] = checks.run_check(self, folder) if folder.is_dir() else "done"
                self.last_progress = time.monotonic()
            outcomes[i] = Outcome(str(path), "check", f"check.{done[folder]}")

    # -- a person's decisions the pipeline acts on

    def score_reopened(self) -> int:
        """Score the jobs reopened since the last look (a `job.status` event saying open; the web writes it)
        against every current resume, since resumes that arrived while a job was closed were not. Returns how
        many jobs were scored."""
        with Session(self.read_engine) as session:  # read first: no write lock taken when nothing changed
            if session.scalar(select(Event.id).where(Event.id > self.reopened_seen, Event.kind == "job.status")
                              .limit(1)) is None:
                return 0

        def work(session):
            rows = session.execute(select(Event.id, Event.job_id, Event.detail)
                                   .where(Event.id > self.reopened_seen, Event.kind == "job.status")
                                   .order_by(Event.id)).all()
            if not rows:
                return None, 0
            wanted = {job_id for _, job_id, detail in rows if detail == "open" and job_id is not None}
            jobs = session.execute(select(Job.id, Job.current_document_id)
                                   .where(Job.id.in_(wanted), Job.status == "open")).all() if wanted else []
            for job_id, document_id in jobs:
                document = session.get(Document, document_id)
                if document is None:
                    continue
                results = record.score_document(session, document, self.taxonomy.version)
                record.add_event(session, "job.rescored", job_id=job_id, detail={"matches": len(results)})
            return rows[-1][0], len(jobs)
        last, scored = self._commit(work)
        if last is not None:
            self.reopened_seen = last
        if scored:
            self.last_progress = time.monotonic()
            log.info("%d reopened job(s) scored against every current resume", scored)
        return scored

    # -- the taxonomy

    def reload_taxonomy(self) -> bool:
        """Load skills/ again; when it changed, aim the batched re-score (pipeline/rescore.py) at the new version.

        The files' content hash is compared first, so an event that changed nothing costs no parse or compile,
        and a broken version is reported once, not on every event."""
        try:
            content = taxonomy_version(self.settings.skills)
        except OSError as exc:
            log.warning("skills/ could not be read: %s", exc)
            return False
        if content in (self.taxonomy.version, self.refused_version):
            return False
        try:
            taxonomy = load_taxonomy(self.settings.skills)
            model = model_for(taxonomy, self.settings.skills)  # the roles vocabulary, checked before the switch
        except Exception as exc:
            self.refused_version = content
            self.metrics.taxonomy_errors.inc()
            log.error("skills/ has an error, keeping taxonomy %s: %s", self.taxonomy.version[:12], exc)
            return False
        if taxonomy.version == self.taxonomy.version:
            return False
        self.taxonomy = taxonomy
        record.use_model(model)

        def switch(session):
            record.save_taxonomy(session, taxonomy.version, len(taxonomy))
            record.add_event(session, "taxonomy.reloaded", detail={"version": taxonomy.version,
                                                                   "skills": len(taxonomy)})
        self._commit(switch)
        self.rescore.target(taxonomy)
        self.metrics.set_taxonomy(taxonomy.version, len(taxonomy))
        self.last_progress = time.monotonic()
        log.info("taxonomy %s loaded (%d skills); re-scoring in batches", taxonomy.version[:12], len(taxonomy))
        return True
