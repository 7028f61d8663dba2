"""Score documents analysed in memory and never stored: a job seeker's check and the canaries."""

from __future__ import annotations

from pipeline.features import job_features, mentions_of, resume_features
from pipeline.model import Model
from pipeline.score import MatchResult, score_pair
from pipeline.stages import Analysis
from pipeline.textrank import cosines


def score_analysed(resume: Analysis, job: Analysis, model: Model) -> MatchResult:
    """One resume against one job description with the product's model, the same way stored pairs are scored."""
    have = resume_features(0, resume.text, mentions_of(resume), resume.years, model.roles, resume.name or "")
    wanted = job_features(
        0, job.text, mentions_of(job), None if job.years is None else int(job.years), job.title or "", model.roles
    )
    cosine = float(cosines([have.text], [wanted.text])[0, 0])
    return score_pair(have, wanted, cosine, model.relations, model.weights, model.roles.closeness)
