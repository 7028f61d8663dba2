"""A re-score's re-extraction of stored documents, spread over the parse workers: mentions and a resume's features.

After a taxonomy edit every document's skills are extracted again from its stored text, and every resume's
features (pipeline.features) built again from them. Both are pure and cost a few milliseconds a document, most of
a re-score's time, so a batch's documents are split between the parse worker processes (pipeline.workers), which
do both; the driver writes and scores. Features are built from the mentions as stored (a skill_mention row keeps
no section), in their order, so they equal what a read of the rows would build (pipeline.snapshot).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.features import ResumeFeatures, StoredMention, resume_features
from pipeline.roles import Roles, roles_for
from pipeline.stages import Analysis, _worker_taxonomy, reanalyse_text
from pipeline.taxonomy import Taxonomy
from pipeline.workers import WorkerCrashed, WorkerPool, WorkerTimeout

log = logging.getLogger("shortlist.rescore")
SMALLEST_SHARE = 8  # documents below which a batch is not worth sending to a worker


@dataclass(frozen=True)
class Stored:
    """A stored document as re-extraction needs it; `name` is its person's (a resume's text vector leaves it
    out), None when the document has no person (a job, a resume not yet attached)."""

    document_id: int
    filename: str
    kind: str
    text: str
    years: float | None
    sha256: str
    name: str | None


@dataclass
class Redone:
    """One document extracted again: its analysis (mentions, requirements, version) and, for a resume with a
    person, its features under the roles vocabulary asked for (None otherwise)."""

    document: Stored
    item: Analysis
    features: ResumeFeatures | None


def stored_mentions(item: Analysis) -> list[StoredMention]:
    """The mentions of `item` as a read of their skill_mention rows gives them (no section, rows in order)."""
    return [StoredMention(m.skill, m.category, m.start, m.end, item.requirements.get(m.skill)) for m in item.mentions]


def redo(document: Stored, taxonomy: Taxonomy, roles: Roles | None) -> Redone:
    item = Analysis(filename=document.filename, kind=document.kind, text=document.text, years=document.years)
    reanalyse_text(item, taxonomy)  # years do not change with skills
    features = None
    if roles is not None and document.kind == "resume" and document.name is not None:
        features = resume_features(
            document.document_id, document.text, stored_mentions(item), document.years, roles, document.name
        )
    item.text = ""  # the driver has it: not sent back
    return Redone(document, item, features)


def redo_in_worker(task: tuple[list[Stored], str, str, str]) -> list[Redone] | None:
    """A share of a batch in a parse worker; None when the worker cannot load the taxonomy asked for."""
    documents, skills_dir, version, roles_version = task
    taxonomy = _worker_taxonomy(skills_dir, version)
    if taxonomy is None or taxonomy.version != version:
        return None
    roles = roles_for(Path(skills_dir))
    return [redo(d, taxonomy, roles if roles.version == roles_version else None) for d in documents]


class Pending:
    """A batch handed to the workers: `result()` waits for its shares, in the documents' order."""

    def __init__(self, documents: list[Stored], shares: list[Future]) -> None:
        self.documents, self.shares = documents, shares

    def result(self) -> list[Redone]:
        return [redone for share in self.shares for redone in share.result()]


class Reextractor:
    """`start(documents, ...)` hands a batch to the workers at once (a share each) and returns it Pending; a
    share a worker could not do (timeout, crash, another taxonomy) is done in the driver."""

    def __init__(self, pool: WorkerPool | None, workers: int, skills_dir: Path) -> None:
        self.pool, self.workers, self.skills_dir = pool, max(1, workers), str(skills_dir)
        # two batches' shares at once: the one being waited for and the next, started ahead
        self.threads = ThreadPoolExecutor(max_workers=2 * self.workers, thread_name_prefix="reextract")

    def run(self, documents: list[Stored], taxonomy: Taxonomy, roles: Roles) -> list[Redone]:
        return self.start(documents, taxonomy, roles).result()

    def start(self, documents: list[Stored], taxonomy: Taxonomy, roles: Roles, here: bool = False) -> Pending:
        """`here`: done in the driver now, which has the taxonomy loaded already (workers load theirs first)."""
        if here or self.pool is None or len(documents) < 2 * SMALLEST_SHARE:
            done: Future = Future()
            done.set_result([redo(d, taxonomy, roles) for d in documents])
            return Pending(documents, [done])
        size = -(-len(documents) // self.workers)
        return Pending(
            documents,
            [
                self.threads.submit(self._share, documents[i : i + size], taxonomy, roles)
                for i in range(0, len(documents), size)
            ],
        )

    def _share(self, documents: list[Stored], taxonomy: Taxonomy, roles: Roles) -> list[Redone]:
        assert self.pool is not None
        try:
            redone = self.pool.run(redo_in_worker, (documents, self.skills_dir, taxonomy.version, roles.version))
        except (WorkerTimeout, WorkerCrashed) as exc:
            log.warning("re-extraction in a worker failed (%s); done in the watcher", exc)
            redone = None
        if redone is None:
            return [redo(d, taxonomy, roles) for d in documents]
        return redone

    def close(self) -> None:
        self.threads.shutdown(wait=True, cancel_futures=True)
