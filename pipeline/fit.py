"""Fit the score's component weights on a labelled set: a coarse grid over the weight simplex, cross-validated.

Few parameters (five weights of at least 0.05 summing to one, on a 0.05 grid), one objective (mean NDCG@5, NDCG@10
breaking ties) and k-fold cross-validation over the set's jobs: the figures printed for each fold are on jobs the
weights were not fitted on. The final weights are fitted on every job.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.labels import load_labels
from pipeline.quality import mean, ndcg_at
from pipeline.score import COMPONENTS, WEIGHTS_FILE

STEP = 20  # grid: weights in multiples of 1/STEP
MIN_STEPS = 1  # every component keeps at least MIN_STEPS/STEP: the model never drops a part a recruiter weighs
MAX_TEXT = 0.10  # text relevance at most this share: folds agree on the weights, and the ranking stays skills-led
FOLDS = 5


def grid() -> np.ndarray:
    rows = [
        c
        for c in itertools.product(range(MIN_STEPS, STEP + 1), repeat=len(COMPONENTS) - 1)
        if sum(c) <= STEP - MIN_STEPS
    ]
    weights = np.array([[*c, STEP - sum(c)] for c in rows], dtype=np.float64) / STEP
    return weights[weights[:, COMPONENTS.index("text")] <= MAX_TEXT + 1e-9]


def scores(weights: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """(candidates of weights) × pairs scores; unknown (NaN) components are left out of the weighted mean."""
    known = ~np.isnan(parts)
    values = np.nan_to_num(parts)
    return (weights @ (values * known).T) / np.maximum(weights @ known.T, 1e-9)


def _ndcgs(all_scores: np.ndarray, pairs: list[tuple[str, str]], jobs: dict, keys: list[str], k: int) -> np.ndarray:
    """Mean NDCG@k over `keys` jobs for every weight candidate."""
    out = np.zeros(all_scores.shape[0])
    for job in keys:
        idx = [i for i, (j, _) in enumerate(pairs) if j == job]
        grades = np.array([jobs[job][pairs[i][1]] for i in idx], dtype=np.float64)
        ideal = sorted(jobs[job].values(), reverse=True)[:k]
        best = sum((2**g - 1) / np.log2(r + 2) for r, g in enumerate(ideal))
        order = np.argsort(-all_scores[:, idx], axis=1, kind="stable")[:, :k]
        gains = (2 ** grades[order] - 1) / np.log2(np.arange(2, order.shape[1] + 2))
        out += gains.sum(axis=1) / best
    return out / len(keys)


def fit(parts: np.ndarray, pairs: list[tuple[str, str]], jobs: dict, keys: list[str]) -> tuple[np.ndarray, float]:
    candidates = grid()
    all_scores = scores(candidates, parts)
    objective = _ndcgs(all_scores, pairs, jobs, keys, 5) + 0.5 * _ndcgs(all_scores, pairs, jobs, keys, 10)
    best = int(np.argmax(objective))
    return candidates[best], float(objective[best])


def _named(weights: np.ndarray) -> dict[str, float]:
    """Component name -> weight, rounded for the report (one weight per component)."""
    return dict(zip(COMPONENTS, weights.round(2).tolist(), strict=True))


def cross_validate(folder: Path, skills: Path, write: bool = False) -> dict:
    from pipeline.evaluate import ingest_set

    labels = load_labels(folder)
    with tempfile.TemporaryDirectory(prefix="shortlist-fit-") as home:
        stored = ingest_set(labels, Path(home), skills)
    jobs = {d.key: d.relevance for d in labels.of_kind("jd")}
    pairs = [(j, r) for j in sorted(jobs) for r in sorted(jobs[j])]
    parts = np.array(
        [[np.nan if v is None else v for v in stored["components"].get(p, [None] * 5)] for p in pairs], dtype=np.float64
    )
    keys = sorted(jobs)
    order = np.random.default_rng(0).permutation(len(keys))
    folds = [[keys[i] for i in order[f::FOLDS]] for f in range(FOLDS)]
    report: dict[str, Any] = {"folds": []}
    for held in folds:
        train = [k for k in keys if k not in held]
        weights, _ = fit(parts, pairs, jobs, train)
        s = scores(weights[None, :], parts)[0]
        tested = {}
        for job in held:
            ranked = [r for _, r in sorted(((-s[i], r) for i, (j, r) in enumerate(pairs) if j == job))]
            tested[job] = ndcg_at(ranked, jobs[job], 5)
        report["folds"].append({"held_out": held, "weights": _named(weights), "ndcg@5": mean(tested.values())})
    report["cv_ndcg@5"] = mean([f["ndcg@5"] for f in report["folds"]])
    weights, objective = fit(parts, pairs, jobs, keys)
    report["weights"] = _named(weights)
    report["train_objective"] = objective
    if write:
        WEIGHTS_FILE.write_text(
            json.dumps(
                {
                    "_comment": "Weights of the score's components (pipeline/score.py). Fitted by `python -m pipeline "
                    "fit-weights DIR --write`; see README 'Ranking'.",
                    "weights": report["weights"],
                    "cv_ndcg@5": round(report["cv_ndcg@5"], 3),
                },
                indent=1,
            )
            + "\n"
        )
    return report
