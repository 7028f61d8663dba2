"""The writer's side of identity: the resumes that share a signal with a new one, the person it joins, the resumes
it replaces, possible duplicates recorded, and which resume of each person a job's ranking uses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, or_, select, update
from sqlmodel import Session

from pipeline import identity
from pipeline.stages import Analysis
from store import tables
from store.models import utcnow

KNOWN_LIMIT = 200  # resumes sharing a signal that identity looks at (a common name may be shared by many)
PAIRS_LIMIT = 20  # possible duplicates flagged for one new resume


@dataclass
class Placement:
    """Where a new resume goes: its person (None: a new one), the resume it is another file of, the resumes it
    replaces as a newer version, and possible duplicates with their reasons."""

    signals: identity.Signals
    text_key: str
    candidate_id: int | None = None
    same_as: int | None = None
    replaces: list[int] = field(default_factory=list)
    possible: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def signals_of(item: Analysis) -> identity.Signals:
    return identity.Signals(
        email=identity.normal_email(item.email),
        phone=item.phone,
        name=identity.name_key(item.name),
        profiles=frozenset(item.profiles),
    )


def _known(session: Session, signals: identity.Signals) -> list[identity.Known]:
    d = tables.document.c
    shared = [
        d.email == signals.email if signals.email else None,
        d.phone == signals.phone if signals.phone else None,
        d.person_name == signals.name if signals.name else None,
        *[d.profiles.contains(profile) for profile in sorted(signals.profiles)],
    ]
    conditions = [condition for condition in shared if condition is not None]
    if not conditions:
        return []
    rows = session.execute(
        select(d.candidate_id, d.email, d.phone, d.person_name, d.profiles)
        .where(d.kind == "resume", d.candidate_id.is_not(None), or_(*conditions))
        .order_by(d.id)
        .limit(KNOWN_LIMIT)
    )
    return [
        identity.Known(cand, identity.Signals(email, phone, name, frozenset((profiles or "").split())))
        for cand, email, phone, name, profiles in rows
    ]


def place(session: Session, item: Analysis) -> Placement:
    """Decide a new resume's person from the stored signals (see pipeline/identity.py for the rules)."""
    signals = signals_of(item)
    placement = Placement(signals, identity.text_key(item.text))
    d = tables.document.c
    copy = session.execute(
        select(d.id, d.candidate_id)
        .where(d.kind == "resume", d.text_key == placement.text_key, d.same_as.is_(None))
        .order_by(d.id)
        .limit(1)
    ).first()
    if copy is not None:  # the same text in another file (a PDF and a DOCX of one resume)
        placement.same_as, placement.candidate_id = copy
        return placement
    verdict = identity.decide(signals, _known(session, signals))
    placement.candidate_id = verdict.candidate_id
    placement.possible = dict(list(verdict.possible.items())[:PAIRS_LIMIT])
    if verdict.candidate_id is not None:
        current = session.execute(
            select(d.id, d.text).where(
                d.candidate_id == verdict.candidate_id, d.kind == "resume", d.current.is_(True), d.same_as.is_(None)
            )
        )
        placement.replaces = [
            doc_id for doc_id, text in current if identity.similarity(item.text, text) >= identity.SAME_TEXT
        ]
    return placement


def retire(session: Session, replaced: list[int], by: int) -> None:
    """Older versions of a resume step back everywhere: not current, and no longer scored against any job."""
    if not replaced:
        return
    d = tables.document
    session.execute(update(d).where(d.c.id.in_(replaced)).values(current=False, replaced_by=by))
    session.execute(update(d).where(d.c.same_as.in_(replaced)).values(current=False, replaced_by=by))
    session.execute(delete(tables.match).where(tables.match.c.resume_document_id.in_(replaced)))


def flag_duplicates(session: Session, candidate_id: int, possible: dict[int, dict[str, list[str]]]) -> list[int]:
    """Record each possible duplicate pair once (earlier person first); returns the new pairs' ids."""
    pairs = tables.duplicate_pair
    made = []
    for other, reasons in possible.items():
        first, second = sorted((other, candidate_id))
        exists = session.execute(
            select(pairs.c.id).where(pairs.c.candidate_id == first, pairs.c.other_id == second)
        ).first()
        if exists is None and first != second:
            made.append(
                session.execute(
                    insert(pairs)
                    .values(
                        candidate_id=first,
                        other_id=second,
                        reasons=json.dumps(reasons, sort_keys=True),
                        status="open",
                        created_at=utcnow(),
                    )
                    .returning(pairs.c.id)
                ).scalar_one()
            )
    return made


def refresh_best(session: Session, *, candidate_ids: list[int] | None = None, job_ids: list[int] | None = None) -> None:
    """Mark, for each (job, person) in scope, the match of their resume that fits the job best (the newest resume
    on a tie); only rows whose mark changes are written."""
    m = tables.match.c
    query = select(m.id, m.job_id, m.candidate_id, m.score, m.resume_document_id, m.best)
    if candidate_ids is not None:
        query = query.where(m.candidate_id.in_(candidate_ids))
    if job_ids is not None:
        query = query.where(m.job_id.in_(job_ids))
    winner: dict[tuple[int, int], tuple[float, int, int]] = {}
    marked: dict[int, bool] = {}
    for match_id, job, person, score, resume, best in session.execute(query):
        marked[match_id] = bool(best)
        key = (job, person)
        if key not in winner or (score, resume) > winner[key][:2]:
            winner[key] = (score, resume, match_id)
    best_ids = {entry[2] for entry in winner.values()}
    on = [i for i, was in marked.items() if i in best_ids and not was]
    off = [i for i, was in marked.items() if i not in best_ids and was]
    for ids, value in ((on, True), (off, False)):
        for start in range(0, len(ids), 500):
            session.execute(update(tables.match).where(m.id.in_(ids[start : start + 500])).values(best=value))


def move_resumes(session: Session, document_ids: list[int], to: int) -> list[int]:
    """Give resumes (and their matches) to another person; returns the people they came from."""
    d = tables.document
    before = sorted(
        {cand for (cand,) in session.execute(select(d.c.candidate_id).where(d.c.id.in_(document_ids)))} - {to}
    )
    session.execute(update(d).where(d.c.id.in_(document_ids)).values(candidate_id=to))
    session.execute(
        update(tables.match).where(tables.match.c.resume_document_id.in_(document_ids)).values(candidate_id=to)
    )
    for cand in [to, *before]:
        sync_person(session, cand)
    refresh_best(session, candidate_ids=[to, *before])
    return before


def sync_person(session: Session, candidate_id: int) -> None:
    """A person's shown name, email, newest resume and count of files, from their resumes."""
    d = tables.document.c
    rows = session.execute(
        select(d.id, d.email, d.filename).where(d.candidate_id == candidate_id).order_by(d.id.desc())
    ).all()
    count = len(rows)
    values: dict = {
        "versions": max(count, 1),
        "current_document_id": rows[0][0] if rows else None,
        "updated_at": utcnow(),
    }
    email = next((row[1] for row in rows if row[1]), None)
    if email:
        values["email"] = email
    session.execute(update(tables.candidate).where(tables.candidate.c.id == candidate_id).values(**values))
