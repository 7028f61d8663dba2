"""The vectorised scorer (pipeline/batchscore.py) gives every pair the numbers and answers the per-pair scorer does.

Documents are generated and go through the real pipeline (analyse_text, then pipeline.features), with the
repository's taxonomy (implied, related and broader skills) and roles vocabulary; some resumes lose their dates
(unknown years) or their titles (no role), some jobs ask no years, name alternatives or name no skill at all.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline import batchscore
from pipeline.features import job_features, mentions_of, resume_features
from pipeline.model import model_for
from pipeline.score import COMPONENTS, score_many
from pipeline.stages import Analysis, analyse_text
from pipeline.taxonomy import load_taxonomy
from tests.fixtures import sample_job, sample_resume

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY = load_taxonomy(ROOT / "skills")
MODEL = model_for(TAXONOMY, ROOT / "skills")
# Skills of the taxonomy's relations, so that implied, related and broader answers occur.
RELATED = (
    "Spring Boot",
    "Java",
    "Kotlin",
    "MySQL",
    "PostgreSQL",
    "MariaDB",
    "AWS",
    "Amazon RDS",
    "Amazon S3",
    "Django",
    "Flask",
    "Python",
    "React",
    "Next.js",
    "TypeScript",
    "JavaScript",
    "Kubernetes",
    "Docker",
    "Helm",
    "Terraform",
    "Excel",
    "Power BI",
    "Tableau",
    "SQL",
    "Go",
    "Scala",
    "Spark",
)
SENIORITY = ("Junior", "", "Senior", "Lead", "Principal")


def _resume_text(i: int, rng: random.Random) -> str:
    text = sample_resume(i, long=i % 5 == 0)
    extra = ", ".join(rng.sample(RELATED, rng.randint(0, 6)))
    text = text.replace("\nSkills\n", f"\nSkills\n{extra}, " if extra else "\nSkills\n")
    if i % 7 == 3:  # no dates: the years cannot be read
        text = re.sub(r"(19|20)\d\d", "", text).replace("Present", "")
    if i % 11 == 4:  # no title lines: no role
        text = "\n".join(line for line in text.splitlines() if "," not in line or "@" in line) + "\n"
    return text


def _job_text(j: int, rng: random.Random) -> str:
    if j % 9 == 8:  # a job that names no skill
        return "Office Helper\nWe are a friendly team. Join us and help where needed.\n"
    title = f"{rng.choice(SENIORITY)} {rng.choice(('Backend Engineer', 'Data Analyst', 'Software Developer'))}"
    need = rng.sample(RELATED, 4)
    nice = rng.sample(RELATED, 2)
    years = f"{rng.randint(1, 9)}+ years of experience.\n" if j % 3 else ""
    return (
        f"{title.strip()}\n\nRequirements\n- {need[0]} or {need[1]}\n- {need[2]}, {need[3]}\n{years}"
        f"\nNice to have\n- {nice[0]} and {nice[1]}\n"
    )


def _analysed(kind: str, name: str, text: str) -> Analysis:
    item = Analysis(filename=name, kind=kind, text=text)
    analyse_text(item, TAXONOMY)
    return item


@pytest.fixture(scope="module")
def documents():
    rng = random.Random(20)
    resumes = []
    for i in range(160):
        item = _analysed("resume", f"r{i}.txt", _resume_text(i, rng))
        resumes.append(resume_features(i, item.text, mentions_of(item), item.years, MODEL.roles, item.name or ""))
    jobs = []
    for j in range(36):
        item = _analysed("job", f"j{j}.txt", sample_job(j) if j % 2 else _job_text(j, rng))
        jobs.append(
            job_features(
                1000 + j,
                item.text,
                mentions_of(item),
                int(item.years) if item.years else None,
                item.title or "",
                MODEL.roles,
            )
        )
    return resumes, jobs


def test_the_generated_documents_cover_every_case(documents):
    resumes, jobs = documents
    assert any(r.years is None for r in resumes) and any(r.years is not None for r in resumes)
    assert any(not r.roles for r in resumes) and any(r.roles for r in resumes)
    assert any(j.years is None for j in jobs) and any(not j.requirement for j in jobs) and any(j.groups for j in jobs)
    assert any(j.level is not None for j in jobs) and any(j.roles for j in jobs)
    kinds = {
        a.kind
        for row in score_many(resumes, jobs, MODEL.relations, MODEL.weights, MODEL.roles.closeness)
        for result in row
        for a in result.answers
    }
    assert kinds >= {"exact", "implied", "related", None}, kinds


@pytest.mark.parametrize("size", [1, 37, 160])
def test_every_pair_equals_the_per_pair_scorer(documents, size):
    resumes, jobs = documents
    resumes = resumes[:size]
    expected = score_many(resumes, jobs, MODEL.relations, MODEL.weights, MODEL.roles.closeness)
    batch = batchscore.resume_batch(resumes)
    cosines = batchscore.text_cosines(batch, jobs)
    for j, job in enumerate(jobs):
        got = batchscore.score_job(job, batch, cosines[:, j], MODEL.relations, MODEL.weights, MODEL.roles.closeness)
        for r, want in enumerate(expected[j]):
            assert abs(got.score[r] - want.score) <= 1e-9, (j, r, got.score[r], want.score)
            for name in COMPONENTS:
                value, wanted = float(got.components[name][r]), getattr(want, name)
                assert (wanted is None) == math.isnan(value), (j, r, name, value, wanted)
                assert wanted is None or abs(value - wanted) <= 1e-9, (j, r, name, value, wanted)
            answers = got.answers(r)
            assert [a[:4] for a in answers] == [a[:4] for a in want.answers], (j, r)
            assert np.allclose([a[4:] for a in answers], [a[4:] for a in want.answers], rtol=0, atol=1e-9)
