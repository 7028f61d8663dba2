"""Erasing a person: every row that holds their data (documents, text, mentions, matches, decisions, reveals,
merges, possible-duplicate pairs, change-feed entries) and, after commit, their archived files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from store import audit, tables
from store.models import Candidate, Event
from store.settings import Settings


def stored_file(settings: Settings, stored_path: str | None) -> Path | None:
    """The archived original behind a document, only if it lies inside store/files/."""
    if not stored_path:
        return None
    raw = Path(stored_path)
    root = settings.files_dir.resolve()
    candidates = [raw] if raw.is_absolute() else [settings.store / raw, settings.files_dir / raw, settings.home / raw]
    for path in candidates:
        resolved = path.resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


def erase_candidate(
    session: Session, settings: Settings, candidate_id: int, *, actor: str, reason: str
) -> list[Path] | None:
    """Delete the person and everything of theirs in this transaction; None when there is no such person.
    Returns the archived files for the caller to unlink once the transaction committed. The audit log keeps
    that the erasure happened (who, when, why), with the person's number only."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        return None
    c, d, e = tables.candidate.c, tables.document.c, tables.event.c
    people = [candidate_id, *session.scalars(select(c.id).where(c.merged_into == candidate_id))]
    documents = session.execute(select(d.id, d.sha256, d.stored_path).where(d.candidate_id.in_(people))).all()
    files = [path for path in (stored_file(settings, row.stored_path) for row in documents) if path is not None]
    ids, hashes = [row.id for row in documents], [row.sha256 for row in documents]
    session.execute(
        delete(tables.event).where(or_(e.candidate_id.in_(people), e.document_id.in_(ids), e.sha256.in_(hashes)))
    )
    session.execute(delete(tables.attempt).where(tables.attempt.c.sha256.in_(hashes)))
    session.execute(delete(tables.document).where(d.id.in_(ids)))
    session.execute(delete(tables.candidate).where(c.id.in_(people)))
    audit.record(
        session,
        actor,
        "erase",
        candidate_id=candidate_id,
        touch=False,
        detail={"reason": reason, "documents": len(documents), "files": len(files)},
    )
    session.add(
        Event(
            kind="candidate.deleted",
            candidate_id=candidate_id,
            detail=f"{len(documents)} document(s) erased ({reason})",
        )
    )
    return files
