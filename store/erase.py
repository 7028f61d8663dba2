"""Erasing a person: every row that holds their data (documents, text, mentions, matches, decisions, reveals,
merges, possible-duplicate pairs, change-feed entries) and, after commit, their archived files."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from store import audit
from store.models import Attempt, Candidate, Document, Event
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


def erase_candidate(session: Session, settings: Settings, candidate_id: int, *, actor: str, reason: str
                    ) -> list[Path] | None:
    """Delete the person and everything of theirs in this transaction; None when there is no such person.
    Returns the archived files for the caller to unlink once the transaction committed. The audit log keeps
    that the erasure happened (who, when, why), with the person's number only."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        return None
    people = [candidate_id] + list(session.scalars(select(Candidate.id).where(Candidate.merged_into == candidate_id)))
    documents = session.execute(select(Document.id, Document.sha256, Document.stored_path)
                                .where(Document.candidate_id.in_(people))).all()
    files = [path for path in (stored_file(settings, row.stored_path) for row in documents) if path is not None]
    hashes = [row.sha256 for row in documents]
    session.execute(delete(Event).where(or_(Event.candidate_id.in_(people),
                                            Event.document_id.in_([row.id for row in documents]),
                                            Event.sha256.in_(hashes))))
    session.execute(delete(Attempt).where(Attempt.sha256.in_(hashes)))
    session.execute(delete(Document).where(Document.id.in_([row.id for row in documents])))
    session.execute(delete(Candidate).where(Candidate.id.in_(people)))
    audit.record(session, actor, "erase", candidate_id=candidate_id, touch=False,
                 detail={"reason": reason, "documents": len(documents), "files": len(files)})
    session.add(Event(kind="candidate.deleted", candidate_id=candidate_id,
                      detail=f"{len(documents)} document(s) erased ({reason})"))
    return files
