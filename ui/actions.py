"""The only writes the web process makes: a person's decisions (on candidates and on jobs: close, reopen,
delete), erasing a candidate or a check, and retrying or dismissing a quarantined file (merges, splits and reveals
of people: ui/people.py)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session
from starlette.exceptions import HTTPException

from store import audit
from store.erase import erase_candidate, stored_file
from store.models import Attempt, Decision, Document, Event, Failure, Job, Match, SeekerCheck
from store.settings import Settings
from ui.uploads import _free_name, _name_lock, safe_name

NOTE_LIMIT = 4000


class ActionError(HTTPException):
    """A refused action: its HTTP status and a sentence for the person, answered by the app's error handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)

    @property
    def message(self) -> str:
        return self.detail


def now() -> datetime:
    return datetime.now(timezone.utc)


def decide(
    session: Session,
    job_id: int,
    candidate_id: int,
    *,
    status: str | None = None,
    note: str | None = None,
    actor: str = "web",
) -> dict[str, Any]:
    """Set a candidate's status and/or note for a job, and record a `decision` event for live pages."""
    match = session.scalars(select(Match.id).where(Match.job_id == job_id, Match.candidate_id == candidate_id)).first()
    if match is None:
        raise ActionError(404, "This candidate has no score for this job (they may have been deleted).")
    decision = session.scalars(
        select(Decision).where(Decision.job_id == job_id, Decision.candidate_id == candidate_id)
    ).first()
    if decision is None:
        decision = Decision(job_id=job_id, candidate_id=candidate_id, status="new", note="", updated_at=now())
    if status is not None and status != decision.status:
        audit.record(
            session,
            actor,
            "decision",
            candidate_id=candidate_id,
            job_id=job_id,
            detail={"from": decision.status, "to": status},
        )
    if note is not None and note[:NOTE_LIMIT] != decision.note:
        audit.record(
            session,
            actor,
            "note",
            candidate_id=candidate_id,
            job_id=job_id,
            detail={"characters": len(note[:NOTE_LIMIT])},
        )
    if status is not None:
        decision.status = status
    if note is not None:
        decision.note = note[:NOTE_LIMIT]
    decision.updated_at = now()
    session.add(decision)
    session.add(
        Event(kind="decision", job_id=job_id, candidate_id=candidate_id, detail=decision.status, created_at=now())
    )
    return {"job_id": job_id, "candidate_id": candidate_id, "status": decision.status, "note": decision.note}


def set_job_status(session: Session, job_id: int, status: str) -> dict[str, Any]:
    """Close a job (the pipeline stops scoring new resumes against it; its ranking stays as it was) or reopen
    it (the pipeline scores it against every current resume, seeing the `job.status` event); one event either way."""
    if status not in ("open", "closed"):
        raise ActionError(400, "A job's status is open or closed.")
    job = session.get(Job, job_id)
    if job is None:
        raise ActionError(404, f"There is no job {job_id} (it may have been deleted).")
    changed = job.status != status
    if changed:
        job.status = status
        job.updated_at = now()
        session.add(job)
        session.add(Event(kind="job.status", job_id=job_id, detail=status, created_at=now()))
    return {"id": job_id, "title": job.title, "status": status, "changed": changed}


def delete_job(session: Session, settings: Settings, job_id: int) -> list[Path]:
    """Delete a job: its row (its documents, mentions, matches and decisions cascade) and, after commit, the
    archived originals the caller unlinks. Returns those files."""
    job = session.get(Job, job_id)
    if job is None:
        raise ActionError(404, f"There is no job {job_id} (already deleted?).")
    paths = session.scalars(select(Document.stored_path).where(Document.job_id == job_id)).all()
    files = [path for path in (stored_file(settings, p) for p in paths) if path is not None]
    session.delete(job)
    session.add(
        Event(kind="job.deleted", job_id=job_id, detail=f"{job.title}: {len(paths)} document(s)", created_at=now())
    )
    return files


def dismiss_failure(session: Session, settings: Settings, failure_id: int) -> tuple[dict[str, Any], list[Path]]:
    """A person has seen a quarantined file and does not want it: forget the failure; the caller removes the
    quarantined file and its reason (returned) after commit."""
    failure = session.get(Failure, failure_id)
    if failure is None:
        raise ActionError(404, "No such failed file (already dismissed?).")
    files = []
    raw = Path(failure.quarantined_path)
    path = (raw if raw.is_absolute() else settings.failed_dir / raw).resolve()
    if path.is_relative_to(settings.failed_dir.resolve()) and failure.retried_at is None:
        files = [path, path.with_name(path.name + ".reason.txt")]
    detail = {"id": failure.id, "filename": failure.filename}
    session.delete(failure)
    session.add(Event(kind="failure.dismissed", detail=failure.filename, created_at=now()))
    return detail, files


def erase_check(session: Session, check_id: str) -> bool:
    """A job seeker is done with their check: erase its result now (True if there was one)."""
    return bool(session.execute(delete(SeekerCheck).where(SeekerCheck.id == check_id)).rowcount)


def delete_candidate(session: Session, settings: Settings, candidate_id: int, actor: str = "web") -> list[Path]:
    """Erase a candidate (store/erase.py: rows, feed entries; the audit log keeps that it happened) and return the
    archived originals the caller unlinks after commit."""
    files = erase_candidate(session, settings, candidate_id, actor=actor, reason="erased on request")
    if files is None:
        raise ActionError(404, "No such candidate (already deleted?).")
    return files


def unlink_all(files: list[Path]) -> int:
    removed = 0
    for path in files:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def quarantined_file(settings: Settings, failure: dict[str, Any]) -> Path:
    """The quarantined file of a failure, checked to lie inside inbox/failed/ and to still exist."""
    raw = Path(failure["quarantined_path"])
    path = (raw if raw.is_absolute() else settings.failed_dir / raw).resolve()
    if not path.is_relative_to(settings.failed_dir.resolve()):
        raise ActionError(409, "The quarantined file is outside inbox/failed/; move it back by hand.")
    if not path.is_file():
        raise ActionError(410, f"{failure['filename']} is no longer in inbox/failed/, so it cannot be retried.")
    return path


def mark_retried(session: Session, failure_id: int, retried: bool = True) -> dict[str, Any]:
    """Set (or undo) Failure.retried_at and forget the file's attempts, so the pipeline gives it fresh tries."""
    failure = session.get(Failure, failure_id)
    if failure is None:
        raise ActionError(404, "No such failed file.")
    if retried:
        if failure.retried_at is not None:
            raise ActionError(409, f"{failure.filename} was already retried.")
        failure.retried_at = now()
        attempt = session.get(Attempt, failure.sha256)
        if attempt is not None:
            session.delete(attempt)
    else:
        failure.retried_at = None
    session.add(failure)
    return {
        "id": failure.id,
        "filename": failure.filename,
        "kind": failure.kind,
        "quarantined_path": failure.quarantined_path,
        "sha256": failure.sha256,
    }


def move_back(settings: Settings, source: Path, failure: dict[str, Any]) -> Path:
    """Move a quarantined file back into inbox/<kind>/ under its original (sanitised) name; drop its reason file."""
    folder = settings.inbox_dir(failure["kind"])
    folder.mkdir(parents=True, exist_ok=True)
    with _name_lock:
        target = _free_name(folder, safe_name(failure["filename"]))
        os.replace(source, target)
    source.with_name(source.name + ".reason.txt").unlink(missing_ok=True)
    return target
