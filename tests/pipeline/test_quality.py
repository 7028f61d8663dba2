"""The ranking and extraction measures against values worked out by hand."""

import math

from hypothesis import given, strategies as st

from pipeline.quality import average_precision, dcg, hit_at, mean, ndcg_at, precision_recall


def test_precision_recall_by_hand():
    assert precision_recall({"a", "b", "c", "d"}, {"a", "b", "x"}) == (0.5, 2 / 3)
    assert precision_recall(set(), {"a"}) == (None, 0.0)
    assert precision_recall({"a"}, set()) == (0.0, None)


def test_ndcg_by_hand():
    grades = {"a": 2, "b": 1, "c": 0}
    assert ndcg_at(["a", "b", "c"], grades, 3) == 1.0
    worst = dcg([0, 1, 2]) / dcg([2, 1, 0])
    assert math.isclose(ndcg_at(["c", "b", "a"], grades, 3), worst)
    assert math.isclose(dcg([2, 1]), 3 / math.log2(2) + 1 / math.log2(3))
    assert ndcg_at(["a"], {"a": 0}, 5) is None


def test_hit_and_average_precision_by_hand():
    grades = {"a": 0, "b": 2, "c": 1, "d": 0}
    assert hit_at(["a", "d", "b"], grades, 3) is True
    assert hit_at(["a", "d", "c", "b"], grades, 3) is False
    assert hit_at(["a"], {"a": 1}, 3) is None
    # relevant: b, c. Ranked a, b, d, c: precision at b = 1/2, at c = 2/4.
    assert average_precision(["a", "b", "d", "c"], grades) == (1 / 2 + 2 / 4) / 2
    assert mean([True, False, None, 1.0]) == 2 / 3


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 2), min_size=1))
def test_measures_stay_in_range_and_ideal_order_is_best(grades):
    ideal = sorted(grades, key=lambda item: -grades[item])
    for ranked in (ideal, list(reversed(ideal)), sorted(grades)):
        value = ndcg_at(ranked, grades, 5)
        assert value is None or 0.0 <= value <= 1.0 + 1e-12
        ap = average_precision(ranked, grades)
        assert ap is None or 0.0 <= ap <= 1.0
    if ndcg_at(ideal, grades, 5) is not None:
        assert math.isclose(ndcg_at(ideal, grades, 5), 1.0)
