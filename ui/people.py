"""The web's writes about people: merge, split, undo, keep apart, reveal under blind review, blind switch per job.
Each is one small transaction with a change-feed event and an audit row."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from pipeline import people
from pipeline.titles import candidate_name
from store import audit, tables
from store.models import Candidate, Document, DuplicatePair, Event, Job, PersonChange, Reveal, utcnow
from ui.actions import ActionError


def _event(session: Session, kind: str, candidate_id: int | None, detail: dict, job_id: int | None = None) -> None:
    session.add(
        Event(
            kind=kind,
            candidate_id=candidate_id,
            job_id=job_id,
            detail=json.dumps(detail, sort_keys=True),
            created_at=utcnow(),
        )
    )


def _person(session: Session, candidate_id: int) -> int:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.merged_into is not None:
        raise ActionError(404, f"There is no person {candidate_id} (erased, or merged into another).")
    return candidate_id


def _resumes(session: Session, candidate_id: int) -> list[int]:
    return list(
        session.scalars(
            select(tables.document.c.id)
            .where(tables.document.c.candidate_id == candidate_id)
            .order_by(tables.document.c.id)
        )
    )


def _move_decisions(session: Session, source: int, target: int, only: list[int] | None = None) -> list[int]:
    """Decisions of `source` for jobs where `target` has none move to `target`; returns the moved ids."""
    d = tables.decision.c
    taken = set(session.scalars(select(d.job_id).where(d.candidate_id == target)))
    query = select(d.id, d.job_id).where(d.candidate_id == source)
    if only is not None:
        query = query.where(d.id.in_(only))
    moved = [row.id for row in session.execute(query) if row.job_id not in taken]
    if moved:
        session.execute(update(tables.decision).where(d.id.in_(moved)).values(candidate_id=target))
    return moved


def merge(session: Session, pair_id: int, actor: str) -> dict[str, Any]:
    """The pair's later person joins the earlier one: their resumes, matches and decisions move over."""
    pair = session.get(DuplicatePair, pair_id)
    if pair is None:
        raise ActionError(404, f"There is no possible duplicate {pair_id}.")
    if pair.status == "merged":
        raise ActionError(409, "These two are merged already.")
    kept, other = _person(session, pair.candidate_id), _person(session, pair.other_id)
    documents = _resumes(session, other)
    decisions = _move_decisions(session, other, kept)
    people.move_resumes(session, documents, kept)
    session.execute(update(tables.candidate).where(tables.candidate.c.id == other).values(merged_into=kept))
    pair.status, pair.decided_at = "merged", utcnow()
    change = PersonChange(
        kind="merge",
        candidate_id=kept,
        other_id=other,
        actor=actor[:200],
        moved=json.dumps({"documents": documents, "decisions": decisions, "pair": pair.id}),
    )
    session.add_all([pair, change])
    session.flush()
    _event(session, "person.merged", kept, {"other": other, "change": change.id, "pair": pair.id})
    audit.record(session, actor, "merge", candidate_id=kept, detail={"other": other, "change": change.id})
    return {"change": change.id, "candidate_id": kept, "other_id": other, "documents": documents}


def split(session: Session, candidate_id: int, document_ids: list[int], actor: str) -> dict[str, Any]:
    """Resumes of a person that belong to someone else become a new person (a pair kept apart, undoable)."""
    source = _person(session, candidate_id)
    owned = set(_resumes(session, candidate_id))
    chosen = sorted(set(document_ids))
    if not chosen or not set(chosen) <= owned:
        raise ActionError(400, "Choose one or more of this person's own resumes to split off.")
    if set(chosen) == owned:
        raise ActionError(400, "Keep at least one resume with this person; split off the others.")
    first = session.get(Document, chosen[0])
    assert first is not None
    name = candidate_name(first.text) or first.filename
    now = utcnow()
    new = session.execute(
        insert(tables.candidate)
        .values(
            identity=f"person:split-{first.sha256[:32]}-{source}",
            name=name[:200],
            email=first.email,
            versions=1,
            created_at=now,
            updated_at=now,
            touched_at=now,
        )
        .returning(tables.candidate.c.id)
    ).scalar_one()
    people.move_resumes(session, chosen, new)
    change = PersonChange(
        kind="split",
        candidate_id=source,
        other_id=new,
        actor=actor[:200],
        moved=json.dumps({"documents": chosen, "decisions": []}),
    )
    pair = DuplicatePair(
        candidate_id=source,
        other_id=new,
        status="apart",
        decided_at=now,
        reasons=json.dumps({"agree": ["split by a person"], "disagree": []}),
    )
    session.add_all([change, pair])
    session.flush()
    _event(session, "person.split", source, {"other": new, "change": change.id, "documents": chosen})
    audit.record(session, actor, "split", candidate_id=source, detail={"other": new, "documents": chosen})
    return {"change": change.id, "candidate_id": source, "other_id": new, "documents": chosen}


def undo(session: Session, change_id: int, actor: str) -> dict[str, Any]:
    """Undo a merge (the person comes back with their resumes and decisions) or a split (the resumes go back)."""
    change = session.get(PersonChange, change_id)
    if change is None:
        raise ActionError(404, f"There is no merge or split {change_id}.")
    if change.undone_at is not None:
        raise ActionError(409, "This was undone already.")
    moved = json.loads(change.moved or "{}")
    d, c, p = tables.document.c, tables.candidate.c, tables.duplicate_pair.c
    documents = list(session.scalars(select(d.id).where(d.id.in_(moved.get("documents", [])))))
    if change.kind == "merge":
        session.execute(update(tables.candidate).where(c.id == change.other_id).values(merged_into=None))
        _move_decisions(session, change.candidate_id, change.other_id, only=moved.get("decisions", []))
        people.move_resumes(session, documents, change.other_id)
        session.execute(
            update(tables.duplicate_pair).where(p.id == moved.get("pair")).values(status="open", decided_at=None)
        )
        kind = "person.unmerged"
    else:
        people.move_resumes(session, documents, change.candidate_id)
        session.execute(update(tables.candidate).where(c.id == change.other_id).values(merged_into=change.candidate_id))
        session.execute(
            update(tables.duplicate_pair)
            .where(p.candidate_id == change.candidate_id, p.other_id == change.other_id)
            .values(status="merged", decided_at=utcnow())
        )
        kind = "person.unsplit"
    change.undone_at = utcnow()
    session.add(change)
    _event(session, kind, change.candidate_id, {"other": change.other_id, "change": change.id})
    audit.record(
        session,
        actor,
        "undo",
        candidate_id=change.candidate_id,
        detail={"undid": change.kind, "change": change.id, "other": change.other_id},
    )
    return {
        "change": change.id,
        "undone": change.kind,
        "candidate_id": change.candidate_id,
        "other_id": change.other_id,
    }


def keep_apart(session: Session, pair_id: int, actor: str, apart: bool = True) -> dict[str, Any]:
    """A person says the two are different people (or takes that back): the pair leaves (or rejoins) the queue."""
    pair = session.get(DuplicatePair, pair_id)
    if pair is None:
        raise ActionError(404, f"There is no possible duplicate {pair_id}.")
    if pair.status == "merged":
        raise ActionError(409, "These two are merged; undo the merge first.")
    pair.status, pair.decided_at = ("apart", utcnow()) if apart else ("open", None)
    session.add(pair)
    _event(session, "person.apart", pair.candidate_id, {"pair": pair.id, "other": pair.other_id, "apart": apart})
    audit.record(
        session,
        actor,
        "apart",
        candidate_id=pair.candidate_id,
        detail={"pair": pair.id, "other": pair.other_id, "apart": apart},
    )
    return {"pair": pair.id, "status": pair.status}


def reveal(session: Session, candidate_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Someone chooses to see who a candidate is under blind review; recorded in the audit log."""
    _person(session, candidate_id)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ActionError(400, "Say why you reveal this candidate (it is recorded in the audit log).")
    session.add(Reveal(candidate_id=candidate_id, actor=actor[:200], reason=reason, created_at=utcnow()))
    _event(session, "person.revealed", candidate_id, {})
    audit.record(session, actor, "reveal", candidate_id=candidate_id, detail={"reason": reason})
    return {"candidate_id": candidate_id, "revealed": True}


def set_blind(session: Session, job_id: int, blind: bool | None, actor: str) -> dict[str, Any]:
    """A job's blind review: on, off, or None to follow SHORTLIST_BLIND_REVIEW."""
    job = session.get(Job, job_id)
    if job is None:
        raise ActionError(404, f"There is no job {job_id}.")
    job.blind = blind
    session.add(job)
    session.add(Event(kind="job.blind", job_id=job_id, detail=json.dumps({"blind": blind}), created_at=utcnow()))
    audit.record(session, actor, "blind", job_id=job_id, detail={"blind": blind})
    return {"job_id": job_id, "blind": blind}
