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


def stored_name(item: Analysis, snapshot: Snapshot) -> str:
    """The name the writer leaves on the candidate: the one read, else the one stored, else from the file name."""
    identity = record.identity_of(item)
    if not item.name and identity in snapshot.names:
        return snapshot.names[identity]
    return record.display_name(item)[:200]


def job_title(item: Analysis) -> str:
    """The title the writer stores for a job."""
    return (item.title or record.display_name(item))[:200]


def features_of(item: Analysis, model: Model, name: str = "") -> JobFeatures | ResumeFeatures:
    """An analysed document's features, as a snapshot would build them from the rows the writer will store
    (document_id 0 until it is written); `name` is the candidate's stored name (a resume)."""
    if item.kind == "job":
        return job_features(0, item.text, stored_mentions(item), int(item.years) if item.years is not None else None,
                            job_title(item), model.roles)
    return resume_features(0, item.text, stored_mentions(item), float(item.years) if item.years is not None else None,
                           model.roles, name)


def score_pairs(jobs: dict[int, JobFeatures], resumes: dict[int, ResumeFeatures], model: Model
                ) -> list[tuple[int, int, int, int, MatchResult]]:
    """Every (job, resume) pair of the features snapshot.job_requirements and resume_skills read, as the writer
    takes them: (job id, candidate id, job document id, resume document id, result)."""
    job_ids, cand_ids = list(jobs), list(resumes)
    results = score_many([resumes[c] for c in cand_ids], [jobs[j] for j in job_ids], model.relations,
                         model.weights, model.roles.closeness)
    return [(job_id, cand_id, jobs[job_id].document_id, resumes[cand_id].document_id, results[j][r])
            for j, job_id in enumerate(job_ids) for r, cand_id in enumerate(cand_ids)]


def score_one(resume: ResumeFeatures, job: JobFeatures, model: Model) -> MatchResult:
    """One resume against one job (what a test expects the writer to store)."""
    return score_many([resume], [job], model.relations, model.weights, model.roles.closeness)[0][0]


def _cross(resumes: list[Any], jobs: list[Any], model: Model) -> dict[tuple[int, int], MatchResult]:
    """{(id(resume features), id(job features)): result} for every pair, in one score_many call."""
    if not resumes or not jobs:
        return {}
    results = score_many(resumes, jobs, model.relations, model.weights, model.roles.closeness)
    return {(id(r), id(j)): results[jx][rx] for jx, j in enumerate(jobs) for rx, r in enumerate(resumes)}


def score_chunk(items: list[Analysis], snapshot: Snapshot, model: Model
                ) -> list[tuple[Any, list[tuple[str, MatchResult]]]]:
    """Per item, in order: its features and its (identity of the other side, result) matches. Each item meets the
    snapshot as it stands at its turn (a resume every open job, a job every current resume); then it joins the
    snapshot, so later items of the chunk meet it too (a job the writer keeps closed does not)."""
    plan: list[tuple[str, Any, list[tuple[str, Any]]]] = []
    for item in items:
        identity = record.identity_of(item)
        if item.kind == "job":
            own = features_of(item, model)
            plan.append(("job", own, [(other, side.features) for other, side in snapshot.resumes.items()]))
            if identity not in snapshot.closed:
                snapshot.jobs[identity] = Side(None, own)
        else:
            name = stored_name(item, snapshot)
            own = features_of(item, model, name)
            plan.append(("resume", own, [(other, side.features) for other, side in snapshot.jobs.items()]))
            snapshot.resumes[identity], snapshot.names[identity] = Side(None, own), name
    # Two score_many calls at most: the chunk's resumes against the jobs they meet, the resumes the chunk's jobs
    # meet against those jobs (each resume and job once).
    resumes = [own for kind, own, _ in plan if kind == "resume"]
    their_jobs = list({id(f): f for kind, _, others in plan if kind == "resume" for _, f in others}.values())
    jobs = [own for kind, own, _ in plan if kind == "job"]
    their_resumes = list({id(f): f for kind, _, others in plan if kind == "job" for _, f in others}.values())
    results = _cross(resumes, their_jobs, model) | _cross(their_resumes, jobs, model)
    return [(own, [(other, results[(id(own), id(f)) if kind == "resume" else (id(f), id(own))])
                   for other, f in others]) for kind, own, others in plan]
