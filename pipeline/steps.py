"""The driver's steps: each takes a FileJob and returns it with a new status.

    claim → analyse → archive → score → commit → release          (any step may end in quarantine or fail)

`claim` and `commit` take a chunk of jobs, each in one transaction (one commit per file would cost more than the
work); `analyse` and `archive` run in a parse thread (the worker round trip and the fsync off the main thread);
`score` is pure, over a snapshot of the other side read before it. Only this module and the taxonomy reload
touch files and the database, and every write goes through the context's one CommitPolicy. Order that keeps
ingestion exactly-once under kill -9: archive, then one transaction with the events, then remove the inbox copy.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from pipeline import claims, inbox, matching, record
from pipeline.filejob import FileJob, Status
from pipeline.inflight import InFlight
from pipeline.metrics import PipelineMetrics
from pipeline.model import Model
from pipeline.parse import ParseError
from pipeline.parse.errors import size_and_limit
from pipeline.retry import CommitPolicy, DatabaseBusy
from pipeline.snapshot import Snapshot, generation, read_snapshot, remember
from pipeline.stages import Analysis, Limits, analyse_in_worker, analyse_text
from pipeline.taxonomy import Taxonomy
from pipeline.workers import WorkerCrashed, WorkerPool, WorkerTimeout
from store.models import Attempt, Document, Failure
from store.settings import Settings

log = logging.getLogger("shortlist.ingest")


@dataclass
class Context:
    """What the steps share: settings, the database, the worker pool, the loaded taxonomy, the metrics."""
    settings: Settings
    engine: Engine
    metrics: PipelineMetrics
    pool: WorkerPool
    inflight: InFlight
    policy: CommitPolicy
    taxonomy: Taxonomy
    limits: Limits
    model: Model  # the relevance model for `taxonomy`; the taxonomy reload replaces both
    leases: claims.Leases
    last_progress: float = field(default_factory=time.monotonic)

    def progress(self) -> None:
        """The loop made progress (or waited on purpose): the heartbeat keeps beating."""
        self.last_progress = time.monotonic()

    def reader(self) -> Session:
        """A read-only session: its transaction starts DEFERRED, so it never waits for the write lock."""
        return Session(self.engine.execution_options(sqlite_begin="DEFERRED"))


def gave_up(attempts: int, error: str) -> str:
    return (f"Processing failed {attempts} times (last error: {error}); the file was set aside so the rest of "
            "the inbox keeps moving.")


# -- endings -------------------------------------------------------------------------------------

def quarantine(ctx: Context, job: FileJob, code: str, reason: str) -> FileJob:
    """Set the file aside in inbox/failed with its reason, and record the failure."""
    attempts = max(job.attempts, 1)
    note = (f"{reason}\n\nfile: {job.path.name}\nkind: {job.label}\ncode: {code}\nattempts: {attempts}\n"
            f"sha256: {job.sha256}\nwhen: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    target = inbox.set_aside(ctx.settings, job.path, job.sha256, note)
    try:
        ctx.policy.run(lambda session: record.save_failure(
            session, sha256=job.sha256, kind=job.label, filename=job.path.name, code=code, reason=reason,
            quarantined_path=str(target), attempts=attempts))
    except DatabaseBusy as exc:  # the file and its reason are set aside already; only the row is missing
        log.error("quarantined %s but could not record it: %s", job.path.name, exc)
    ctx.metrics.files.labels(job.label, "quarantined").inc()
    refresh_quarantine_gauge(ctx)
    log.warning("quarantined %s: %s", job.path.name, reason)
    return job.to(Status.QUARANTINED, reason)


def defer(ctx: Context, job: FileJob, exc: DatabaseBusy) -> FileJob:
    """The database stayed locked: the file stays in the inbox for the next pass, not charged an attempt."""
    log.warning("%s put back for later: %s", job.path.name, exc)
    return job.to(Status.DEFERRED, f"{exc}; the file stays in the inbox and is tried again")


def fail(ctx: Context, job: FileJob, error: str) -> FileJob:
    """A crash, time-out or unexpected error: one more attempt charged; quarantined after the last."""
    try:
        job.attempts = ctx.policy.run(lambda s: record.count_attempt(s, job.sha256, job.path.name, error))
    except DatabaseBusy as exc:
        return defer(ctx, job, exc)
    if job.attempts >= ctx.settings.max_attempts:
        return quarantine(ctx, job, "gave_up", gave_up(job.attempts, error))
    ctx.metrics.files.labels(job.label, "failed").inc()
    log.warning("attempt %d on %s failed: %s", job.attempts, job.path.name, error)
    return job.to(Status.FAILED, error)


def refresh_quarantine_gauge(ctx: Context) -> None:
    with ctx.reader() as session:
        count = session.scalar(select(func.count()).select_from(Failure).where(col(Failure.retried_at).is_(None)))
    ctx.metrics.quarantined.set(count or 0)


# -- claim ---------------------------------------------------------------------------------------

def read(ctx: Context, job: FileJob) -> FileJob:
    try:
        stat = job.path.stat()
        job.sha256, data, job.size = inbox.sha256_file(job.path)
    except FileNotFoundError:
        return job.to(Status.SKIPPED, "the file disappeared before it could be read")
    job.data, job.mtime = data or b"", stat.st_mtime
    ctx.metrics.seen.labels(job.label).inc()
    return job


class Verdict(NamedTuple):
    existing: int | None  # the document already holding these bytes
    attempts: int | None  # attempts so far; None for a duplicate
    last_error: str = ""
    held: bool = False  # another watcher's live claim holds these bytes


def _start(session: Session, jobs: list[FileJob], leases: claims.Leases) -> list[Verdict]:
    """Per job its verdict; the new files claimed for this watcher and their events written."""
    shas = list({job.sha256 for job in jobs})
    existing = dict(session.execute(select(col(Document.sha256), col(Document.id))
                                    .where(col(Document.sha256).in_(shas))).all())
    first = {job.sha256: job.path.name for job in reversed(jobs) if job.sha256 not in existing}
    won = claims.take(session, leases.owner, first.items(), leases.lease_s)
    verdicts: list[Verdict] = []
    seen: set[str] = set()
    for job in jobs:
        if job.sha256 in existing or job.sha256 in seen:  # same bytes earlier, or twice in this batch
            record.add_event(session, "document.duplicate", sha256=job.sha256, filename=job.path.name,
                             document_id=existing.get(job.sha256))
            verdicts.append(Verdict(existing.get(job.sha256), None))
            continue
        seen.add(job.sha256)
        if job.sha256 not in won:
            verdicts.append(Verdict(None, 0, held=True))
            continue
        attempt = session.get(Attempt, job.sha256)
        record.add_event(session, "document.started", sha256=job.sha256, filename=job.path.name)
        verdicts.append(Verdict(None, attempt.attempts if attempt else 0, attempt.last_error if attempt else ""))
    return verdicts


def claim(ctx: Context, jobs: list[FileJob]) -> list[FileJob]:
    """Hash the files; settle duplicates, spent attempts and oversized files; the rest become CLAIMED."""
    fresh = [job for job in jobs if read(ctx, job).status is Status.NEW]
    if not fresh:
        return jobs
    try:
        verdicts = ctx.policy.run(lambda session: _start(session, fresh, ctx.leases))
    except DatabaseBusy as exc:
        for job in fresh:
            defer(ctx, job, exc)
        return jobs
    for job, (existing, attempts, last_error, held) in zip(fresh, verdicts, strict=True):
        if held:
            job.to(Status.HELD, "another watcher is working on the same bytes")
            continue
        if attempts is None:
            if existing is not None:  # the same bytes are committed: this copy is not needed
                inbox.remove_from_inbox(ctx.settings, job.path)
            ctx.metrics.files.labels(job.label, "duplicate").inc()
            job.document_id = existing
            job.to(Status.DUPLICATE, "the same bytes were already ingested")
            continue
        job.attempts = attempts
        if attempts >= ctx.settings.max_attempts:
            quarantine(ctx, job, "gave_up", gave_up(attempts, last_error or "the worker crashed or was killed"))
        elif job.size > ctx.settings.max_file_bytes:
            said, allowed = size_and_limit(job.size, ctx.settings.max_file_bytes)
            quarantine(ctx, job, "too_large", f"The file is {said}; the limit is {allowed} (SHORTLIST_MAX_FILE_MB).")
        else:
            job.to(Status.CLAIMED)
    return jobs


# -- analyse and archive (in a parse thread) -----------------------------------------------------

def analyse(ctx: Context, job: FileJob) -> FileJob:
    """The worker's stages (parse, extract); the attempt is journalled once a worker is ready to start."""
    item = Analysis(filename=job.path.name, kind=job.kind, data=job.data)
    try:
        job.analysis = ctx.pool.run(analyse_in_worker, (item, ctx.limits, str(ctx.settings.skills),
                                                        ctx.taxonomy.version),
                                    on_start=lambda: ctx.inflight.add(job.sha256, job.path.name))
    except Exception as exc:  # settled on the main thread: quarantined or charged an attempt
        job.error = exc
        return job.to(Status.ERRORED)
    finally:
        ctx.inflight.remove(job.sha256)
    return job.to(Status.ANALYSED)


def archive(ctx: Context, job: FileJob) -> FileJob:
    assert job.analysis is not None
    try:
        inbox.archive_bytes(ctx.settings, job.sha256, job.analysis.format, job.data)
    except OSError as exc:
        job.error = exc
        return job.to(Status.ERRORED)
    return job.to(Status.ARCHIVED)


def prepare(ctx: Context, job: FileJob) -> FileJob:
    """What a parse thread does for one claimed file."""
    analyse(ctx, job)
    return archive(ctx, job) if job.status is Status.ANALYSED else job


def settle(ctx: Context, job: FileJob) -> FileJob:
    """On the main thread: an error from the parse thread becomes a quarantine or a charged attempt; a
    finished analysis has its timings recorded, and is extracted again if the taxonomy changed meanwhile."""
    if job.status is Status.ERRORED:
        exc = job.error
        if isinstance(exc, ParseError):
            return quarantine(ctx, job, exc.code, exc.reason)
        if isinstance(exc, WorkerTimeout):
            return fail(ctx, job, f"parsing {exc}")
        if isinstance(exc, WorkerCrashed):
            return fail(ctx, job, str(exc))
        log.error("stage error on %s", job.path.name, exc_info=exc)  # a bug in a stage: the daemon goes on
        return fail(ctx, job, f"{type(exc).__name__}: {exc}")
    assert job.analysis is not None
    for stage, seconds in job.analysis.timings.items():
        ctx.metrics.stage.labels(stage).observe(seconds)
    if job.analysis.taxonomy_version != ctx.taxonomy.version:
        analyse_text(job.analysis, ctx.taxonomy)
    return job


# -- score (pure), commit, release ---------------------------------------------------------------

def identities(items: list[Analysis]) -> tuple[set[str], set[str]]:
    """The chunk's own (job identities, resume identities)."""
    return ({record.identity_of(i) for i in items if i.kind == "job"},
            {record.identity_of(i) for i in items if i.kind == "resume"})


def take_snapshot(ctx: Context, jobs: list[FileJob]) -> Snapshot:
    """Read, before the timed score step, the other side of the chunk's files (and what the writer keeps for
    their own identities)."""
    items = [job.analysis for job in jobs if job.analysis]
    kinds = {item.kind for item in items}
    with ctx.reader() as session:
        return read_snapshot(session, ctx.model, jobs="resume" in kinds, resumes="job" in kinds,
                             identities=identities(items))


def score(jobs: list[FileJob], snapshot: Snapshot, model: Model) -> list[FileJob]:
    """Pure: the chunk's matches against the snapshot, in order (each file joins it for the files after it)."""
    items = [job.analysis for job in jobs]
    assert all(items)
    for job, (features, matches) in zip(jobs, matching.score_chunk(items, snapshot, model), strict=True):  # type: ignore[arg-type]
        job.features, job.matches = features, matches
        job.to(Status.SCORED)
    return jobs


def write(session: Session, jobs: list[FileJob], snapshot: Snapshot, files_dir: Path | None, model: Model,
          version: str) -> None:
    """A scored chunk's documents, versions, mentions, matches and events, in the caller's transaction (the
    commit step's write; tests/seed.py and chaos/seed.py make the same call; with `files_dir` None, no original
    is kept). A snapshot gone stale meanwhile (another writer's document, or a person closing or deleting a
    job) is read again and the chunk scored again, in this transaction. A file whose bytes another watcher
    committed meanwhile (its claim's lease ran out while this one still worked) becomes a duplicate, not a
    second document; the claims of the files written go in the same transaction."""
    shas = [job.sha256 for job in jobs]
    done: dict[str, int] = {sha: id_ for sha, id_ in session.execute(
        select(col(Document.sha256), col(Document.id)).where(col(Document.sha256).in_(shas)))}
    for job in jobs:
        if job.sha256 in done:
            job.document_id = done[job.sha256]
            job.to(Status.DUPLICATE, "another watcher committed the same bytes first")
    jobs = [job for job in jobs if job.status is not Status.DUPLICATE]
    if done or generation(session) != snapshot.generation:
        own = identities([job.analysis for job in jobs if job.analysis])
        snapshot = read_snapshot(session, model, jobs=True, resumes=True, identities=own)
        score(jobs, snapshot, model)
    claims.release_files(session, [job.sha256 for job in jobs])
    written: dict[tuple[str, str], tuple[int, int]] = {}

    def ids(kind: str, identity: str) -> tuple[int, int]:
        if (kind, identity) in written:
            return written[(kind, identity)]
        side = snapshot.side(kind)[identity]
        return side.owner_id, side.features.document_id  # type: ignore[return-value]

    for job in jobs:
        item = job.analysis
        assert item is not None
        stored = str(files_dir / f"{job.sha256}.{item.format}") if files_dir is not None else ""
        document = record.save_document(session, item, sha256=job.sha256, size=job.size, stored_path=stored)
        is_job = item.kind == "job"
        owner = document.job_id if is_job else document.candidate_id
        assert owner is not None and document.id is not None
        written[(item.kind, record.identity_of(item))] = (owner, document.id)
        job.features.document_id = document.id
        pairs = []
        for identity, result in job.matches:
            other, other_doc = ids("resume" if is_job else "job", identity)
            pairs.append((owner, other, document.id, other_doc, result) if is_job
                         else (other, owner, other_doc, document.id, result))
        record.write_matches(session, pairs, version)
        record.clear_attempt(session, job.sha256)
        record.add_event(session, "document.scored", document_id=document.id, sha256=job.sha256,
                         filename=job.path.name, candidate_id=document.candidate_id, job_id=document.job_id,
                         detail={"kind": item.kind, "matches": len(pairs)})
        job.document_id = document.id


def commit(ctx: Context, jobs: list[FileJob], snapshot: Snapshot) -> list[FileJob]:
    """The scored chunk in one transaction; raises what the write raised, except a lock past the deadline,
    which puts the chunk back for later."""
    model, version = ctx.model, ctx.taxonomy.version
    try:
        ctx.policy.run(lambda session: write(session, jobs, snapshot, ctx.settings.files_dir, model, version))
    except DatabaseBusy as exc:
        return [defer(ctx, job, exc) for job in jobs]
    for job in jobs:
        if job.status is Status.DUPLICATE:
            inbox.remove_from_inbox(ctx.settings, job.path)
            ctx.metrics.files.labels(job.label, "duplicate").inc()
        else:
            job.to(Status.COMMITTED)
    return jobs


def unclaim(ctx: Context, jobs: list[FileJob]) -> None:
    """The batch's turn is over: give up this watcher's claims on files not committed (failed, quarantined, put
    back); a committed file's claim went in its commit. When the database is busy the leases run out instead."""
    hashes = [job.sha256 for job in jobs if job.sha256 and job.status not in (Status.DONE, Status.HELD)]
    if not hashes:
        return
    try:
        ctx.policy.run(lambda session: claims.release(session, ctx.leases.owner, hashes))
    except DatabaseBusy as exc:
        log.warning("claims on %d files left to expire: %s", len(hashes), exc)


def release(ctx: Context, job: FileJob, seconds: dict[str, float]) -> FileJob:
    """The result is committed: keep the document's features for later snapshots, drop the inbox copy and count
    the file (`seconds`: its share of each stage)."""
    assert job.analysis is not None
    remember(job.analysis.kind, job.features, job.sha256, job.analysis.taxonomy_version, ctx.model)
    inbox.remove_from_inbox(ctx.settings, job.path)
    for stage, value in seconds.items():
        ctx.metrics.stage.labels(stage).observe(value)
    for _, result in job.matches:
        ctx.metrics.score.observe(result.score)
    ctx.metrics.files.labels(job.label, "scored").inc()
    ctx.metrics.drop_to_scored.observe(max(0.0, time.time() - job.mtime))
    return job.to(Status.DONE)
