"""Pure quality measures: skill precision and recall, and ranking hit@k, NDCG@k and average precision."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence


def precision_recall(found: Collection[str], expected: Collection[str]) -> tuple[float | None, float | None]:
    """(precision, recall) of `found` against `expected`; None where the denominator is empty."""
    hits = len(set(found) & set(expected))
    precision = hits / len(set(found)) if found else None
    recall = hits / len(set(expected)) if expected else None
    return precision, recall


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with exponential gain: sum of (2^g - 1) / log2(rank + 1)."""
    return sum((2.0**g - 1.0) / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, float], k: int) -> float | None:
    """NDCG@k of a ranking against graded relevance; items without a grade count 0. None if nothing is relevant."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return None
    return dcg([grades.get(item, 0.0) for item in ranked[:k]]) / ideal


def hit_at(ranked: Sequence[str], grades: Mapping[str, float], k: int, strong: float = 2) -> bool | None:
    """Whether an item graded `strong` or more is in the top k; None when the grades have none."""
    if not any(g >= strong for g in grades.values()):
        return None
    return any(grades.get(item, 0.0) >= strong for item in ranked[:k])


def average_precision(ranked: Sequence[str], grades: Mapping[str, float], relevant: float = 1) -> float | None:
    """Average precision, counting items graded `relevant` or more as relevant; None when none is."""
    total = sum(1 for g in grades.values() if g >= relevant)
    if not total:
        return None
    found, precision_sum = 0, 0.0
    for rank, item in enumerate(ranked, start=1):
        if grades.get(item, 0.0) >= relevant:
            found += 1
            precision_sum += found / rank
    return precision_sum / total


def mean(values: Collection[float | bool | None]) -> float | None:
    """The mean of the values that are not None (booleans count 1 and 0); None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None
