"""Baseline rankers the evaluation compares the model with: BM25 over the extracted text, and skills only."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

import bm25s

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Keys by score, best first; ties in an order that favours no naming scheme (a hash of the key)."""
    return sorted(scores, key=lambda k: (-scores[k], hashlib.sha1(k.encode()).hexdigest()))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of two characters or more, English stop words left out."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in bm25s.stopwords.STOPWORDS_EN]


def bm25_rankings(resumes: Mapping[str, str], jobs: Mapping[str, str]) -> dict[str, list[str]]:
    """job key -> resume keys, best first, by BM25 (bm25s, Lucene variant) of the job's text against each resume."""
    keys = sorted(resumes)
    retriever = bm25s.BM25()
    retriever.index([tokens(resumes[k]) or ["_"] for k in keys], show_progress=False)
    out = {}
    for job, text in jobs.items():
        scores = retriever.get_scores(tokens(text))
        out[job] = ranked({k: float(scores[i]) for i, k in enumerate(keys)})
    return out


def _weight(requirements: Iterable[str]) -> int:
    """Required skills count twice, preferred once."""
    return sum(2 if kind == "required" else 1 for kind in requirements)


def skills_only_rankings(
    resume_skills: Mapping[str, set[str]], job_skills: Mapping[str, Mapping[str, str]]
) -> dict[str, list[str]]:
    """job key -> resume keys, best first, by the share of the job's skills the resume names exactly
    (required counting twice, preferred once): the plain skills-overlap ranker."""
    out = {}
    for job, wanted in job_skills.items():
        possible = _weight(wanted.values()) or 1
        out[job] = ranked(
            {
                key: _weight(kind for s, kind in wanted.items() if s in have) / possible
                for key, have in resume_skills.items()
            }
        )
    return out
