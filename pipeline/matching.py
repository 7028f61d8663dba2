"""Pure: a chunk's matches against a snapshot of the other side, every pair through pipeline.score's model."""

from __future__ import annotations

from typing import Any

from pipeline import record
from pipeline.features import JobFeatures, ResumeFeatures, StoredMention, job_features, resume_features
from pipeline.model import Model
from pipeline.score import MatchResult, score_many
from pipeline.snapshot import Side, Snapshot
from pipeline.stages import Analysis


def stored_mentions(item: Analysis) -> list[StoredMention]:
    """An analysed document's mentions exactly as the writer stores them and a snapshot reads them back: a
    skill_mention row keeps no section, so the section is derived from the text, the same way, on both paths."""
    return [StoredMention(m.skill, m.category, m.start, m.end, item.requirements.get(m.skill)) for m in item.mentions]


def resume_name(item: Analysis) -> str:
    """The name a resume is scored with: the one it gives, else one from its file name, as the writer names a new
    person. (A resume without a name that joins a known person takes theirs: steps.write scores it again.)"""
    return record.display_name(item)[:200]


def job_title(item: Analysis) -> str:
    """The title the writer stores for a job."""
    return (item.title or record.display_name(item))[:200]


def features_of(item: Analysis, model: Model, name: str = "") -> JobFeatures | ResumeFeatures:
    """An analysed document's features, as a snapshot would build them from the rows the writer will store
    (document_id 0 until it is written); `name` is the candidate's stored name (a resume)."""
    if item.kind == "job":
        return job_features(
            0,
            item.text,
            stored_mentions(item),
            int(item.years) if item.years is not None else None,
            job_title(item),
            model.roles,
        )
    return resume_features(
        0, item.text, stored_mentions(item), float(item.years) if item.years is not None else None, model.roles, name
    )


def score_pairs(
    jobs: dict[int, JobFeatures], resumes: dict[tuple[int, int], ResumeFeatures], model: Model
) -> list[tuple[int, int, int, int, MatchResult]]:
    """Every (job, current resume) pair of the features snapshot.job_requirements and resume_skills read, as the
    writer takes them: (job id, candidate id, job document id, resume document id, result). A person with several
    current resumes has a pair for each (the ranking keeps their best)."""
    job_ids, keys = list(jobs), list(resumes)
    results = score_many(
        [resumes[k] for k in keys], [jobs[j] for j in job_ids], model.relations, model.weights, model.roles.closeness
    )
    return [
        (job_id, key[0], jobs[job_id].document_id, resumes[key].document_id, results[j][r])
        for j, job_id in enumerate(job_ids)
        for r, key in enumerate(keys)
    ]


def score_one(resume: ResumeFeatures, job: JobFeatures, model: Model) -> MatchResult:
    """One resume against one job (what a test expects the writer to store)."""
    return score_many([resume], [job], model.relations, model.weights, model.roles.closeness)[0][0]


def _cross(resumes: list[Any], jobs: list[Any], model: Model) -> dict[tuple[int, int], MatchResult]:
    """{(id(resume features), id(job features)): result} for every pair, in one score_many call."""
    if not resumes or not jobs:
        return {}
    results = score_many(resumes, jobs, model.relations, model.weights, model.roles.closeness)
    return {(id(r), id(j)): results[jx][rx] for jx, j in enumerate(jobs) for rx, r in enumerate(resumes)}


def score_chunk(
    items: list[tuple[str, Analysis]], snapshot: Snapshot, model: Model
) -> list[tuple[Any, list[tuple[str, MatchResult]]]]:
    """Per (sha256, item), in order: its features and its (key of the other side, result) matches, a job keyed
    by its identity and a resume by its sha256. Each item meets the snapshot as it stands at its turn (a resume
    every open job, a job every current resume); then it joins the snapshot, so later items of the chunk meet it
    too (a job the writer keeps closed does not)."""
    plan: list[tuple[str, Any, list[tuple[str, Any]]]] = []
    for sha256, item in items:
        if item.kind == "job":
            own = features_of(item, model)
            plan.append(("job", own, [(other, side.features) for other, side in snapshot.resumes.items()]))
            identity = record.identity_of(item)
            if identity not in snapshot.closed:
                snapshot.jobs[identity] = Side(None, own)
        else:
            own = features_of(item, model, resume_name(item))
            plan.append(("resume", own, [(other, side.features) for other, side in snapshot.jobs.items()]))
            snapshot.resumes[sha256] = Side(None, own)
    # Two score_many calls at most: the chunk's resumes against the jobs they meet, the resumes the chunk's jobs
    # meet against those jobs (each resume and job once).
    resumes = [own for kind, own, _ in plan if kind == "resume"]
    their_jobs = list({id(f): f for kind, _, others in plan if kind == "resume" for _, f in others}.values())
    jobs = [own for kind, own, _ in plan if kind == "job"]
    their_resumes = list({id(f): f for kind, _, others in plan if kind == "job" for _, f in others}.values())
    results = _cross(resumes, their_jobs, model) | _cross(their_resumes, jobs, model)
    return [
        (own, [(other, results[(id(own), id(f)) if kind == "resume" else (id(f), id(own))]) for other, f in others])
        for kind, own, others in plan
    ]
