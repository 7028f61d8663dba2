"""The driver of a job seeker's private check: a folder inbox/checks/<id>/ holding resume.<ext> and job.<ext>
becomes one seeker_check row, and nothing else.

A check is private by where it arrives, not by its name: the web writes both files into their own
folder under inbox/checks/ (hidden while written, then renamed, so the pair appears at once). Its
files are parsed in the same workers as any file, scored only against each other (pure:
pipeline.check_report), never archived, never quarantined, and deleted as soon as they are read;
no document, candidate, job, match or failure row is written, so a check can never be listed,
ranked or scored against the hiring team's data. Its result is erased after
SHORTLIST_CHECK_RETENTION_MINUTES (or at once, when the person asks).
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select

from pipeline.check_report import check_report
from pipeline.parse import ParseError
from pipeline.retry import DatabaseBusy
from pipeline.stages import Analysis, analyse_in_worker, analyse_text
from pipeline.workers import WorkerCrashed, WorkerTimeout
from store.models import SeekerCheck, utcnow

if TYPE_CHECKING:
    from pipeline.ingest import Ingestor

log = logging.getLogger("shortlist.checks")
FOLDER = "checks"
LABELS = {"resume": "Your resume", "job": "The job description"}


def check_folder(inbox: Path, path: Path) -> Path | None:
    """The check folder a path lies in (inbox/checks/<id>/…), or None for hiring files."""
    try:
        parts = path.resolve().relative_to(inbox.resolve()).parts
    except ValueError:
        return None
    return inbox.resolve() / FOLDER / parts[1] if len(parts) >= 3 and parts[0] == FOLDER else None


def _files(folder: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        kind = path.stem if path.is_file() else ""
        if kind in LABELS:
            found[kind] = path
    return found


def _analyse(ingestor: "Ingestor", kind: str, path: Path) -> Analysis:
    item = Analysis(filename=path.name, kind=kind, data=path.read_bytes())
    item = ingestor.pool.run(
        analyse_in_worker, (item, ingestor.limits, str(ingestor.settings.skills), ingestor.taxonomy.version)
    )
    if item.taxonomy_version != ingestor.taxonomy.version:
        analyse_text(item, ingestor.taxonomy)
    return item


def run_check(ingestor: "Ingestor", folder: Path) -> str:
    """Read, score and record one check, then delete its folder; returns "done", "failed" or "waiting"."""
    files = _files(folder)
    if set(files) != set(LABELS):
        return "waiting"  # the web renames the finished folder into place, so this is a stray folder
    items: dict[str, Analysis] = {}
    reason = ""
    for kind, path in files.items():
        try:
            items[kind] = _analyse(ingestor, kind, path)
        except ParseError as exc:
            reason = f"{LABELS[kind]}: {exc.reason}"
        except (WorkerTimeout, WorkerCrashed) as exc:
            reason = f"{LABELS[kind]} could not be read ({exc}); try a simpler export of it."
        except Exception as exc:  # a bug in a stage must not stop the watcher
            log.exception("check %s: stage error", folder.name[:8])
            reason = f"{LABELS[kind]} could not be read because of an error on our side ({type(exc).__name__})."
        if reason:
            break
    state = "failed" if reason else "done"
    report = json.dumps(check_report(items["resume"], items["job"], ingestor.model)) if not reason else ""

    def write(session):  # a replace: a watcher stopped after this commit sees the folder again on restart
        session.execute(delete(SeekerCheck).where(SeekerCheck.id == folder.name))
        session.execute(
            insert(SeekerCheck.__table__).values(
                id=folder.name, state=state, report=report, reason=reason, created_at=utcnow()
            )
        )

    try:
        ingestor._commit(write)
    except DatabaseBusy as exc:  # the folder stays: the check is read again on the next pass
        log.warning("check %s… not recorded yet: %s", folder.name[:8], exc)
        return "waiting"
    shutil.rmtree(folder, ignore_errors=True)
    ingestor.metrics.files.labels("check", "scored" if state == "done" else "failed").inc()
    log.info("check %s… %s", folder.name[:8], state)
    return state


def purge_checks(ingestor: "Ingestor") -> int:
    """Erase check results older than the retention, and check folders left that long; returns rows erased."""
    retention = timedelta(minutes=ingestor.settings.check_retention_minutes)
    cutoff = utcnow() - retention
    table = SeekerCheck.__table__  # type: ignore[attr-defined]
    with ingestor.read_engine.connect() as connection:  # read first: no write lock taken when nothing expired
        expired = connection.execute(
            select(func.count()).select_from(table).where(table.c.created_at < cutoff)
        ).scalar()

    def erase(session) -> int:
        return session.execute(delete(table).where(table.c.created_at < cutoff)).rowcount

    erased = ingestor._commit(erase) if expired else 0
    root = ingestor.settings.inbox / FOLDER
    for folder in root.iterdir() if root.is_dir() else []:
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff.timestamp():
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass
    return erased or 0
