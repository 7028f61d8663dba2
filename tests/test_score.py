"""Scoring: the documented formula, and properties that hold for any input."""
from hypothesis import given, strategies as st

from pipeline.score import EXPERIENCE_SHARE, experience_factor, score

SKILLS = st.sampled_from(["Python", "SQL", "AWS", "Docker", "Kubernetes", "Excel", "Go", "React", "Java", "Git"])
REQUIREMENTS = st.dictionaries(SKILLS, st.sampled_from(["required", "preferred"]), max_size=10)
RESUME = st.frozensets(SKILLS, max_size=10)
YEARS = st.one_of(st.none(), st.floats(min_value=0, max_value=40))
ASK = st.one_of(st.none(), st.integers(min_value=0, max_value=15))


def test_formula_weights_required_twice_preferred_once():
    result = score({"Python", "Docker"}, {"Python": "required", "SQL": "required", "Docker": "preferred",
                                          "AWS": "preferred"})
    # (2·1 + 1·1) / (2·2 + 1·2) = 3/6
    assert result.score == 50.0
    assert result.matched_required == ("Python",)
    assert result.matched_preferred == ("Docker",)
    assert result.missing_required == ("SQL",)
    assert result.missing_preferred == ("AWS",)
    assert result.matched == ("Python", "Docker")


def test_every_skill_met_scores_100_and_none_scores_0():
    reqs = {"Python": "required", "AWS": "preferred"}
    assert score({"Python", "AWS", "Excel"}, reqs).score == 100.0
    assert score({"Excel"}, reqs).score == 0.0


def test_job_without_skills_scores_zero():
    assert score({"Python"}, {}).score == 0.0


def test_experience_short_of_the_ask_costs_up_to_the_experience_share():
    reqs = {"Python": "required"}
    assert score({"Python"}, reqs, resume_years=6, job_years=5).score == 100.0
    assert score({"Python"}, reqs, resume_years=None, job_years=5).score == round(100 * (1 - EXPERIENCE_SHARE), 1)
    assert score({"Python"}, reqs, resume_years=2.5, job_years=5).score == round(100 * (1 - EXPERIENCE_SHARE / 2), 1)
    assert experience_factor(3, None) == 1.0


@given(RESUME, REQUIREMENTS, YEARS, ASK)
def test_score_is_between_0_and_100_and_partitions_the_job_skills(resume, reqs, years, ask):
    result = score(resume, reqs, years, ask)
    assert 0.0 <= result.score <= 100.0
    listed = result.matched + result.missing_required + result.missing_preferred
    assert sorted(listed) == sorted(reqs)
    assert set(result.matched) <= set(resume)
    assert not set(result.missing_required + result.missing_preferred) & set(resume)


@given(RESUME, REQUIREMENTS, SKILLS, YEARS, ASK)
def test_adding_a_skill_never_lowers_the_score(resume, reqs, extra, years, ask):
    assert score(resume | {extra}, reqs, years, ask).score >= score(resume, reqs, years, ask).score


@given(RESUME, REQUIREMENTS, ASK, st.floats(min_value=0, max_value=20), st.floats(min_value=0, max_value=20))
def test_more_experience_never_lowers_the_score(resume, reqs, ask, a, b):
    low, high = sorted((a, b))
    assert score(resume, reqs, high, ask).score >= score(resume, reqs, low, ask).score
