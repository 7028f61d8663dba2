"""A job seeker's check as values: one analysed resume against one analysed job description, with the evidence
behind each matched skill, the job's own sentence for each missing one, and related skills the resume has."""

from __future__ import annotations

import re
from typing import Any

from pipeline.analysed import score_analysed
from pipeline.model import Model
from pipeline.stages import Analysis

EVIDENCE_PER_SKILL = 3
RELATED_PER_SKILL = 3
SENTENCE_CHARS = 300
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[;\n]")


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (or bullet line) of `text` around text[start:end], whitespace collapsed, at most
    SENTENCE_CHARS characters centred on the mention."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - SENTENCE_CHARS), start)), default=0)
    found = _SENTENCE_END.search(text, end, end + SENTENCE_CHARS)
    right = found.end() if found and found.group() in ".!?" else found.start() if found else len(text)
    left, right = max(left, start - SENTENCE_CHARS // 2), min(right, end + SENTENCE_CHARS // 2)
    sentence = " ".join(text[left:right].split()).lstrip("-–•*· ")
    return sentence


def _first_mentions(item: Analysis) -> dict[str, Any]:
    first: dict[str, Any] = {}
    for mention in item.mentions:
        first.setdefault(mention.skill, mention)
    return first


def check_report(resume: Analysis, job: Analysis, model: Model) -> dict[str, Any]:
    """The result page's data: score and counts, matched skills with evidence, and each missing skill with
    the job's sentence and the resume's skills of the same category (required first, then preferred)."""
    result = score_analysed(resume, job, model)
    evidence: dict[str, list[dict[str, Any]]] = {}
    for m in resume.mentions:
        evidence.setdefault(m.skill, [])
        if len(evidence[m.skill]) < EVIDENCE_PER_SKILL:
            evidence[m.skill].append({"surface": m.surface, "snippet": m.snippet, "start": m.start, "end": m.end})
    by_category: dict[str, list[str]] = {}
    for m in resume.mentions:
        if m.skill not in by_category.setdefault(m.category, []):
            by_category[m.category].append(m.skill)
    in_job = _first_mentions(job)
    missing = []
    # What to add: every skill the resume does not show outright (missing, or only a related or broader skill
    # for part of the credit); the resume's own skill behind a partial credit is named first.
    gaps = [a for a in result.answers if a.kind not in ("exact", "implied")]
    for requirement in ("required", "preferred"):
        for answer in (a for a in gaps if a.requirement == requirement):
            mention = in_job.get(answer.skill)
            same_category = by_category.get(mention.category, []) if mention else []
            related = [answer.via] if answer.via else []
            related += [s for s in sorted(same_category, key=str.lower) if s not in related]
            missing.append(
                {
                    "skill": answer.skill,
                    "requirement": requirement,
                    "category": mention.category if mention else None,
                    "partial": answer.kind,
                    "sentence": sentence_at(job.text, mention.start, mention.end) if mention else "",
                    "related": related[:RELATED_PER_SKILL],
                }
            )
    return {
        "job_title": job.title,
        "score": result.score,
        "required_matched": len(result.matched_required),
        "required_total": len(result.matched_required) + len(result.missing_required),
        "preferred_matched": len(result.matched_preferred),
        "preferred_total": len(result.matched_preferred) + len(result.missing_preferred),
        "resume_years": result.resume_years,
        "job_years": result.job_years,
        "matched": [
            {"skill": name, "requirement": requirement, "evidence": evidence.get(name, [])}
            for requirement, names in (("required", result.matched_required), ("preferred", result.matched_preferred))
            for name in names
        ],
        "missing_required": list(result.missing_required),
        "missing_preferred": list(result.missing_preferred),
        "missing": missing,
    }
