"""Time the scorer alone: features for N generated resumes and M jobs built once, then every pair scored.

    .venv/bin/python -m bench.score_many [RESUMES] [JOBS]

Prints features/s and pairs/s, per pair (pipeline.score) and vectorised (pipeline.batchscore, as the re-score).
The documents go through the real extractor (`analyse_text`); no database, so the figure is the scoring's share
of a full re-score (bench/rescore.py measures the whole, writes included).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipeline import batchscore
from pipeline.features import StoredMention, job_features, resume_features
from pipeline.model import model_for
from pipeline.score import score_many
from pipeline.stages import Analysis, analyse_text
from pipeline.taxonomy import load_taxonomy
from tests.fixtures import sample_job, sample_resume

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100  # resumes a re-score batch scores at once (SHORTLIST_RESCORE_MATCHES 5000 / 50 jobs)


def main(resumes: int = 10_000, jobs: int = 50) -> None:
    taxonomy = load_taxonomy(ROOT / "skills")
    model = model_for(taxonomy, ROOT / "skills")
    analysed = []
    for i in range(min(resumes, 500)):  # 500 distinct texts, reused: extraction is not what is timed here
        item = Analysis(filename=f"r{i}.txt", kind="resume", text=sample_resume(i))
        analyse_text(item, taxonomy)
        analysed.append(item)
    started = time.perf_counter()
    rf = [
        resume_features(
            i, a.text, [StoredMention(m.skill, m.category, m.start, m.end) for m in a.mentions], a.years, model.roles
        )
        for i, a in enumerate(analysed)
    ]
    rf = [rf[i % len(rf)] for i in range(resumes)]
    jf = []
    for j in range(jobs):
        item = Analysis(filename=f"j{j}.txt", kind="job", text=sample_job(j))
        analyse_text(item, taxonomy)
        jf.append(
            job_features(
                j,
                item.text,
                [
                    StoredMention(m.skill, m.category, m.start, m.end, item.requirements.get(m.skill))
                    for m in item.mentions
                ],
                item.years,
                item.title or "",
                model.roles,
            )
        )
    built = time.perf_counter() - started
    print(f"features: {len(analysed) + jobs} documents in {built:.2f} s ({(len(analysed) + jobs) / built:.0f}/s)")
    started = time.perf_counter()
    results = score_many(rf, jf, model.relations, model.weights, model.roles.closeness)
    took = time.perf_counter() - started
    pairs = sum(len(r) for r in results)
    print(f"scored {pairs} pairs in {took:.2f} s: {pairs / took:,.0f} pairs/s (per pair, pipeline.score)")
    started = time.perf_counter()
    for start in range(0, len(rf), BATCH):  # as the re-score does: one batch of resumes against every job
        batchscore.score_jobs(jf, rf[start : start + BATCH], model.relations, model.weights, model.roles.closeness)
    took = time.perf_counter() - started
    print(
        f"scored {pairs} pairs in {took:.2f} s: {pairs / took:,.0f} pairs/s (vectorised, pipeline.batchscore, "
        f"{BATCH} resumes a batch)"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
