"""Reads the pipeline makes before scoring: the features of each side's current documents, by id, identity or hash.

Features are built from a document's text and its skill mentions as stored (pipeline.features), once per
document: they stay in memory, keyed by document id, sha256, taxonomy version and roles version, so a
snapshot costs one query per side once the documents are known. A document the driver has just written is
added with `remember`, from the features it was scored with (the same ones a read would build).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, col

from pipeline.features import JobFeatures, ResumeFeatures, StoredMention, job_features, resume_features
from pipeline.model import Model
from store.models import Candidate, Document, Event, Job, SkillMention

FEATURE_CACHE = 20_000  # documents whose features stay in memory between scorings
_features: OrderedDict[tuple, Any] = OrderedDict()  # (kind, document id, sha256, taxonomy, roles) -> features


class Side(NamedTuple):
    """One current job or resume as scoring sees it; owner_id (job or candidate id) is None until written."""

    owner_id: int | None
    features: Any  # JobFeatures | ResumeFeatures; features.document_id is 0 until written


@dataclass
class Snapshot:
    """The other side of every file in a chunk: open jobs by identity (their file name), current resumes by
    their sha256 (a person may have several, each scored); which of the chunk's own jobs the writer keeps
    closed; and the database's generation when read."""

    jobs: dict[str, Side] = field(default_factory=dict)  # open jobs only: a closed job is not scored
    resumes: dict[str, Side] = field(default_factory=dict)  # current resumes (not replaced, not another file)
    closed: set[str] = field(default_factory=set)  # identities of closed jobs
    generation: tuple[int, int, int] = (0, 0, 0)

    def side(self, kind: str) -> dict[str, Side]:
        return self.jobs if kind == "job" else self.resumes


# -- the feature cache


def _key(kind: str, document_id: int, sha256: str, taxonomy_version: str, model: Model) -> tuple:
    return (kind, document_id, sha256, taxonomy_version, model.roles.version)


def remember(kind: str, features: Any, sha256: str, taxonomy_version: str, model: Model) -> None:
    """Keep the features of a document just committed (its document_id filled in) for later snapshots."""
    _features[_key(kind, features.document_id, sha256, taxonomy_version, model)] = features
    _trim()


def forget() -> None:
    """Drop every cached feature (a test that wants features built from the rows alone)."""
    _features.clear()


def _trim() -> None:
    while len(_features) > FEATURE_CACHE:
        _features.popitem(last=False)


def _mentions_of(session: Session, document_ids: list[int]) -> dict[int, list[StoredMention]]:
    out: dict[int, list[StoredMention]] = {i: [] for i in document_ids}
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start : start + 500]
        for row in session.execute(
            select(
                col(SkillMention.document_id),
                col(SkillMention.skill),
                col(SkillMention.category),
                col(SkillMention.start),
                col(SkillMention.end),
                col(SkillMention.requirement),
            ).where(col(SkillMention.document_id).in_(chunk))
        ):
            out[row[0]].append(StoredMention(row[1], row[2], row[3], row[4], row[5]))
    return out


def _texts_of(session: Session, document_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start : start + 500]
        out.update(
            session.execute(select(col(Document.id), col(Document.text)).where(col(Document.id).in_(chunk))).all()
        )
    return out


def _cached(
    kind: str, rows: Sequence, model: Model, build: Callable[[Any, str, list[StoredMention]], Any], session: Session
) -> list:
    """Features for (document id, sha256, taxonomy version, ...) rows, building the ones not in memory. The
    sha256 keeps two databases (tests, the evaluation's throw-away instance) from sharing an entry."""
    keys = [_key(kind, row[0], row[1], row[2], model) for row in rows]
    missing = [row[0] for row, key in zip(rows, keys, strict=True) if key not in _features]
    if missing:
        texts, mentions = _texts_of(session, missing), _mentions_of(session, missing)
        for row, key in zip(rows, keys, strict=True):
            if key not in _features:
                _features[key] = build(row, texts[row[0]], mentions[row[0]])
    out = []
    for key in keys:
        _features.move_to_end(key)
        out.append(_features[key])
    _trim()
    return out


# -- each side's current documents


def _jobs(session: Session, model: Model, job_ids: list[int] | None) -> list[tuple[int, str, JobFeatures]]:
    query = select(
        col(Job.current_document_id),
        col(Document.sha256),
        col(Document.taxonomy_version),
        col(Job.id),
        col(Job.min_years),
        col(Job.title),
        col(Job.identity),
    ).join(Document, col(Document.id) == col(Job.current_document_id))
    query = query.where(col(Job.id).in_(job_ids)) if job_ids is not None else query.where(col(Job.status) == "open")
    rows = session.execute(query).all()
    features = _cached(
        "job",
        rows,
        model,
        lambda row, text, mentions: job_features(row[0], text, mentions, row[4], row[5], model.roles),
        session,
    )
    return [(row[3], row[6], f) for row, f in zip(rows, features, strict=True)]


def _resumes(
    session: Session, model: Model, candidate_ids: list[int] | None, document_ids: list[int] | None
) -> list[tuple[int, str, ResumeFeatures]]:
    """(candidate id, sha256, features) of every current resume: not replaced by a newer version and not another
    file of a stored resume (`same_as`), one per resume, however many a person has."""
    d = col(Document.id)
    query = (
        select(
            d,
            col(Document.sha256),
            col(Document.taxonomy_version),
            col(Document.candidate_id),
            col(Document.years),
            col(Candidate.name),
        )
        .join(Candidate, col(Candidate.id) == col(Document.candidate_id))
        .where(col(Document.kind) == "resume", col(Document.current).is_(True), col(Document.same_as).is_(None))
    )
    if candidate_ids is not None:
        query = query.where(col(Document.candidate_id).in_(candidate_ids))
    if document_ids is not None:
        query = query.where(d.in_(document_ids))
    rows = session.execute(query).all()
    features = _cached(
        "resume",
        rows,
        model,
        lambda row, text, mentions: resume_features(row[0], text, mentions, row[4], model.roles, row[5]),
        session,
    )
    return [(row[3], row[1], f) for row, f in zip(rows, features, strict=True)]


def job_requirements(session: Session, model: Model, job_ids: list[int] | None = None) -> dict[int, JobFeatures]:
    """job id -> the features of its current document (wanted skills, text vector, role, years asked); every open
    job when no ids are given (a closed job is not scored against new resumes; its ranking stays as it was)."""
    return {job_id: features for job_id, _, features in _jobs(session, model, job_ids)}


def resume_skills(
    session: Session, model: Model, candidate_ids: list[int] | None = None, document_ids: list[int] | None = None
) -> dict[tuple[int, int], ResumeFeatures]:
    """(candidate id, resume document id) -> the features of that current resume (skills with depth, text
    vector, titles, years), for every current resume of the people (or documents) given, else of everyone."""
    return {
        (cand_id, features.document_id): features
        for cand_id, _, features in _resumes(session, model, candidate_ids, document_ids)
    }


def generation(session: Session) -> tuple[int, int, int]:
    """The newest event and document ids and the number of documents: every write to documents, jobs and
    candidates (the pipeline's, and a person's close, reopen, merge, split or erasure) adds an event or a
    document or takes documents away, so when this moved since a snapshot, the snapshot is stale. (The count
    catches an erasure whose own event took the id of the newest event it erased.)"""
    return (
        session.scalar(select(func.max(col(Event.id)))) or 0,
        session.scalar(select(func.max(col(Document.id)))) or 0,
        session.scalar(select(func.count()).select_from(Document)) or 0,
    )


def read_snapshot(
    session: Session, model: Model, jobs: bool, resumes: bool, identities: set[str] | frozenset[str] = frozenset()
) -> Snapshot:
    """Every open job (when a resume is to be scored) and every current resume (when a job is); and which of the
    chunk's own job `identities` are closed."""
    snapshot = Snapshot(generation=generation(session))
    if jobs:
        snapshot.jobs = {identity: Side(job_id, f) for job_id, identity, f in _jobs(session, model, None)}
    if resumes:
        snapshot.resumes = {sha: Side(cand_id, f) for cand_id, sha, f in _resumes(session, model, None, None)}
    if identities:
        snapshot.closed = set(
            session.scalars(
                select(col(Job.identity)).where(col(Job.identity).in_(identities), col(Job.status) == "closed")
            )
        )
    return snapshot
