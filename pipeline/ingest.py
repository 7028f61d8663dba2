"""The driver: runs pipeline/steps.py's steps over each batch of files, in order; and reloads the taxonomy."""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipeline import claims, inbox, matching, record, snapshot, steps
from pipeline.filejob import FileJob, Outcome, Status
from pipeline.inbox import is_junk, sha256_file
from pipeline.inflight import InFlight
from pipeline.metrics import PipelineMetrics
from pipeline.retry import CommitPolicy
from pipeline.stages import Analysis, Limits, analyse_text, warm_worker
from pipeline.taxonomy import Taxonomy, load_taxonomy, taxonomy_version
from pipeline.workers import WorkerPool
from store.models import Document
from store.settings import Settings

log = logging.getLogger("shortlist.ingest")
COMMIT_CHUNK = 16  # files per transaction: fewer commits, results still visible within a fraction of a second

# is_junk and sha256_file live in pipeline/inbox.py; importing them from here keeps working.
__all__ = ["COMMIT_CHUNK", "Ingestor", "Outcome", "is_junk", "sha256_file"]


class Ingestor:
    """One writer: every change to documents, matches and failures goes through its steps."""

    def __init__(self, settings: Settings, engine: Engine, metrics: PipelineMetrics | None = None,
                 pool: WorkerPool | None = None) -> None:
        metrics = metrics or PipelineMetrics()
        taxonomy = load_taxonomy(settings.skills)
        metrics.set_taxonomy(taxonomy.version, len(taxonomy))
        pool = pool or WorkerPool(settings.workers, settings.parse_timeout, initializer=warm_worker,
                                  initargs=(str(settings.skills),),
                                  on_replace=lambda reason: metrics.worker_restarts.labels(reason).inc())
        self.ctx = steps.Context(
            settings, engine, metrics, pool, InFlight(settings.store / "inflight"),
            CommitPolicy(engine, settings.db_deadline_seconds, on_retry=self._retrying), taxonomy,
            Limits(settings.pdf_engine, settings.max_file_bytes, settings.max_pages, settings.min_chars),
            claims.Leases(engine, settings.claim_lease_seconds))
        self.threads = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="parse")
        self.refused_version = ""  # the content hash of a skills/ that failed to load, not tried again

        orphans = self.ctx.inflight.orphans()  # read once: reading consumes a dead watcher's journal

        def start(session):
            record.save_taxonomy(session, taxonomy.version, len(taxonomy))
            claims.forget_dead_here(session, self.ctx.leases.owner)
            committed = set(session.scalars(select(Document.sha256).where(
                Document.sha256.in_([sha for sha, _ in orphans])))) if orphans else set()
            for sha, filename in orphans:
                if sha in committed:  # another watcher finished the file meanwhile
                    continue
                record.count_attempt(session, sha, filename, "the watcher stopped (crashed or was killed) while "
                                                             "this file was in a parse worker")
        self.ctx.policy.run(start)
        steps.refresh_quarantine_gauge(self.ctx)

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
    def last_progress(self) -> float:
        return self.ctx.last_progress

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.ctx.pool.close()
        self.ctx.inflight.close()
        self.ctx.leases.close()

    def process(self, paths: list[Path]) -> list[Outcome]:
        """Ingest files: claim them together, let the workers parse ahead, and finish them in chunks of
        COMMIT_CHUNK in input order; one outcome per path, in order."""
        ctx = self.ctx
        jobs = [FileJob(path, inbox.kind_of(ctx.settings, path)) for path in paths]
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
        return [job.outcome() for job in jobs]

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

    def finish(self, chunk: list[FileJob]) -> None:
        """Snapshot the other side (a read, before the timed stage), score (pure), commit (one transaction),
        release. A chunk whose commit fails is finished again file by file; a single file is charged."""
        ctx = self.ctx
        try:
            other_side = steps.take_snapshot(ctx, chunk)
            started = time.perf_counter()
            for job in chunk:
                steps.score(job, other_side)
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

    # -- the taxonomy: a separate seam the watcher's loop calls when skills/ changed

    def reload_taxonomy(self) -> bool:
        """Load skills/ again; when it changed, re-extract every stored text and re-score every match.

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
        except Exception as exc:
            self.refused_version = content
            self.metrics.taxonomy_errors.inc()
            log.error("skills/ has an error, keeping taxonomy %s: %s", self.taxonomy.version[:12], exc)
            return False
        if taxonomy.version == self.taxonomy.version:
            return False
        self.ctx.taxonomy = taxonomy

        def rewrite(session):
            for document in session.scalars(select(Document)):
                item = Analysis(filename=document.filename, kind=document.kind, text=document.text)
                analyse_text(item, taxonomy)
                record.replace_mentions(session, document, item)
            session.flush()
            pairs = matching.score_pairs(snapshot.job_requirements(session), snapshot.resume_skills(session))
            record.write_matches(session, pairs, taxonomy.version)
            record.save_taxonomy(session, taxonomy.version, len(taxonomy))
            record.add_event(session, "taxonomy.reloaded", detail={"version": taxonomy.version,
                                                                   "skills": len(taxonomy), "matches": len(pairs)})
            return pairs
        pairs = self.ctx.policy.run(rewrite)
        for *_, result in pairs:
            self.metrics.score.observe(result.score)
        self.metrics.set_taxonomy(taxonomy.version, len(taxonomy))
        self.ctx.progress()
        log.info("taxonomy %s loaded (%d skills); %d matches re-scored", taxonomy.version[:12], len(taxonomy),
                 len(pairs))
        return True
