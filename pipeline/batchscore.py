"""Score one job against a batch of resumes at once (numpy): per pair, the very numbers pipeline.score gives.

`resume_batch` lays a batch's features out as arrays once (skill depths, role weights, levels, years, text
vectors); `score_job` then answers one job for every resume of the batch with a few array operations per skill
the job names, instead of a Python loop per pair. Each array operation is the one `score.score_pair` does on a
float, in the same order, so the results are equal (a test holds them to the per-pair scorer). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from pipeline import textrank
from pipeline.features import JobFeatures, ResumeFeatures
from pipeline.relations import Relations
from pipeline.score import COMPONENTS, SENIORITY_STEP, TEXT_FULL, JobPlan, SkillAnswer, Weights, plan

MISSING = -1  # `chosen` for a skill the resume does not answer


@dataclass(frozen=True)
class ResumeBatch:
    """A batch of resumes' features as arrays, row r for resumes[r]."""

    resumes: Sequence[ResumeFeatures]
    skills: dict[str, int]  # skill -> column of `depth`
    depth: np.ndarray  # (resumes, skills) depth of each skill, 0 where the resume does not have it
    families: dict[str, int]  # role family -> column of `roles`
    roles: np.ndarray  # (resumes, families) weight of each family among the resume's titles, 0 where absent
    has_roles: np.ndarray  # (resumes,) bool
    level: np.ndarray  # (resumes,) float, NaN when unknown
    years: np.ndarray  # (resumes,) float, NaN when unknown
    text: sparse.csr_matrix  # (resumes, textrank.DIMENSIONS)

    def __len__(self) -> int:
        return len(self.resumes)


def _table(rows: Sequence[dict[str, float]]) -> tuple[dict[str, int], np.ndarray]:
    columns: dict[str, int] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, len(columns))
    table = np.zeros((len(rows), len(columns)), dtype=np.float64)
    for r, row in enumerate(rows):
        if row:
            table[r, [columns[k] for k in row]] = list(row.values())
    return columns, table


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def resume_batch(resumes: Sequence[ResumeFeatures]) -> ResumeBatch:
    """The arrays `score_job` reads, built once for a batch of resumes."""
    skills, depth = _table([r.skills for r in resumes])
    families, roles = _table([r.roles for r in resumes])
    return ResumeBatch(
        resumes,
        skills,
        depth,
        families,
        roles,
        np.array([bool(r.roles) for r in resumes], dtype=bool),
        _floats(r.level for r in resumes),
        _floats(r.years for r in resumes),
        textrank.matrix([r.text for r in resumes]),
    )


@dataclass(frozen=True)
class JobScores:
    """One job against every resume of a batch: arrays over the batch's resumes (NaN = unknown component)."""

    plan: JobPlan  # the job's skills (plan.options: skill, requirement, givers, missing answer)
    chosen: np.ndarray  # (skills, resumes) index into each skill's givers of the answer, MISSING when none
    strength: np.ndarray  # (skills, resumes) the answer's strength (0 when missing)
    answer_depth: np.ndarray  # (skills, resumes) the answering skill's depth (0 when missing)
    score: np.ndarray  # (resumes,) 0..100, rounded to one decimal as score.combine does
    components: dict[str, np.ndarray]  # name (score.COMPONENTS) -> (resumes,)

    def answers(self, r: int) -> tuple[SkillAnswer, ...]:
        """Resume r's answers to the job's skills, as score.score_pair gives them (MatchResult.answers)."""
        out = []
        for k, (skill, requirement, givers, missing) in enumerate(self.plan.options):
            g = int(self.chosen[k, r])
            if g == MISSING:
                out.append(missing)
                continue
            giver, kind, strength = givers[g]
            out.append(
                SkillAnswer(
                    skill,
                    requirement,
                    kind,
                    None if kind == "exact" else giver,
                    strength,
                    float(self.answer_depth[k, r]),
                )
            )
        return tuple(out)


def _answers(job_plan: JobPlan, batch: ResumeBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """score._answer for every resume: the first giver with the strictly highest strength × depth (np.argmax
    takes the first of equal maxima), none when that is 0."""
    shape = (len(job_plan.options), len(batch))
    chosen = np.full(shape, MISSING, dtype=np.int16)
    strength, depth = np.zeros(shape), np.zeros(shape)
    rows = np.arange(len(batch))
    for k, (_skill, _requirement, givers, _missing) in enumerate(job_plan.options):
        present = [
            (g, batch.skills[giver], giver_strength)
            for g, (giver, _kind, giver_strength) in enumerate(givers)
            if giver in batch.skills
        ]
        if not present:
            continue
        index = np.array([g for g, _, _ in present])
        strengths = np.array([s for _, _, s in present])
        have = batch.depth[:, [column for _, column, _ in present]]
        offers = strengths * have  # (resumes, givers present), each the product score._answer compares
        best = np.argmax(offers, axis=1)
        found = offers[rows, best] > 0.0
        chosen[k] = np.where(found, index[best], MISSING)
        strength[k] = np.where(found, strengths[best], 0.0)
        depth[k] = np.where(found, have[rows, best], 0.0)
    return chosen, strength, depth


def _coverage(job_plan: JobPlan, strength: np.ndarray, depth: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """score._skills' coverage and depth, NaN when the job names no skill."""
    if not job_plan.total:
        return np.full(size, np.nan), np.full(size, np.nan)
    coverage, deep = np.zeros(size), np.zeros(size)
    for weight, members in job_plan.slots:
        if len(members) == 1:
            coverage = coverage + weight * strength[members[0]]
            deep = deep + weight * strength[members[0]] * depth[members[0]]
        else:
            coverage = coverage + weight * np.max(strength[list(members)], axis=0)
            deep = deep + weight * np.max(strength[list(members)] * depth[list(members)], axis=0)
    return coverage / job_plan.total, deep / job_plan.total


def _role(job: JobFeatures, batch: ResumeBatch, closeness) -> np.ndarray:
    """score.role_fit for every resume (NaN when either side names no role)."""
    if not job.roles:
        return np.full(len(batch), np.nan)
    fit = np.zeros(len(batch))
    for family, column in batch.families.items():
        best = max(closeness(want, family) for want in job.roles)  # max(c × w) is max(c) × w for w >= 0
        fit = np.maximum(fit, best * batch.roles[:, column])
    if job.level is not None:
        short = batch.level < job.level  # False for NaN (unknown level)
        factor = np.maximum(0.0, 1.0 - SENIORITY_STEP * (job.level - batch.level))
        fit = np.where(short, fit * factor, fit)
    return np.where(batch.has_roles, fit, np.nan)


def _experience(job: JobFeatures, batch: ResumeBatch) -> np.ndarray:
    if not job.years:
        return np.full(len(batch), np.nan)
    return np.minimum(1.0, batch.years / job.years)  # NaN stays NaN (unknown years)


def combine(components: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """score.combine for every resume: the weighted mean of the known components, ×100, rounded to 0.1."""
    size = len(next(iter(components.values())))
    total, weighted = np.zeros(size), np.zeros(size)
    for name in COMPONENTS:
        values = components[name]
        known = ~np.isnan(values)
        total = np.where(known, total + weights.values[name], total)
        weighted = np.where(known, weighted + weights.values[name] * values, weighted)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = 100.0 * weighted / total
    # Python's round (correctly rounded) rather than np.round (×10, rint, ÷10), which differs on some halves.
    return np.array([round(v, 1) if t else 0.0 for v, t in zip(raw.tolist(), total.tolist(), strict=True)])


def score_job(
    job: JobFeatures, batch: ResumeBatch, cosines: np.ndarray, relations: Relations, weights: Weights, closeness
) -> JobScores:
    """One job against every resume of `batch`; `cosines` are the texts' cosines, one per resume
    (`text_cosines(batch, jobs)[:, j]`)."""
    job_plan = plan(job, relations)
    chosen, strength, depth = _answers(job_plan, batch)
    coverage, deep = _coverage(job_plan, strength, depth, len(batch))
    text = np.minimum(1.0, np.asarray(cosines, dtype=np.float64) / TEXT_FULL)
    if job_plan.total:
        text = np.maximum(text, coverage)
    components = {
        "coverage": coverage,
        "depth": deep,
        "text": text,
        "role": _role(job, batch, closeness),
        "experience": _experience(job, batch),
    }
    return JobScores(job_plan, chosen, strength, depth, combine(components, weights), components)


def text_cosines(batch: ResumeBatch, jobs: Sequence[JobFeatures]) -> np.ndarray:
    """resumes × jobs cosines of the texts in one sparse product (as textrank.cosines)."""
    return np.asarray((batch.text @ textrank.matrix([j.text for j in jobs]).T).todense(), dtype=np.float64)


def score_jobs(
    jobs: Sequence[JobFeatures], resumes: Sequence[ResumeFeatures], relations: Relations, weights: Weights, closeness
) -> list[JobScores]:
    """Every job against a batch of resumes: [score_job(jobs[j], ...)] (score.score_many's results, as arrays)."""
    batch = resume_batch(resumes)
    cosines = text_cosines(batch, jobs)
    return [score_job(job, batch, cosines[:, j], relations, weights, closeness) for j, job in enumerate(jobs)]
