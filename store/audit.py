"""The audit log's one write (who did what and when) and its read, shared by the web and the pipeline."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from store import tables

ACTIONS = ("decision", "note", "reveal", "merge", "split", "undo", "apart", "erase", "export", "blind")


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    candidate_id: int | None = None,
    job_id: int | None = None,
    detail: Any = "",
    touch: bool = True,
) -> None:
    """One audit row; `touch` also marks the candidate as handled now (which restarts their retention period)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = datetime.now(timezone.utc)
    text = detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True)
    session.execute(
        insert(tables.audit).values(
            at=now, actor=actor[:200], action=action, candidate_id=candidate_id, job_id=job_id, detail=text
        )
    )
    if touch and candidate_id is not None:
        session.execute(update(tables.candidate).where(tables.candidate.c.id == candidate_id).values(touched_at=now))


def entries(
    session: Session, *, candidate_id: int | None = None, action: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The newest audit rows first, optionally for one candidate or one action."""
    a = tables.audit
    query = select(a).order_by(a.c.id.desc()).limit(limit)
    if candidate_id is not None:
        query = query.where(a.c.candidate_id == candidate_id)
    if action:
        query = query.where(a.c.action == action)
    rows = [dict(row) for row in session.connection().execute(query).mappings()]
    for row in rows:
        row["at"] = row["at"].isoformat(timespec="seconds") if row["at"] else None
    return rows
