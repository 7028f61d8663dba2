"""Reads behind the batched re-score: what is still on an old taxonomy or model version, and how far along it is.

The to-do list is never stored: a document is stale when its taxonomy version is not the current
one, a match when its taxonomy (or, once matches carry one, model) version is not. The `rescore`
row only records the target, when it changed and the batches' progress, for pages and metrics.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from store.models import Document, Job, Match, Rescore

PROCESS = "pipeline"


def _match_stale(taxonomy_version: str, model_version: str | None = None):
    """The condition that makes a match work to do."""
    condition = col(Match.taxonomy_version) != taxonomy_version
    column = getattr(Match, "model_version", None)  # matches carry a model version once the relevance model lands
    if model_version and column is not None:
        return or_(condition, col(column) != model_version)
    return condition


def stale_job_documents(session: Session, taxonomy_version: str, limit: int) -> list[int]:
    """Ids of job descriptions extracted with another taxonomy (every version of a job, oldest id first)."""
    return list(
        session.scalars(
            select(col(Document.id))
            .where(col(Document.kind) == "job", col(Document.taxonomy_version) != taxonomy_version)
            .order_by(col(Document.id))
            .limit(limit)
        )
    )


def stale_resume_documents(session: Session, taxonomy_version: str, after: int, limit: int) -> list[int]:
    """Ids above `after` of resumes extracted with another taxonomy, in id order (a cursor, so a pass is linear)."""
    return list(
        session.scalars(
            select(col(Document.id))
            .where(
                col(Document.kind) == "resume",
                col(Document.taxonomy_version) != taxonomy_version,
                col(Document.id) > after,
            )
            .order_by(col(Document.id))
            .limit(limit)
        )
    )


def candidates_with_stale_matches(
    session: Session, taxonomy_version: str, model_version: str | None, after: int, limit: int
) -> list[int]:
    """Candidate ids above `after` with at least one match on an old version, in id order."""
    return list(
        session.scalars(
            select(col(Match.candidate_id))
            .where(col(Match.candidate_id) > after, _match_stale(taxonomy_version, model_version))
            .group_by(col(Match.candidate_id))
            .order_by(col(Match.candidate_id))
            .limit(limit)
        )
    )


def current_candidates_of(session: Session, document_ids: list[int]) -> list[int]:
    """The people for whom one of these documents is a current resume (a person may have several)."""
    if not document_ids:
        return []
    return list(
        session.scalars(
            select(col(Document.candidate_id))
            .distinct()
            .where(
                col(Document.id).in_(document_ids),
                col(Document.kind) == "resume",
                col(Document.current),
                col(Document.same_as).is_(None),
                col(Document.candidate_id).is_not(None),
            )
            .order_by(col(Document.candidate_id))
        )
    )


def current_jobs_of(session: Session, document_ids: list[int]) -> list[int]:
    """The jobs whose current description is one of these documents."""
    if not document_ids:
        return []
    return list(session.scalars(select(col(Job.id)).where(col(Job.current_document_id).in_(document_ids))))


def count_stale(session: Session, taxonomy_version: str, model_version: str | None = None) -> tuple[int, int]:
    """(documents, matches) not on the current versions."""
    documents = (
        session.scalar(
            select(func.count()).select_from(Document).where(col(Document.taxonomy_version) != taxonomy_version)
        )
        or 0
    )
    matches = (
        session.scalar(select(func.count()).select_from(Match).where(_match_stale(taxonomy_version, model_version)))
        or 0
    )
    return documents, matches


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")


def status(session: Session) -> dict[str, Any]:
    """Where the re-score stands: active or not, percent done, the target version and when it changed."""
    row = session.get(Rescore, PROCESS)
    if row is None:
        return {
            "active": False,
            "percent": 100.0,
            "taxonomy_version": None,
            "changed_at": None,
            "done": 0,
            "total": 0,
            "documents_left": 0,
            "matches_left": 0,
            "batches": 0,
            "updated_at": None,
            "finished_at": None,
        }
    active = row.finished_at is None
    percent = 100.0 if not active else (min(99.9, 100.0 * row.done / row.total) if row.total else 0.0)
    return {
        "active": active,
        "percent": round(percent, 1),
        "taxonomy_version": row.taxonomy_version,
        "model_version": row.model_version or None,
        "changed_at": _iso(row.changed_at),
        "done": row.done,
        "total": row.total,
        "documents_left": row.documents_left,
        "matches_left": row.matches_left,
        "batches": row.batches,
        "updated_at": _iso(row.updated_at),
        "finished_at": _iso(row.finished_at),
    }


def ranking_versions(session: Session, job_id: int) -> list[dict[str, Any]]:
    """The taxonomy versions one job's scores were computed with, most matches first, the current one marked."""
    row = session.get(Rescore, PROCESS)
    current = row.taxonomy_version if row is not None else None
    rows = session.execute(
        select(col(Match.taxonomy_version), func.count())
        .where(col(Match.job_id) == job_id)
        .group_by(col(Match.taxonomy_version))
        .order_by(func.count().desc())
    ).all()
    return [
        {
            "version": version,
            "short": (version or "unknown")[:12],
            "matches": count,
            "current": current is None or version == current,
        }
        for version, count in rows
    ]
