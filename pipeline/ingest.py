"""The driver: runs pipeline/steps.py's steps over each batch of files, in order; and reloads the taxonomy."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from pipeline import checks, claims, inbox, matching, record, snapshot, steps
from pipeline.filejob import FileJob, Outcome, Status
from pipeline.inbox import is_junk, sha256_file
from pipeline.inflight import InFlight
from pipeline.metrics import PipelineMetrics
from pipeline.model import Model, model_for
from pipeline.rescore import Rescorer
from pipeline.retry import CommitPolicy, DatabaseBusy
from pipeline.stages import Limits, warm_worker
from pipeline.taxonomy import Taxonomy, load_taxonomy, taxonomy_version
from pipeline.workers import WorkerPool
from store.models import Document, Event, Job
from store.settings import Settings

log = logging.getLogger("shortlist.ingest")
T = TypeVar("T")
COMMIT_CHUNK = 16  # files per transaction: fewer commits, results still visible within a fraction of a second

# is_junk and sha256_file live in pipeline/inbox.py; importing them from here keeps working.
__all__ = ["COMMIT_CHUNK", "Ingestor", "Outcome", "is_junk", "sha256_file"]


class Ingestor:
    """One writer: every change to documents, matches and failures goes through its steps."""

    def __init__(
        self, settings: Settings, engine: Engine, metrics: PipelineMetrics | None = None, pool: WorkerPool | None = None
    ) -> None:
        metrics = metrics or PipelineMetrics()
        taxonomy = load_taxonomy(settings.skills)
        metrics.set_taxonomy(taxonomy.version, len(taxonomy))
        pool = pool or WorkerPool(
            settings.workers,
            settings.parse_timeout,
            initializer=warm_worker,
            initargs=(str(settings.skills),),
            on_replace=lambda reason: metrics.worker_restarts.labels(reason).inc(),
        )
        self.ctx = steps.Context(
            settings,
            engine,
            metrics,
            pool,
            InFlight(settings.store / "inflight"),
            CommitPolicy(engine, settings.db_deadline_seconds, on_retry=self._retrying),
            taxonomy,
            Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars),
            model_for(taxonomy, settings.skills),
            claims.Leases(engine, settings.claim_lease_seconds),
        )
        self.ctx.leases.progress = lambda: self.ctx.last_progress
        self.threads = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="parse")
        self.refused_version = ""  # the content hash of a skills/ that failed to load, not tried again
        self.reopened_seen = 0  # change-feed id up to which reopened jobs were scored (all again at start)

        orphans = self.ctx.inflight.orphans()  # read once: reading consumes a dead watcher's journal

        def start(session):
            record.save_taxonomy(session, taxonomy.version, len(taxonomy))
            claims.forget_dead_here(session, self.ctx.leases.owner)
            committed = (
                set(
                    session.scalars(
                        select(col(Document.sha256)).where(col(Document.sha256).in_([sha for sha, _ in orphans]))
                    )
                )
                if orphans
                else set()
            )
            for sha, filename in orphans:
                if sha in committed:  # another watcher finished the file meanwhile
                    continue
                record.count_attempt(
                    session,
                    sha,
                    filename,
                    "the watcher stopped (crashed or was killed) while this file was in a parse worker",
                )

        self.ctx.policy.run(start)
        # stale rows are done in batches by the loop, scored with the driver's model
        self.rescore = Rescorer(settings, metrics, self._commit, lambda: self.ctx.model, pool)
        self.rescore.target(taxonomy)

    def _retrying(self) -> None:
        self.ctx.metrics.retries.inc()
        self.ctx.progress()  # waiting out a lock on purpose is not being stuck

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def metrics(self) -> PipelineMetrics:
        return self.ctx.metrics

    @property
    def taxonomy(self) -> Taxonomy:
        return self.ctx.taxonomy

    @property
    def limits(self) -> Limits:
        return self.ctx.limits

    @property
    def model(self) -> Model:
        return self.ctx.model

    @property
    def pool(self) -> WorkerPool:
        return self.ctx.pool

    @property
    def read_engine(self) -> Engine:
        """Reads never take the write lock (their transactions start DEFERRED)."""
        return self.ctx.engine.execution_options(sqlite_begin="DEFERRED")

    def _commit(self, write: Callable[[Session], T]) -> T:
        """A write outside the file steps (a check's result, a purge) under the same retry policy."""
        return self.ctx.policy.run(write)

    @property
    def last_progress(self) -> float:
        return self.ctx.last_progress

    @last_progress.setter
    def last_progress(self, value: float) -> None:
        self.ctx.last_progress = value

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.rescore.close()
        self.ctx.pool.close()
        self.ctx.inflight.close()
        self.ctx.leases.close()

    def process(self, paths: list[Path]) -> list[Outcome]:
        """Ingest files: claim them together, let the workers parse ahead, and finish them in chunks of
        COMMIT_CHUNK in input order; one outcome per path, in order. Files of a job seeker's check
        (inbox/checks/<id>/) go their own, private way (pipeline/checks.py)."""
        ctx = self.ctx
        checked = self.run_checks(paths)
        jobs = [FileJob(path, inbox.kind_of(ctx.settings, path)) for path in paths if path not in checked]
        started = time.perf_counter()
        claimed = [job for job in steps.claim(ctx, jobs) if job.status is Status.CLAIMED]
        ctx.leases.held = len(claimed)  # renewed by its thread until this batch's turn ends
        try:
            self._work(claimed)
        finally:
            ctx.leases.held = 0
            steps.unclaim(ctx, jobs)
        for _ in claimed:
            ctx.metrics.stage.labels("total").observe((time.perf_counter() - started) / len(claimed))
        hiring = iter(jobs)
        return [checked[path] if path in checked else next(hiring).outcome() for path in paths]

    def _work(self, claimed: list[FileJob]) -> None:
        ctx = self.ctx
        futures = [self.threads.submit(steps.prepare, ctx, job) for job in claimed]
        chunk: list[FileJob] = []
        for position, (job, future) in enumerate(zip(claimed, futures)):
            future.result()  # prepare records its errors on the job
            if steps.settle(ctx, job).status is Status.ARCHIVED:
                chunk.append(job)
            if chunk and (len(chunk) >= COMMIT_CHUNK or position == len(claimed) - 1):
                self.finish(chunk)
                chunk = []
            ctx.progress()

    def run_checks(self, paths: list[Path]) -> dict[Path, Outcome]:
        """Run the checks among `paths`, once per check folder; their outcomes by path."""
        done: dict[Path, str] = {}
        outcomes: dict[Path, Outcome] = {}
        for path in paths:
            folder = checks.check_folder(self.settings.inbox, path)
            if folder is None:
                continue
            if folder not in done:
                done[folder] = checks.run_check(self, folder) if folder.is_dir() else "done"
                self.ctx.progress()
            outcomes[path] = Outcome(str(path), "check", f"check.{done[folder]}")
        return outcomes

    def finish(self, chunk: list[FileJob]) -> None:
        """Snapshot the other side (a read, before the timed stage), score (pure), commit (one transaction),
        release. A chunk whose commit fails is finished again file by file; a single file is charged."""
        ctx = self.ctx
        try:
            other_side = steps.take_snapshot(ctx, chunk)
            started = time.perf_counter()
            steps.score(chunk, other_side, ctx.model)
            scored = time.perf_counter()
            steps.commit(ctx, chunk, other_side)
        except Exception as exc:
            if len(chunk) == 1:
                log.exception("commit failed for %s", chunk[0].path.name)
                steps.fail(ctx, chunk[0], f"{type(exc).__name__}: {exc}")
                return
            log.exception("batch commit failed; committing its %d files one by one", len(chunk))
            for job in chunk:
                self.finish([job])
            return
        seconds = {"score": (scored - started) / len(chunk), "commit": (time.perf_counter() - scored) / len(chunk)}
        committed = [steps.release(ctx, job, seconds) for job in chunk if job.status is Status.COMMITTED]
        if committed:
            ctx.metrics.last_ingest.set_to_current_time()
        ctx.progress()

    # -- a person's decisions the pipeline acts on

    def score_reopened(self) -> int:
        """Score the jobs reopened since the last look (a `job.status` event saying open; the web writes it)
        against every current resume, since resumes that arrived while a job was closed were not. Returns how
        many jobs were scored."""
        with Session(self.read_engine) as session:  # read first: no write lock taken when nothing changed
            if (
                session.scalar(
                    select(Event.id).where(Event.id > self.reopened_seen, Event.kind == "job.status").limit(1)
                )
                is None
            ):
                return 0
        model, version = self.model, self.taxonomy.version

        def work(session: Session) -> tuple[int | None, int]:
            rows = session.execute(
                select(Event.id, Event.job_id, Event.detail)
                .where(Event.id > self.reopened_seen, Event.kind == "job.status")
                .order_by(Event.id)
            ).all()
            if not rows:
                return None, 0
            wanted = [job_id for _, job_id, detail in rows if detail == "open" and job_id is not None]
            jobs = (
                session.scalars(select(Job.id).where(Job.id.in_(wanted), Job.status == "open")).all() if wanted else []
            )
            resumes = snapshot.resume_skills(session, model) if jobs else {}
            for job_id, features in snapshot.job_requirements(session, model, list(jobs)).items():
                pairs = matching.score_pairs({job_id: features}, resumes, model)
                record.write_matches(session, pairs, version)
                record.add_event(session, "job.rescored", job_id=job_id, detail={"matches": len(pairs)})
            return rows[-1][0], len(jobs)

        try:
            last, scored = self._commit(work)
        except DatabaseBusy as exc:  # the events stay unread: tried again on the next look
            log.warning("reopened jobs not scored yet: %s", exc)
            return 0
        if last is not None:
            self.reopened_seen = last
        if scored:
            self.ctx.progress()
            log.info("%d reopened job(s) scored against every current resume", scored)
        return scored

    # -- the taxonomy: a separate seam the watcher's loop calls when skills/ changed

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

        def switch(session: Session) -> None:
            record.save_taxonomy(session, taxonomy.version, len(taxonomy))
            record.add_event(
                session, "taxonomy.reloaded", detail={"version": taxonomy.version, "skills": len(taxonomy)}
            )

        self.ctx.policy.run(switch)  # DatabaseBusy: the old taxonomy stays; the caller tries again later
        self.ctx.taxonomy, self.ctx.model = taxonomy, model
        self.rescore.target(taxonomy)
        self.metrics.set_taxonomy(taxonomy.version, len(taxonomy))
        self.ctx.progress()
        log.info("taxonomy %s loaded (%d skills); re-scoring in batches", taxonomy.version[:12], len(taxonomy))
        return True
