"""The pipeline's writes: documents, candidates and jobs with versions, mentions, matches, failures, events."""
from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from pipeline import people
from pipeline.score import MatchResult, score
from pipeline.stages import Analysis
from store.models import (Attempt, Candidate, Document, Event, Failure, Job, Match, MatchSkill, SkillMention,
                          Taxonomy, utcnow)


def identity_of(item: Analysis) -> str:
    """A job's identity: its file name. (A resume's person is decided by pipeline/people.py, never by a name.)"""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(item.filename).stem.lower()).strip("-")
    return "file:" + (stem or "unnamed")


def display_name(item: Analysis) -> str:
    if item.name:
        return item.name
    return re.sub(r"[_\-.]+", " ", Path(item.filename).stem).strip().title() or item.filename


def add_event(session: Session, kind: str, **fields) -> None:
    detail = fields.pop("detail", "")
    if not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True)
    session.execute(insert(Event.__table__).values(kind=kind, detail=detail, created_at=utcnow(), **fields))


def count_attempt(session: Session, sha256: str, filename: str, error: str) -> int:
    """One more failed or crashed attempt on a file; returns how many it has had."""
    attempt = session.get(Attempt, sha256) or Attempt(sha256=sha256, filename=filename)
    attempt.attempts += 1
    attempt.last_error = error
    attempt.updated_at = utcnow()
    session.add(attempt)
    return attempt.attempts


def clear_attempt(session: Session, sha256: str) -> None:
    session.execute(delete(Attempt).where(Attempt.sha256 == sha256))


def save_failure(session: Session, *, sha256: str, kind: str, filename: str, code: str, reason: str,
                 quarantined_path: str, attempts: int) -> Failure:
    failure = Failure(sha256=sha256, kind=kind, filename=filename, code=code, reason=reason,
                      quarantined_path=quarantined_path, attempts=attempts)
    session.add(failure)
    clear_attempt(session, sha256)
    add_event(session, "document.failed", sha256=sha256, filename=filename, detail=reason)
    return failure


def _mentions(document_id: int, item: Analysis) -> list[dict]:
    return [dict(document_id=document_id, skill=m.skill, category=m.category, surface=m.surface[:200],
                 start=m.start, end=m.end, snippet=m.snippet[:400], requirement=item.requirements.get(m.skill))
            for m in item.mentions]


def _write_mentions(session: Session, document_id: int, item: Analysis) -> None:
    rows = _mentions(document_id, item)
    if rows:
        session.execute(insert(SkillMention.__table__), rows)


def _insert_document(session: Session, item: Analysis, values: dict) -> int:
    document = Document(kind=item.kind, filename=item.filename[:255], format=item.format, pages=item.pages,
                        engine=item.engine, text=item.text, years=item.years, taxonomy_version=item.taxonomy_version,
                        **values)
    row = {c.name: getattr(document, c.name) for c in Document.__table__.columns if c.name != "id"}
    table = Document.__table__
    return session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()


def save_document(session: Session, item: Analysis, *, sha256: str, size: int, stored_path: str) -> Document:
    """Insert the document and its job (a new version when the file name exists) or its person (decided from
    the resume's signals); Core statements, since this runs once per file on the hot path."""
    if item.kind == "resume":
        return save_resume(session, item, sha256=sha256, size=size, stored_path=stored_path)
    identity = identity_of(item)
    now = utcnow()
    fields = {"title": (item.title or display_name(item))[:200],
              "min_years": int(item.years) if item.years is not None else None}
    row = session.execute(select(Job.id, Job.versions).where(Job.identity == identity)).first()
    if row is None:
        owner_id = session.execute(insert(Job).values(identity=identity, versions=1, created_at=now,
                                                      updated_at=now, **fields).returning(Job.id)).scalar_one()
        version = 1
    else:
        owner_id, version = row[0], row[1] + 1
    document_id = _insert_document(session, item, dict(
        sha256=sha256, size_bytes=size, stored_path=stored_path, version=version, created_at=now, job_id=owner_id))
    session.execute(update(Job).where(Job.id == owner_id).values(
        current_document_id=document_id, versions=version, updated_at=now, **(fields if row is not None else {})))
    _write_mentions(session, document_id, item)
    return session.get(Document, document_id)  # type: ignore[return-value]


def save_resume(session: Session, item: Analysis, *, sha256: str, size: int, stored_path: str) -> Document:
    """A resume joins its person (or makes a new one); another file of a stored resume is kept beside it, unscored;
    a newer version of one of the person's resumes replaces it everywhere; possible duplicates are flagged."""
    placement = people.place(session, item)
    now = utcnow()
    owner_id = placement.candidate_id
    if owner_id is None:
        owner_id = session.execute(insert(Candidate).values(
            identity=f"person:{sha256[:32]}", name=display_name(item)[:200], email=item.email, versions=1,
            created_at=now, updated_at=now, touched_at=now).returning(Candidate.id)).scalar_one()
    versions = session.scalar(select(func.count()).where(Document.candidate_id == owner_id)) or 0
    signals = placement.signals
    document_id = _insert_document(session, item, dict(
        sha256=sha256, size_bytes=size, stored_path=stored_path, version=versions + 1, created_at=now,
        candidate_id=owner_id, email=signals.email, phone=signals.phone, person_name=signals.name,
        profiles=" ".join(sorted(signals.profiles)), text_key=placement.text_key,
        current=placement.same_as is None, same_as=placement.same_as))
    people.retire(session, placement.replaces, document_id)
    fields: dict = {"updated_at": now, "touched_at": now, "versions": versions + 1}
    if placement.same_as is None:
        fields["current_document_id"] = document_id
        if item.name and placement.candidate_id is not None:
            fields["name"] = item.name[:200]
        if item.email:
            fields["email"] = item.email
    session.execute(update(Candidate).where(Candidate.id == owner_id).values(**fields))
    if placement.same_as is None:
        _write_mentions(session, document_id, item)
    for pair in people.flag_duplicates(session, owner_id, placement.possible):
        add_event(session, "person.possible_duplicate", candidate_id=owner_id, document_id=document_id,
                  detail={"pair": pair})
    if placement.replaces:
        add_event(session, "resume.replaced", candidate_id=owner_id, document_id=document_id,
                  detail={"replaced": placement.replaces})
    return session.get(Document, document_id)  # type: ignore[return-value]


def job_requirements(session: Session, job_ids: list[int] | None = None) -> dict[int, tuple[int, int | None, dict]]:
    """job id -> (current document id, years asked, {skill: required|preferred})."""
    query = (select(Job.id, Job.current_document_id, Job.min_years, SkillMention.skill, SkillMention.requirement)
             .join(SkillMention, SkillMention.document_id == Job.current_document_id, isouter=True))
    if job_ids is not None:
        query = query.where(Job.id.in_(job_ids))
    jobs: dict[int, tuple[int, int | None, dict]] = {}
    for job_id, doc_id, years, skill, requirement in session.execute(query):
        entry = jobs.setdefault(job_id, (doc_id, years, {}))
        if skill is not None:
            if entry[2].get(skill) != "required":
                entry[2][skill] = requirement or "required"
    return jobs


def resume_skills(session: Session, document_ids: list[int] | None = None
                  ) -> dict[int, tuple[int, float | None, set]]:
    """resume document id -> (candidate id, estimated years, {skills}), for every current resume (one file of each)."""
    query = (select(Document.id, Document.candidate_id, Document.years, SkillMention.skill)
             .join(SkillMention, SkillMention.document_id == Document.id, isouter=True)
             .where(Document.kind == "resume", Document.current.is_(True), Document.same_as.is_(None),
                    Document.candidate_id.is_not(None)))
    if document_ids is not None:
        query = query.where(Document.id.in_(document_ids))
    resumes: dict[int, tuple[int, float | None, set]] = {}
    for doc_id, cand_id, years, skill in session.execute(query):
        entry = resumes.setdefault(doc_id, (cand_id, years, set()))
        if skill is not None:
            entry[2].add(skill)
    return resumes


def write_matches(session: Session, pairs: list[tuple[int, int, int, int, MatchResult]], version: str) -> None:
    """Replace the (job, candidate) matches given as (job_id, candidate_id, job_doc, resume_doc, result)."""
    if not pairs:
        return
    jobs = sorted({pair[0] for pair in pairs})
    resumes = sorted({pair[3] for pair in pairs})
    candidates = sorted({pair[1] for pair in pairs})
    by_resume = len(resumes) <= len(jobs)
    if by_resume:  # a new resume: its matches against every job
        for start in range(0, len(resumes), 500):
            session.execute(delete(Match).where(Match.resume_document_id.in_(resumes[start:start + 500]),
                                                Match.job_id.in_(jobs)))
    else:
        session.execute(delete(Match).where(Match.job_id.in_(jobs)))
        # every current resume is in `pairs` when a job is (re-)scored; the matches of others go too
    now = utcnow()
    rows = [dict(job_id=job_id, candidate_id=cand_id, job_document_id=job_doc, resume_document_id=resume_doc,
                 score=result.score,
                 required_total=len(result.matched_required) + len(result.missing_required),
                 required_matched=len(result.matched_required),
                 preferred_total=len(result.matched_preferred) + len(result.missing_preferred),
                 preferred_matched=len(result.matched_preferred),
                 resume_years=result.resume_years, job_years=result.job_years,
                 taxonomy_version=version, computed_at=now)
            for job_id, cand_id, job_doc, resume_doc, result in pairs]
    table = Match.__table__
    ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    skills = []
    for match_id, (*_, result) in zip(ids, pairs):
        for names, requirement, matched in ((result.matched_required, "required", True),
                                            (result.matched_preferred, "preferred", True),
                                            (result.missing_required, "required", False),
                                            (result.missing_preferred, "preferred", False)):
            skills += [dict(match_id=match_id, skill=name, requirement=requirement, matched=matched)
                       for name in names]
    if skills:
        session.execute(insert(MatchSkill.__table__), skills)
    if by_resume:
        people.refresh_best(session, candidate_ids=candidates)
    else:
        people.refresh_best(session, job_ids=jobs)


def score_pairs(jobs: dict, resumes: dict) -> list[tuple[int, int, int, int, MatchResult]]:
    """Every job against every current resume (each of a person's resumes: the ranking keeps their best)."""
    pairs = []
    for job_id, (job_doc, job_years, requirements) in jobs.items():
        for resume_doc, (cand_id, years, skills) in resumes.items():
            pairs.append((job_id, cand_id, job_doc, resume_doc, score(skills, requirements, years, job_years)))
    return pairs


def score_document(session: Session, document: Document, version: str, jobs: dict | None = None
                   ) -> list[MatchResult]:
    """A new resume against every job (`jobs` may carry job_requirements already read), or a new job
    against every current resume."""
    if document.kind == "job":
        jobs = job_requirements(session, [document.job_id])
        resumes = resume_skills(session)
    else:
        jobs = job_requirements(session) if jobs is None else jobs
        resumes = resume_skills(session, [document.id])  # nothing for another file of a stored resume
    pairs = score_pairs(jobs, resumes)
    write_matches(session, pairs, version)
    return [pair[-1] for pair in pairs]


def replace_mentions(session: Session, document: Document, item: Analysis) -> None:
    session.execute(delete(SkillMention).where(SkillMention.document_id == document.id))
    _write_mentions(session, document.id, item)
    document.taxonomy_version = item.taxonomy_version
    document.years = item.years
    session.add(document)


def save_taxonomy(session: Session, version: str, skills: int) -> None:
    if session.get(Taxonomy, version) is None:
        session.add(Taxonomy(version=version, skills=skills))
