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

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from pipeline import claims, inbox, matching, record
from pipeline.features import ResumeFeatures
from pipeline.filejob import FileJob, Status
from pipeline.inflight import InFlight
from pipeline.metrics import PipelineMetrics
from pipeline.model import Model
from pipeline.parse import ParseError
from pipeline.parse.errors import size_and_limit
from pipeline.retry import CommitPolicy, DatabaseBusy
from pipeline.score import MatchResult
from pipeline.snapshot import Snapshot, generation, read_snapshot, remember
from pipeline.stages import Analysis, Limits, analyse_in_worker, analyse_text
from pipeline.taxonomy import Taxonomy
from pipeline.workers import WorkerCrashed, WorkerPool, WorkerTimeout
from store.models import Attempt, Candidate, Document
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
    return (
        f"Processing failed {attempts} times (last error: {error}); the file was set aside so the rest of "
        "the inbox keeps moving."
    )


# -- endings -------------------------------------------------------------------------------------


def quarantine(ctx: Context, job: FileJob, code: str, reason: str) -> FileJob:
    """Set the file aside in inbox/failed with its reason, and record the failure."""
    attempts = max(job.attempts, 1)
    note = (
        f"{reason}\n\nfile: {job.path.name}\nkind: {job.label}\ncode: {code}\nattempts: {attempts}\n"
        f"sha256: {job.sha256}\nwhen: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n"
    )
    target = inbox.set_aside(ctx.settings, job.path, job.sha256, note)
    try:
        ctx.policy.run(
            lambda session: record.save_failure(
                session,
                sha256=job.sha256,
                kind=job.label,
                filename=job.path.name,
                code=code,
                reason=reason,
                quarantined_path=str(target),
                attempts=attempts,
            )
        )
    except DatabaseBusy as exc:  # the file and its reason are set aside already; only the row is missing
        log.error("quarantined %s but could not record it: %s", job.path.name, exc)
    ctx.metrics.files.labels(job.label, "quarantined").inc()
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
    existing = dict(
        session.execute(select(col(Document.sha256), col(Document.id)).where(col(Document.sha256).in_(shas))).all()
    )
    first = {job.sha256: job.path.name for job in reversed(jobs) if job.sha256 not in existing}
    won = claims.take(session, leases.owner, first.items(), leases.lease_s)
    verdicts: list[Verdict] = []
    seen: set[str] = set()
    for job in jobs:
        if job.sha256 in existing or job.sha256 in seen:  # same bytes earlier, or twice in this batch
            record.add_event(
                session,
                "document.duplicate",
                sha256=job.sha256,
                filename=job.path.name,
                document_id=existing.get(job.sha256),
            )
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
        job.analysis = ctx.pool.run(
            analyse_in_worker,
            (item, ctx.limits, str(ctx.settings.skills), ctx.taxonomy.version),
            on_start=lambda: ctx.inflight.add(job.sha256, job.path.name),
        )
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


def identities(items: list[Analysis]) -> set[str]:
    """The chunk's own job identities (whether the writer keeps one closed is read with the snapshot)."""
    return {record.identity_of(i) for i in items if i.kind == "job"}


def take_snapshot(ctx: Context, jobs: list[FileJob]) -> Snapshot:
    """Read, before the timed score step, the other side of the chunk's files (and which of its jobs are
    closed)."""
    items = [job.analysis for job in jobs if job.analysis]
    kinds = {item.kind for item in items}
    with ctx.reader() as session:
        return read_snapshot(
            session, ctx.model, jobs="resume" in kinds, resumes="job" in kinds, identities=identities(items)
        )


def score(jobs: list[FileJob], snapshot: Snapshot, model: Model) -> list[FileJob]:
    """Pure: the chunk's matches against the snapshot, in order (each file joins it for the files after it)."""
    items = [(job.sha256, job.analysis) for job in jobs]
    assert all(item for _, item in items)
    scored = matching.score_chunk(items, snapshot, model)  # type: ignore[arg-type]
    for job, (features, matches) in zip(jobs, scored, strict=True):
        job.features, job.matches = features, matches
        job.to(Status.SCORED)
    return jobs


@dataclass
class Written:
    """What a chunk's write has done so far, for the files after: the owners and documents it wrote (jobs by
    identity, resumes by sha256), the resumes that are not scored (another file of a stored resume), the
    resumes scored again under their person's name, and whether a resume was written (it may have replaced
    older versions, which then are no longer scored)."""

    jobs: dict[str, tuple[int, int]] = field(default_factory=dict)
    resumes: dict[str, tuple[int, int]] = field(default_factory=dict)
    unscored: set[str] = field(default_factory=set)
    renamed: dict[str, ResumeFeatures] = field(default_factory=dict)  # sha256 -> features under the stored name
    a_resume: bool = False


def _side(snapshot: Snapshot, done: Written, kind: str, key: str) -> tuple[int, int]:
    """(owner id, document id) of the other side of a pair: written in this chunk, else as the snapshot read it."""
    mine = done.jobs if kind == "job" else done.resumes
    if key in mine:
        return mine[key]
    side = snapshot.side(kind)[key]
    return side.owner_id, side.features.document_id  # type: ignore[return-value]


def _named(session: Session, job: FileJob, candidate_id: int, snapshot: Snapshot, model: Model, done: Written) -> None:
    """A resume without a name that joined a known person is scored again under that person's name (the
    features leave the name out of the text vector), against the jobs it met."""
    assert job.analysis is not None
    if job.analysis.name:
        return
    name = session.scalar(select(col(Candidate.name)).where(col(Candidate.id) == candidate_id))
    if name is None or name == matching.resume_name(job.analysis):
        return
    features = matching.features_of(job.analysis, model, name)
    assert isinstance(features, ResumeFeatures)
    features.document_id = job.features.document_id
    met = [(key, snapshot.jobs[key].features) for key, _ in job.matches if key in snapshot.jobs]
    job.features, job.matches = features, [(key, matching.score_one(features, other, model)) for key, other in met]
    done.renamed[job.sha256] = features


def _pairs(
    session: Session, job: FileJob, document: Document, snapshot: Snapshot, model: Model, done: Written
) -> list[tuple[int, int, int, int, MatchResult]]:
    """A written document's matches as the writer takes them. A job's pairs leave out resumes that are no longer
    scored (another file of a stored resume, or replaced by a newer version earlier in this chunk) and use a
    renamed resume's features."""
    is_job = document.kind == "job"
    owner = document.job_id if is_job else document.candidate_id
    assert owner is not None and document.id is not None
    pairs = []
    for key, result in job.matches:
        if is_job and key in done.unscored:
            continue
        other, other_doc = _side(snapshot, done, "resume" if is_job else "job", key)
        if is_job and key in done.renamed:
            result = matching.score_one(done.renamed[key], job.features, model)
        pairs.append(
            (owner, other, document.id, other_doc, result) if is_job else (other, owner, other_doc, document.id, result)
        )
    if is_job and done.a_resume and pairs:  # a resume of this chunk may have replaced some of the snapshot's
        current = set(
            session.scalars(
                select(col(Document.id)).where(
                    col(Document.id).in_([pair[3] for pair in pairs]),
                    col(Document.current).is_(True),
                    col(Document.same_as).is_(None),
                )
            )
        )
        pairs = [pair for pair in pairs if pair[3] in current]
    return pairs


def _fresh(session: Session, jobs: list[FileJob], snapshot: Snapshot, model: Model) -> tuple[list[FileJob], Snapshot]:
    """The chunk without the files whose bytes another watcher committed meanwhile (its claim's lease ran out
    while this one still worked: they become duplicates), scored again over a fresh snapshot if the one it was
    scored with went stale (another writer's document, or a person closing a job, merging or erasing people)."""
    shas = [job.sha256 for job in jobs]
    done: dict[str, int] = {
        sha: id_
        for sha, id_ in session.execute(
            select(col(Document.sha256), col(Document.id)).where(col(Document.sha256).in_(shas))
        )
    }
    for job in jobs:
        if job.sha256 in done:
            job.document_id = done[job.sha256]
            job.to(Status.DUPLICATE, "another watcher committed the same bytes first")
    jobs = [job for job in jobs if job.status is not Status.DUPLICATE]
    if done or generation(session) != snapshot.generation:
        own = identities([job.analysis for job in jobs if job.analysis])
        snapshot = read_snapshot(session, model, jobs=True, resumes=True, identities=own)
        score(jobs, snapshot, model)
    return jobs, snapshot


def write(
    session: Session, jobs: list[FileJob], snapshot: Snapshot, files_dir: Path | None, model: Model, version: str
) -> None:
    """A scored chunk's documents, versions, mentions, matches and events, in the caller's transaction (the
    commit step's write; tests/seed.py and chaos/seed.py make the same call; with `files_dir` None, no original
    is kept). A stale snapshot is read again and the chunk scored again, in this transaction (`_fresh`). A
    resume joins its person (pipeline/people.py); another file of a stored resume is kept unscored; the claims
    of the files written go in the same transaction."""
    jobs, snapshot = _fresh(session, jobs, snapshot, model)
    claims.release_files(session, [job.sha256 for job in jobs])
    done = Written()
    for job in jobs:
        item = job.analysis
        assert item is not None
        stored = str(files_dir / f"{job.sha256}.{item.format}") if files_dir is not None else ""
        document = record.save_document(session, item, sha256=job.sha256, size=job.size, stored_path=stored)
        assert document.id is not None
        job.features.document_id = document.id
        if item.kind == "job":
            done.jobs[record.identity_of(item)] = (document.job_id, document.id)  # type: ignore[assignment]
        else:
            assert document.candidate_id is not None
            done.resumes[job.sha256], done.a_resume = (document.candidate_id, document.id), True
            if document.same_as is not None:  # another file of a stored resume: kept, not scored
                done.unscored.add(job.sha256)
                job.matches = []
            else:
                _named(session, job, document.candidate_id, snapshot, model, done)
        pairs = _pairs(session, job, document, snapshot, model, done)
        record.write_matches(session, pairs, version)
        record.clear_attempt(session, job.sha256)
        record.add_event(
            session,
            "document.scored",
            document_id=document.id,
            sha256=job.sha256,
            filename=job.path.name,
            candidate_id=document.candidate_id,
            job_id=document.job_id,
            detail={"kind": item.kind, "matches": len(pairs)},
        )
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
