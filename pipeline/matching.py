"""Pure: a document's matches against the other side, every one through pipeline/score.py's one formula."""
from __future__ import annotations

from pipeline.score import MatchResult, score
from pipeline.snapshot import Side, Snapshot
from pipeline.stages import Analysis


def match(resume: Side, job: Side) -> MatchResult:
    """The one place a resume meets a job."""
    return score(resume.skills, job.skills, resume.years, job.years)  # type: ignore[arg-type]


def side_of(item: Analysis) -> Side:
    """An analysed document as scoring sees it: what the writer will store, read back without a database."""
    if item.kind == "job":
        return Side(None, None, int(item.years) if item.years is not None else None,
                    {m.skill: item.requirements.get(m.skill) or "required" for m in item.mentions})
    return Side(None, None, item.years, frozenset(m.skill for m in item.mentions))


def matches(item: Analysis, own: Side, snapshot: Snapshot) -> list[tuple[str, MatchResult]]:
    """(identity of the other side, result): a resume against every job, a job against every resume."""
    if item.kind == "job":
        return [(identity, match(resume, own)) for identity, resume in snapshot.resumes.items()]
    return [(identity, match(own, job)) for identity, job in snapshot.jobs.items()]


def score_pairs(jobs: dict, resumes: dict) -> list[tuple[int, int, int, int, MatchResult]]:
    """Every job against every resume, from `job_requirements` and `resume_skills` (the taxonomy reload)."""
    pairs = []
    for job_id, (job_doc, job_years, requirements) in jobs.items():
        job = Side(job_id, job_doc, job_years, requirements)
        for cand_id, (resume_doc, years, skills) in resumes.items():
            pairs.append((job_id, cand_id, job_doc, resume_doc, match(Side(cand_id, resume_doc, years, skills), job)))
    return pairs
