"""Retention: erase the people nobody touched for SHORTLIST_RETENTION_DAYS, one short transaction each (the
pipeline is the writer of documents; the files go after each commit)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import people
from store.db import session_scope
from store.erase import erase_candidate
from store.settings import Settings

log = logging.getLogger("shortlist.retention")
ACTOR = "retention"


def expired(engine: Engine, days: float, now: datetime | None = None) -> list[int]:
    """The people whose retention period is over."""
    with Session(engine.execution_options(sqlite_begin="DEFERRED")) as session:
        return [row["id"] for row in people.retention_due(session, days, 0, now) if row["due"]]


def run(settings: Settings, engine: Engine, now: datetime | None = None) -> list[int]:
    """Erase every expired person (rows, feed entries, archived files); returns their ids. Off when days is 0."""
    if settings.retention_days <= 0:
        return []
    now = now or datetime.now(timezone.utc)
    erased = []
    for candidate_id in expired(engine, settings.retention_days, now):
        reason = f"untouched for {settings.retention_days:g} days (SHORTLIST_RETENTION_DAYS)"
        with session_scope(engine) as session:
            files = erase_candidate(session, settings, candidate_id, actor=ACTOR, reason=reason)
        for path in files or []:
            path.unlink(missing_ok=True)
        if files is not None:
            erased.append(candidate_id)
    if erased:
        log.info("retention erased %d candidate(s): %s", len(erased), erased)
    return erased
