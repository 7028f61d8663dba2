"""Reads the pipeline makes before scoring: each side's current skills, by job and by candidate."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session

from store.models import Candidate, Document, Job, SkillMention


class Side(NamedTuple):
    """One job or resume as scoring sees it; the ids are None until the document is written."""
    owner_id: int | None  # job id or candidate id
    document_id: int | None
    years: float | int | None  # years asked (job) or estimated (resume)
    skills: frozenset[str] | dict[str, str]  # a resume's skills, or a job's {skill: required|preferred}


@dataclass
class Snapshot:
    """The other side of every file in a chunk, keyed by identity, with the newest document id when read."""
    jobs: dict[str, Side] = field(default_factory=dict)
    resumes: dict[str, Side] = field(default_factory=dict)
    generation: int = 0

    def side(self, kind: str) -> dict[str, Side]:
        return self.jobs if kind == "job" else self.resumes


def _job_rows(session: Session, job_ids: list[int] | None = None):
    query = (select(Job.id, Job.identity, Job.current_document_id, Job.min_years, SkillMention.skill,
                    SkillMention.requirement)
             .join(SkillMention, SkillMention.document_id == Job.current_document_id, isouter=True))
    if job_ids is not None:
        query = query.where(Job.id.in_(job_ids))
    return session.execute(query)


def _resume_rows(session: Session, candidate_ids: list[int] | None = None):
    query = (select(Candidate.id, Candidate.identity, Candidate.current_document_id, Document.years,
                    SkillMention.skill)
             .join(Document, Document.id == Candidate.current_document_id)
             .join(SkillMention, SkillMention.document_id == Document.id, isouter=True))
    if candidate_ids is not None:
        query = query.where(Candidate.id.in_(candidate_ids))
    return session.execute(query)


def job_requirements(session: Session, job_ids: list[int] | None = None) -> dict[int, tuple[int, int | None, dict]]:
    """job id -> (current document id, years asked, {skill: required|preferred})."""
    jobs: dict[int, tuple[int, int | None, dict]] = {}
    for job_id, _identity, doc_id, years, skill, requirement in _job_rows(session, job_ids):
        entry = jobs.setdefault(job_id, (doc_id, years, {}))
        if skill is not None and entry[2].get(skill) != "required":
            entry[2][skill] = requirement or "required"
    return jobs


def resume_skills(session: Session, candidate_ids: list[int] | None = None) -> dict[int, tuple[int, float | None, set]]:
    """candidate id -> (current document id, estimated years, {skills})."""
    resumes: dict[int, tuple[int, float | None, set]] = {}
    for cand_id, _identity, doc_id, years, skill in _resume_rows(session, candidate_ids):
        entry = resumes.setdefault(cand_id, (doc_id, years, set()))
        if skill is not None:
            entry[2].add(skill)
    return resumes


def generation(session: Session) -> int:
    """The newest document id: when it moved since a snapshot, another writer added documents meanwhile."""
    return session.scalar(select(func.max(Document.id))) or 0


def read_snapshot(session: Session, jobs: bool, resumes: bool) -> Snapshot:
    """Every current job (when a resume is to be scored) and every current resume (when a job is), by identity."""
    snapshot = Snapshot(generation=generation(session))
    if jobs:
        requirements: dict[str, dict[str, str]] = {}
        for job_id, identity, doc_id, years, skill, requirement in _job_rows(session):
            wanted = requirements.setdefault(identity, {})
            snapshot.jobs[identity] = Side(job_id, doc_id, years, wanted)
            if skill is not None and wanted.get(skill) != "required":
                wanted[skill] = requirement or "required"
    if resumes:
        skills: dict[str, set[str]] = {}
        for cand_id, identity, doc_id, years, skill in _resume_rows(session):
            found = skills.setdefault(identity, set())
            snapshot.resumes[identity] = Side(cand_id, doc_id, years, found)  # type: ignore[arg-type]
            if skill is not None:
                found.add(skill)
        snapshot.resumes = {identity: side._replace(skills=frozenset(side.skills))
                            for identity, side in snapshot.resumes.items()}
    return snapshot
