"""Score resumes against jobs: five components in [0, 1] combined with weights fitted on a labelled set.

coverage    the job's skills the resume answers, required weighing twice preferred; a group of
            alternatives ("Python or Scala") is one slot; a skill counts fully when present or implied
            (Spring Boot -> Java), partly when only a related or broader one is (the relation's strength)
depth       the same, each answer weighted by how the resume shows the skill: used in dated experience
            (recent more than old) > projects > summary > only listed (features.SECTION_DEPTH)
text        cosine of the two texts' term vectors with fixed IDF (textrank), TEXT_FULL and above = 1;
            never below coverage (the text adds evidence the skills missed, it never takes from them)
role        the resume's titles against the job title through the roles vocabulary (same family 1,
            related family part), less a step per seniority level short of the job's
experience  years against the job's ask, capped at 1

score = 100 × Σ weight·component / Σ weight, over the components that are known: a job that asks no
years, a resume whose years or titles cannot be read, leave that component out (shown as unknown, never
scored as zero). Soft traits weigh nothing. The weights live in pipeline/model_weights.json.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pipeline import textrank
from pipeline.features import SOFT_CATEGORIES, JobFeatures, ResumeFeatures
from pipeline.relations import Relations

__all__ = ["SOFT_CATEGORIES", "COMPONENTS", "MatchResult", "Weights", "load_weights", "score_many", "score_pair"]

COMPONENTS = ("coverage", "depth", "text", "role", "experience")
TEXT_FULL = 0.35  # a text cosine this high counts as a full answer
SENIORITY_STEP = 0.15  # role credit lost per seniority level the resume is short of the job
WEIGHTS_FILE = Path(__file__).with_name("model_weights.json")
MODEL_CODE = "relevance-1"  # bump when the formula (not the weights) changes


class SkillAnswer(NamedTuple):
    """One skill the job names, and how the resume answers it (a tuple: millions are made in a re-score)."""

    skill: str
    requirement: str  # required | preferred
    kind: str | None  # exact | implied | related | broader | None (missing)
    via: str | None
    strength: float
    depth: float


@dataclass(frozen=True)
class MatchResult:
    score: float
    answers: tuple[SkillAnswer, ...]
    coverage: float | None
    depth: float | None
    text: float
    role: float | None
    experience: float | None
    resume_years: float | None
    job_years: int | None
    model_version: str

    def _names(self, requirement: str, matched: bool) -> tuple[str, ...]:
        return tuple(a.skill for a in self.answers if a.requirement == requirement and (a.kind is not None) == matched)

    @property
    def matched_required(self) -> tuple[str, ...]:
        return self._names("required", True)

    @property
    def matched_preferred(self) -> tuple[str, ...]:
        return self._names("preferred", True)

    @property
    def missing_required(self) -> tuple[str, ...]:
        return self._names("required", False)

    @property
    def missing_preferred(self) -> tuple[str, ...]:
        return self._names("preferred", False)

    @property
    def matched(self) -> tuple[str, ...]:
        return self.matched_required + self.matched_preferred

    def components(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in COMPONENTS}


@dataclass(frozen=True)
class Weights:
    values: dict[str, float]
    version: str


def load_weights(path: Path = WEIGHTS_FILE) -> Weights:
    """The fitted weights; the model version is a digest of them and the formula's code name."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    values = {name: float(raw["weights"][name]) for name in COMPONENTS}
    if any(v < 0 for v in values.values()) or not sum(values.values()):
        raise ValueError(f"{path}: weights must be non-negative and not all zero")
    digest = hashlib.sha256(json.dumps([MODEL_CODE, values], sort_keys=True).encode()).hexdigest()[:12]
    return Weights(values, f"{MODEL_CODE}-{digest}")


def givers(skill: str, relations: Relations) -> tuple[tuple[str, str, float], ...]:
    """(giving skill, kind, strength) that answer `skill`, strongest first."""
    out = [(skill, "exact", 1.0)]
    out += [(other, "implied", 1.0) for other in sorted(relations.implied_by.get(skill, ()))]
    out += sorted(
        ((other, "related", s) for other, s in relations.related.get(skill, {}).items()), key=lambda g: (-g[2], g[0])
    )
    out += [(wider, "broader", 0.5) for wider in relations.broader.get(skill, ())]
    return tuple(out)


@dataclass(frozen=True)
class JobPlan:
    """What scoring one job against many resumes needs, worked out once per job."""

    options: tuple[tuple[str, str, tuple[tuple[str, str, float], ...], SkillAnswer], ...]  # skill, req, givers, missing
    slots: tuple[tuple[float, tuple[int, ...]], ...]  # (weight, indexes into options)
    total: float


def plan(job: JobFeatures, relations: Relations) -> JobPlan:
    skills = list(job.requirement)
    options = tuple(
        (s, job.requirement[s], givers(s, relations), SkillAnswer(s, job.requirement[s], None, None, 0.0, 0.0))
        for s in skills
    )
    index = {s: i for i, s in enumerate(skills)}
    grouped = {s for group in job.groups for s in group}
    slots: list[tuple[float, tuple[int, ...]]] = [(job.wanted[s], (index[s],)) for s in job.wanted if s not in grouped]
    slots += [(max(job.wanted[s] for s in group), tuple(index[s] for s in group)) for group in job.groups]
    return JobPlan(options, tuple(slots), sum(w for w, _ in slots))


def _answer(skill: str, requirement: str, have: dict[str, float], options, missing: SkillAnswer) -> SkillAnswer:
    best, value = missing, 0.0
    for giver, kind, strength in options:
        depth = have.get(giver)
        if depth is not None and strength * depth > value:
            best, value = (
                SkillAnswer(skill, requirement, kind, None if kind == "exact" else giver, strength, depth),
                strength * depth,
            )
            if value == 1.0:
                break
    return best


def _skills(resume: ResumeFeatures, job_plan: JobPlan) -> tuple[tuple[SkillAnswer, ...], float | None, float | None]:
    have = resume.skills
    answers = tuple(_answer(s, req, have, options, missing) for s, req, options, missing in job_plan.options)
    if not job_plan.total:
        return answers, None, None
    coverage = depth = 0.0
    for weight, members in job_plan.slots:
        if len(members) == 1:
            a = answers[members[0]]
            coverage += weight * a.strength
            depth += weight * a.strength * a.depth
        else:
            coverage += weight * max(answers[i].strength for i in members)
            depth += weight * max(answers[i].strength * answers[i].depth for i in members)
    return answers, coverage / job_plan.total, depth / job_plan.total


def role_fit(resume: ResumeFeatures, job: JobFeatures, closeness) -> float | None:
    if not job.roles or not resume.roles:
        return None
    fit = max(closeness(want, have) * weight for want in job.roles for have, weight in resume.roles.items())
    if job.level is not None and resume.level is not None and resume.level < job.level:
        fit *= max(0.0, 1.0 - SENIORITY_STEP * (job.level - resume.level))
    return fit


def experience_fit(resume_years: float | None, job_years: int | None) -> float | None:
    if not job_years or resume_years is None:
        return None
    return min(1.0, resume_years / job_years)


def combine(components: dict[str, float | None], weights: Weights) -> float:
    known = {k: v for k, v in components.items() if v is not None}
    total = sum(weights.values[k] for k in known)
    return round(100.0 * sum(weights.values[k] * v for k, v in known.items()) / total, 1) if total else 0.0


def score_pair(
    resume: ResumeFeatures,
    job: JobFeatures,
    cosine: float,
    relations: Relations,
    weights: Weights,
    closeness,
    job_plan: JobPlan | None = None,
) -> MatchResult:
    answers, coverage, depth = _skills(resume, job_plan or plan(job, relations))
    text = min(1.0, cosine / TEXT_FULL)
    if coverage is not None:
        text = max(text, coverage)  # the text adds evidence skills missed; it never takes from a full skills match
    parts = {
        "coverage": coverage,
        "depth": depth,
        "text": text,
        "role": role_fit(resume, job, closeness),
        "experience": experience_fit(resume.years, job.years),
    }
    return MatchResult(
        combine(parts, weights),
        answers,
        coverage,
        depth,
        text,
        parts["role"],
        parts["experience"],
        resume.years,
        job.years,
        weights.version,
    )


def score_many(
    resumes: Sequence[ResumeFeatures], jobs: Sequence[JobFeatures], relations: Relations, weights: Weights, closeness
) -> list[list[MatchResult]]:
    """results[j][r]: every resume against every job; the texts' cosines in one sparse product."""
    cosines = textrank.cosines([r.text for r in resumes], [j.text for j in jobs])
    out = []
    for j, job in enumerate(jobs):
        job_plan = plan(job, relations)
        out.append(
            [
                score_pair(resume, job, float(cosines[r, j]), relations, weights, closeness, job_plan)
                for r, resume in enumerate(resumes)
            ]
        )
    return out
