"""Bring every document and match to the current taxonomy: work derived from the store, done in short batches.

After `skills/` changes (or a restart finds rows on an old version) the watcher calls `step()` between
ingest batches. Each step is one short transaction of one kind, taken in this order:

1. **jobs**: re-extract job descriptions on an old taxonomy; their matches written since the change
   (by a resume that arrived meanwhile) are marked stale, since they used the job's old skills;
2. **resumes**: re-extract up to `SHORTLIST_RESCORE_DOCUMENTS` resumes (fewer, so that about
   `SHORTLIST_RESCORE_MATCHES` matches follow) and re-score their candidates against every job;
3. **matches**: re-score the candidates still holding a match on an old version.

Nothing is remembered between steps but two cursors that only make a pass linear; a killed watcher
starts again from the versions in the store, and a second edit changes the target so the remaining
(and the already redone) rows are stale again. Features are read through `pipeline.snapshot`, scored
one job against the whole batch at once (`pipeline.batchscore`) with the driver's model, and written through
`pipeline.record`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, select, update
from sqlmodel import col

from pipeline import batchscore, record, snapshot
from pipeline import score as scoring
from pipeline.metrics import PipelineMetrics
from pipeline.model import Model
from pipeline.reextract import Pending, Reextractor, Stored
from pipeline.taxonomy import Taxonomy
from pipeline.workers import WorkerPool
from store import rescore as todo
from store.models import Candidate, Document, Match, Rescore, utcnow
from store.settings import Settings

log = logging.getLogger("shortlist.rescore")


def model_version() -> str:
    """The version every match records from the weights it was scored with (pipeline/model_weights.json):
    after a change of weights, matches on the old version are re-scored like those of an old taxonomy."""
    return scoring.load_weights().version


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch makes millions of small objects that all live until it ends: the cyclic garbage collector would
    walk the whole heap again and again for nothing (a third of a batch's time); it runs after the batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Batch:
    kind: str  # jobs | resumes | matches
    documents: int = 0
    matches: int = 0
    marked: int = 0  # matches made stale: written since the change against a job's old skills
    seconds: float = 0.0


class Rescorer:
    """One batch at a time until nothing in the store is on an old version."""

    def __init__(
        self,
        settings: Settings,
        metrics: PipelineMetrics,
        commit: Callable,
        model: Callable[[], Model],
        pool: WorkerPool | None = None,
    ) -> None:
        self.documents = settings.rescore_documents
        self.matches = settings.rescore_matches
        self.metrics = metrics
        self.commit = commit  # runs a function in one transaction, retrying while the database is busy
        self.model = model  # the relevance model the driver scores with now
        self.version = ""
        self.pending = False
        self.cursor = {"resumes": 0, "matches": 0}
        self.last_progress = time.monotonic()
        self.reextractor = Reextractor(pool, settings.workers, settings.skills)  # in the parse workers
        self.ahead: tuple[tuple[str, str], Pending] | None = None  # the next batch's, started early

    def close(self) -> None:
        self.reextractor.close()

    # -- the target

    def target(self, taxonomy: Taxonomy) -> None:
        """Aim at `taxonomy` (at start and after every reload): count what is stale, record it, emit an event."""
        self.version, self.cursor = taxonomy.version, {"resumes": 0, "matches": 0}
        model = model_version()

        def write(session):
            documents, matches = todo.count_stale(session, taxonomy.version, model)
            row = session.get(Rescore, todo.PROCESS)
            now = utcnow()
            changed = row is None or row.taxonomy_version != taxonomy.version or row.model_version != model
            if row is None:
                row = Rescore(process=todo.PROCESS, taxonomy_version=taxonomy.version)
            if changed or row.finished_at is not None:  # a new target, or work found on a finished one
                row.taxonomy_version, row.model_version = taxonomy.version, model
                row.changed_at = now if changed else row.changed_at
                row.total, row.done, row.batches = documents + matches, 0, 0
            row.documents_left, row.matches_left, row.updated_at = documents, matches, now
            row.finished_at = now if not documents + matches else None
            session.add(row)
            if documents + matches:
                record.add_event(
                    session,
                    "rescore.started",
                    detail={"version": taxonomy.version, "documents": documents, "matches": matches},
                )
            return documents, matches

        documents, matches = self.commit(write)
        self.pending = bool(documents + matches)
        self.last_progress = time.monotonic()
        self._gauges(documents, matches, 0.0 if self.pending else 1.0)
        if self.pending:
            log.info(
                "taxonomy %s: %d documents to re-extract, %d matches to re-score",
                taxonomy.version[:12],
                documents,
                matches,
            )

    # -- one batch

    def step(self, taxonomy: Taxonomy) -> Batch | None:
        """Do one batch in one transaction; None once nothing is left (the finish is then recorded)."""
        if not self.pending:
            return None
        if taxonomy.version != self.version:
            self.target(taxonomy)
        started = time.perf_counter()
        with _collector_paused():
            batch = self.commit(lambda session: self._one(session, taxonomy))
        if batch is None:
            self._finish()
            return None
        batch.seconds = time.perf_counter() - started
        self.last_progress = time.monotonic()
        self.metrics.rescore_batch.labels(batch.kind).observe(batch.seconds)
        self.metrics.rescore_done.labels("documents").inc(batch.documents)
        self.metrics.rescore_done.labels("matches").inc(batch.matches)
        self.metrics.rescore_last_batch.set_to_current_time()
        return batch

    def _one(self, session, taxonomy: Taxonomy) -> Batch | None:
        batch = self._jobs(session, taxonomy) or self._resumes(session, taxonomy) or self._matches(session, taxonomy)
        if batch is not None:
            self._progress(session, batch)
        return batch

    def _next(self, phase: str, select_ids: Callable[[int], list[int]]) -> list[int]:
        """Ids after the phase's cursor; at the end of a pass, once more from the start (rows made stale behind
        the cursor, e.g. by a job re-extracted meanwhile, are found there)."""
        ids = select_ids(self.cursor[phase])
        if not ids and self.cursor[phase]:
            self.cursor[phase] = 0
            ids = select_ids(0)
        if ids:
            self.cursor[phase] = ids[-1]
        return ids

    def _stored(self, session, ids: list[int]) -> list[Stored]:
        return [
            Stored(*row)
            for row in session.execute(
                select(
                    col(Document.id),
                    col(Document.filename),
                    col(Document.kind),
                    col(Document.text),
                    col(Document.years),
                    col(Document.sha256),
                    col(Candidate.name),
                )
                .outerjoin(Candidate, col(Candidate.id) == col(Document.candidate_id))
                .where(col(Document.id).in_(ids))
                .order_by(col(Document.id))
            )
        ]

    def _reextract(
        self, session, ids: list[int], taxonomy: Taxonomy, after: list[int] | None = None, here: bool = False
    ) -> None:
        """The documents' skills extracted again (in the parse workers) and written; each resume's features, built
        there from the same mentions, kept for the scoring that follows (pipeline.snapshot). The documents of
        `after` (the next batch's) are handed to the workers at once, to be extracted while this batch is scored;
        the next batch takes that work only if its documents, taxonomy and roles are still the same. `here`: this
        batch in the driver, while the workers load the new taxonomy and start on `after`."""
        model = self.model()
        documents = self._stored(session, ids)
        key = (taxonomy.version, model.roles.version)
        ahead, self.ahead = self.ahead, None
        if here and after:  # the workers start on the next batch before this one is done here
            self.ahead = (key, self.reextractor.start(self._stored(session, after), taxonomy, model.roles))
            after = None
        if ahead is not None and ahead[0] == key and ahead[1].documents == documents:
            pending = ahead[1]
        else:
            pending = self.reextractor.start(documents, taxonomy, model.roles, here)
        if after:
            self.ahead = (key, self.reextractor.start(self._stored(session, after), taxonomy, model.roles))
        redone = pending.result()
        record.replace_mentions_many(session, [(r.document.document_id, r.item) for r in redone])
        for r in redone:
            if r.features is not None:
                snapshot.remember("resume", r.features, r.document.sha256, taxonomy.version, model)

    def _jobs(self, session, taxonomy: Taxonomy) -> Batch | None:
        ids = todo.stale_job_documents(session, taxonomy.version, self.documents)
        if not ids:
            return None
        _, size = self._per_batch(session)  # the first resumes' batch goes to the workers meanwhile
        first = todo.stale_resume_documents(session, taxonomy.version, self.cursor["resumes"], size)
        self._reextract(session, ids, taxonomy, first, here=True)
        jobs = todo.current_jobs_of(session, ids)
        marked = 0
        if jobs:  # scored against this job's old skills by a resume that arrived after the change
            marked = (
                session.execute(
                    update(Match)
                    .where(
                        col(Match.job_id).in_(jobs),
                        col(Match.job_document_id).in_(ids),
                        col(Match.taxonomy_version) == taxonomy.version,
                    )
                    .values(taxonomy_version="")
                ).rowcount
                or 0
            )
        return Batch("jobs", documents=len(ids), marked=marked)

    def _per_batch(self, session) -> tuple[dict, int]:
        jobs = snapshot.job_requirements(session, self.model())
        return jobs, max(1, min(self.documents, self.matches // max(1, len(jobs))))

    def _resumes(self, session, taxonomy: Taxonomy) -> Batch | None:
        jobs, size = self._per_batch(session)
        ids = self._next("resumes", lambda after: todo.stale_resume_documents(session, taxonomy.version, after, size))
        if not ids:
            return None
        after = todo.stale_resume_documents(session, taxonomy.version, ids[-1], size)
        self._reextract(session, ids, taxonomy, after)
        matches = self._rescore(session, todo.current_candidates_of(session, ids), jobs, taxonomy)
        return Batch("resumes", documents=len(ids), matches=matches)

    def _matches(self, session, taxonomy: Taxonomy) -> Batch | None:
        jobs, size = self._per_batch(session)
        candidates = self._next(
            "matches",
            lambda after: todo.candidates_with_stale_matches(session, taxonomy.version, model_version(), after, size),
        )
        if not candidates:
            return None
        return Batch("matches", matches=self._rescore(session, candidates, jobs, taxonomy))

    def _rescore(self, session, candidates: list[int], jobs: dict, taxonomy: Taxonomy) -> int:
        """Every match of these candidates, scored again (pipeline.batchscore); returns how many were written."""
        model = self.model()
        resumes = snapshot.resume_skills(session, model, candidate_ids=candidates)
        scored = {candidate for candidate, _document in resumes}
        orphans = [c for c in candidates if c not in scored]
        if orphans:  # no current resume left to score them with: their matches cannot be brought up to date
            session.execute(delete(Match).where(col(Match.candidate_id).in_(orphans)))
        if not jobs or not resumes:
            return 0
        results = batchscore.score_jobs(
            list(jobs.values()), list(resumes.values()), model.relations, model.weights, model.roles.closeness
        )  # one job against the whole batch at once
        record.rewrite_scored(session, jobs, resumes, results, taxonomy.version, model.weights.version)
        return len(resumes) * len(jobs)

    # -- progress

    def _progress(self, session, batch: Batch) -> None:
        row = session.get(Rescore, todo.PROCESS)
        if row is None or row.taxonomy_version != self.version:
            return
        row.done += batch.documents + batch.matches
        row.documents_left = max(0, row.documents_left - batch.documents)
        row.matches_left = max(0, row.matches_left + batch.marked - batch.matches)
        row.total = max(row.total, row.done + row.documents_left + row.matches_left)
        row.batches += 1
        row.updated_at = utcnow()
        session.add(row)
        percent = round(min(99.9, 100.0 * row.done / row.total), 1) if row.total else 0.0
        record.add_event(
            session,
            "rescore.progress",
            detail={
                "version": self.version,
                "kind": batch.kind,
                "documents": batch.documents,
                "matches": batch.matches,
                "done": row.done,
                "total": row.total,
                "percent": percent,
            },
        )
        self._gauges(row.documents_left, row.matches_left, percent / 100)

    def _finish(self) -> None:
        def write(session):
            documents, matches = todo.count_stale(session, self.version, model_version())
            if documents + matches:
                return documents, matches
            row = session.get(Rescore, todo.PROCESS)
            if row is not None and row.finished_at is None:
                row.done, row.documents_left, row.matches_left = row.total, 0, 0
                row.finished_at = row.updated_at = utcnow()
                session.add(row)
                record.add_event(
                    session,
                    "rescore.finished",
                    detail={"version": self.version, "total": row.total, "batches": row.batches},
                )
            return 0, 0

        left = self.commit(write)
        if sum(left):  # rows went stale since the last pass: another pass (not progress: rows that never get
            self.cursor = {"resumes": 0, "matches": 0}  # fixed end in a withheld heartbeat, not a silent loop)
            return
        self.last_progress = time.monotonic()
        self.pending = False
        self._gauges(0, 0, 1.0)
        log.info("re-score to taxonomy %s finished", self.version[:12])

    def _gauges(self, documents: int, matches: int, ratio: float) -> None:
        self.metrics.rescore_backlog.labels("documents").set(documents)
        self.metrics.rescore_backlog.labels("matches").set(matches)
        self.metrics.rescore_progress.set(ratio)
