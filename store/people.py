"""Named read queries about people: possible duplicates side by side, a person's resumes and the job each one
serves, merges to undo, reveals, who is due for erasure, and everything held on one person (subject access)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from store import audit, tables
from store.models import Candidate

_c = tables.candidate
_doc = tables.document
_m = tables.match
_p = tables.duplicate_pair
_pc = tables.person_change
_j = tables.job


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _rows(session: Session, statement) -> list[dict[str, Any]]:
    return [dict(row) for row in session.connection().execute(statement).mappings()]


def resumes(session: Session, candidate_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each person's files, newest first: current or replaced (by which), another file of which resume, and the
    jobs whose ranking uses it."""
    files = _rows(
        session,
        select(
            _doc.c.id,
            _doc.c.candidate_id,
            _doc.c.filename,
            _doc.c.format,
            _doc.c.sha256,
            _doc.c.email,
            _doc.c.phone,
            _doc.c.profiles,
            _doc.c.current,
            _doc.c.replaced_by,
            _doc.c.same_as,
            _doc.c.created_at,
            _doc.c.years,
        )
        .where(_doc.c.candidate_id.in_(candidate_ids), _doc.c.kind == "resume")
        .order_by(_doc.c.id.desc()),
    )
    used: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for match in session.connection().execute(
        select(_m.c.resume_document_id, _m.c.job_id, _j.c.title, _m.c.score)
        .join(_j, _j.c.id == _m.c.job_id)
        .where(_m.c.candidate_id.in_(candidate_ids), _m.c.best.is_(True))
        .order_by(_j.c.title)
    ):
        used[match.resume_document_id].append(
            {"job_id": match.job_id, "title": match.title, "score": round(match.score, 1)}
        )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in files:
        row["created_at"] = _iso(row["created_at"])
        row["profiles"] = row["profiles"].split() if row["profiles"] else []
        row["used_by"] = used.get(row["id"], [])
        row["status"] = (
            "another file of #%d" % row["same_as"]
            if row["same_as"]
            else "current"
            if row["current"]
            else f"replaced by #{row['replaced_by']}"
        )
        out[row.pop("candidate_id")].append(row)
    return out


def _names(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    return {
        row["id"]: row
        for row in _rows(session, select(_c.c.id, _c.c.name, _c.c.email, _c.c.merged_into).where(_c.c.id.in_(ids)))
    }


def duplicates(session: Session, status: str | None = "open", limit: int = 200) -> list[dict[str, Any]]:
    """Possible duplicate pairs with both people's signals side by side and the merge to undo, if merged."""
    query = select(_p).order_by(_p.c.id.desc()).limit(limit)
    if status:
        query = query.where(_p.c.status == status)
    pairs = _rows(session, query)
    ids = {pair["candidate_id"] for pair in pairs} | {pair["other_id"] for pair in pairs}
    names, files = _names(session, ids), resumes(session, sorted(ids))
    changes = {
        (change.candidate_id, change.other_id): change.id
        for change in session.connection().execute(
            select(_pc.c.id, _pc.c.candidate_id, _pc.c.other_id).where(_pc.c.undone_at.is_(None)).order_by(_pc.c.id)
        )
    }
    for pair in pairs:
        pair["reasons"] = json.loads(pair["reasons"] or "{}")
        pair["created_at"], pair["decided_at"] = _iso(pair["created_at"]), _iso(pair["decided_at"])
        pair["people"] = [
            {**names.get(cid, {"id": cid, "name": "(erased)"}), "resumes": files.get(cid, [])}
            for cid in (pair["candidate_id"], pair["other_id"])
        ]
        pair["change"] = changes.get((pair["candidate_id"], pair["other_id"]))
    return pairs


def pair_counts(session: Session) -> dict[str, int]:
    return {
        status: count
        for status, count in session.connection().execute(select(_p.c.status, func.count()).group_by(_p.c.status))
    }


def person(session: Session, candidate_id: int) -> dict[str, Any]:
    """A person's resumes (and the job each serves), open duplicate pairs, merges and splits to undo, reveals."""
    pairs = _rows(
        session,
        select(_p.c.id, _p.c.candidate_id, _p.c.other_id, _p.c.status).where(
            or_(_p.c.candidate_id == candidate_id, _p.c.other_id == candidate_id)
        ),
    )
    changes = _rows(
        session,
        select(_pc.c.id, _pc.c.kind, _pc.c.candidate_id, _pc.c.other_id, _pc.c.created_at)
        .where(or_(_pc.c.candidate_id == candidate_id, _pc.c.other_id == candidate_id), _pc.c.undone_at.is_(None))
        .order_by(_pc.c.id.desc()),
    )
    for change in changes:
        change["created_at"] = _iso(change["created_at"])
    return {
        "resumes": resumes(session, [candidate_id]).get(candidate_id, []),
        "pairs": pairs,
        "changes": changes,
        "revealed": revealed(session, [candidate_id]),
    }


def revealed(session: Session, candidate_ids: list[int]) -> list[int]:
    r = tables.reveal
    return sorted(
        {
            cid
            for (cid,) in session.connection().execute(
                select(r.c.candidate_id).where(r.c.candidate_id.in_(candidate_ids))
            )
        }
    )


def blind_jobs(session: Session, default: bool) -> dict[int, bool]:
    """job id -> is its ranking blind (its own switch, else the setting)."""
    return {
        job_id: default if blind is None else bool(blind)
        for job_id, blind in session.connection().execute(select(_j.c.id, _j.c.blind))
    }


def in_blind_job(session: Session, candidate_id: int, default: bool) -> bool:
    """A person is shown blind when the setting is on, or when any job that ranks them is blind."""
    if default:
        return True
    return (
        session.connection()
        .execute(
            select(_m.c.id)
            .join(_j, _j.c.id == _m.c.job_id)
            .where(_m.c.candidate_id == candidate_id, _j.c.blind.is_(True))
            .limit(1)
        )
        .first()
        is not None
    )


def retention_due(session: Session, days: float, within: float, now: datetime | None = None) -> list[dict[str, Any]]:
    """People untouched for `days` (erased now) or who will be within `within` more days, soonest first."""
    if days <= 0:
        return []
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=days - within)
    touched = func.coalesce(_c.c.touched_at, _c.c.updated_at)
    rows = _rows(
        session,
        select(_c.c.id, _c.c.name, touched.label("touched_at"))
        .where(_c.c.merged_into.is_(None), touched <= cutoff)
        .order_by(touched, _c.c.id),
    )
    for row in rows:
        at = row["touched_at"]
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        row["erase_at"] = _iso(at + timedelta(days=days))
        row["due"] = at + timedelta(days=days) <= now
        row["touched_at"] = _iso(at)
    return rows


def export(session: Session, candidate_id: int) -> dict[str, Any] | None:
    """Everything held on one person, for a subject access request: profile, every file's text and signals,
    skills found, scores, decisions and notes, duplicate pairs, merges, reveals and the audit trail."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        return None
    documents = _rows(session, select(_doc).where(_doc.c.candidate_id == candidate_id).order_by(_doc.c.id))
    mentions = defaultdict(list)
    sm = tables.skill_mention
    for row in _rows(
        session,
        select(sm.c.document_id, sm.c.skill, sm.c.surface, sm.c.snippet).where(
            sm.c.document_id.in_([d["id"] for d in documents])
        ),
    ):
        mentions[row.pop("document_id")].append(row)
    for document in documents:
        document["created_at"] = _iso(document["created_at"])
        document["skills_found"] = mentions.get(document["id"], [])
    d = tables.decision
    matches = _rows(
        session,
        select(_m.c.job_id, _j.c.title, _m.c.resume_document_id, _m.c.score, _m.c.best)
        .join(_j, _j.c.id == _m.c.job_id)
        .where(_m.c.candidate_id == candidate_id),
    )
    decisions = _rows(
        session, select(d.c.job_id, d.c.status, d.c.note, d.c.updated_at).where(d.c.candidate_id == candidate_id)
    )
    for decision in decisions:
        decision["updated_at"] = _iso(decision["updated_at"])
    e = tables.event
    events = _rows(
        session,
        select(e.c.id, e.c.kind, e.c.created_at).where(
            or_(e.c.candidate_id == candidate_id, and_(e.c.document_id.in_([doc["id"] for doc in documents])))
        ),
    )
    for event in events:
        event["created_at"] = _iso(event["created_at"])
    return {
        "candidate": {
            "id": candidate.id,
            "name": candidate.name,
            "email": candidate.email,
            "created_at": _iso(candidate.created_at),
            "touched_at": _iso(candidate.touched_at),
        },
        "documents": documents,
        "matches": matches,
        "decisions": decisions,
        "possible_duplicates": person(session, candidate_id)["pairs"],
        "reveals": [
            {**row, "created_at": _iso(row["created_at"])}
            for row in _rows(session, select(tables.reveal).where(tables.reveal.c.candidate_id == candidate_id))
        ],
        "events": events,
        "audit": audit.entries(session, candidate_id=candidate_id, limit=10_000),
    }
