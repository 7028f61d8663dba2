"""Score one resume against one job: weighted coverage of required and preferred skills, adjusted for experience."""
from __future__ import annotations

from dataclasses import dataclass

REQUIRED_WEIGHT = 2.0
PREFERRED_WEIGHT = 1.0
EXPERIENCE_SHARE = 0.2
SOFT_CATEGORIES = frozenset({"Soft skills"})  # generic personal traits: left out of evaluation  # at most this share of the score is lost for missing years of experience


@dataclass(frozen=True)
class MatchResult:
    score: float
    matched_required: tuple[str, ...]
    matched_preferred: tuple[str, ...]
    missing_required: tuple[str, ...]
    missing_preferred: tuple[str, ...]
    resume_years: float | None
    job_years: int | None

    @property
    def matched(self) -> tuple[str, ...]:
        return self.matched_required + self.matched_preferred


def experience_factor(resume_years: float | None, job_years: int | None) -> float:
    """1.0 when the job asks nothing or the resume meets the ask; down to 1 - EXPERIENCE_SHARE with none."""
    if not job_years:
        return 1.0
    have = resume_years or 0.0
    if have >= job_years:
        return 1.0
    return 1.0 - EXPERIENCE_SHARE * (1.0 - have / job_years)


def score(resume_skills: set[str] | frozenset[str], requirements: dict[str, str],
          resume_years: float | None = None, job_years: int | None = None) -> MatchResult:
    """score = 100 × (2·required matched + 1·preferred matched) / (2·required + 1·preferred) × experience factor."""
    required = sorted(s for s, kind in requirements.items() if kind == "required")
    preferred = sorted(s for s, kind in requirements.items() if kind != "required")
    matched_required = tuple(s for s in required if s in resume_skills)
    matched_preferred = tuple(s for s in preferred if s in resume_skills)
    possible = REQUIRED_WEIGHT * len(required) + PREFERRED_WEIGHT * len(preferred)
    earned = REQUIRED_WEIGHT * len(matched_required) + PREFERRED_WEIGHT * len(matched_preferred)
    coverage = earned / possible if possible else 0.0
    value = round(100.0 * coverage * experience_factor(resume_years, job_years), 1)
    return MatchResult(
        score=value,
        matched_required=matched_required,
        matched_preferred=matched_preferred,
        missing_required=tuple(s for s in required if s not in resume_skills),
        missing_preferred=tuple(s for s in preferred if s not in resume_skills),
        resume_years=resume_years,
        job_years=job_years,
    )
