"""Scoring: the components, their combination with the fitted weights, and properties that hold for any input."""

from pathlib import Path

import numpy as np
from hypothesis import given, settings, strategies as st

from pipeline.features import JobFeatures, ResumeFeatures, StoredMention, alternatives, job_features, resume_features
from pipeline.model import model_for
from pipeline.score import COMPONENTS, combine, experience_fit, load_weights, score_many, score_pair
from pipeline.taxonomy import load_taxonomy
from pipeline.textrank import cosines, vector

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY = load_taxonomy(ROOT / "skills")
MODEL = model_for(TAXONOMY, ROOT / "skills")
WEIGHTS = load_weights()
SKILLS = st.sampled_from(
    ["Python", "SQL", "Docker", "Kubernetes", "Go", "React", "Java", "Git", "PostgreSQL", "Terraform"]
)
FAMILIES = st.sampled_from(["Backend engineering", "Data science", "Nursing", "Sales"])
EMPTY = vector("")


def resume(skills: dict[str, float], roles=None, years=None, level=2, text=EMPTY) -> ResumeFeatures:
    return ResumeFeatures(1, years, dict(skills), text, dict(roles or {}), level)


def job(required, preferred=(), roles=(), years=None, level=None, groups=(), text=EMPTY) -> JobFeatures:
    requirement = {**{s: "preferred" for s in preferred}, **{s: "required" for s in required}}
    wanted = {s: 2.0 if k == "required" else 1.0 for s, k in requirement.items()}
    return JobFeatures(2, years, wanted, requirement, tuple(groups), text, tuple(roles), level)


def pair(r: ResumeFeatures, j: JobFeatures, cosine: float = 0.0):
    return score_pair(r, j, cosine, MODEL.relations, WEIGHTS, MODEL.roles.closeness)


def test_weights_are_in_one_file_and_the_version_names_them():
    assert set(WEIGHTS.values) == set(COMPONENTS)
    assert abs(sum(WEIGHTS.values.values()) - 1.0) < 1e-6
    assert WEIGHTS.version.startswith("relevance-") and MODEL.version.startswith(WEIGHTS.version)


def test_required_weighs_twice_preferred_and_missing_ones_are_listed():
    result = pair(resume({"Python": 1.0, "Docker": 1.0}), job(["Python", "SQL"], ["Docker", "Go"]))
    assert result.coverage == (2 + 1) / (2 * 2 + 2)
    assert result.matched_required == ("Python",) and result.missing_required == ("SQL",)
    assert result.matched_preferred == ("Docker",) and result.missing_preferred == ("Go",)


def test_implied_and_related_skills_count_naming_the_relation(tmp_path):
    (tmp_path / "tech.yaml").write_text(
        "category: Tech\nskills:\n  - name: Java\n  - name: Spring Boot\n    implies: [Java]\n"
        "  - name: PostgreSQL\n  - name: MySQL\n    related: {PostgreSQL: 0.6}\n",
        encoding="utf-8",
    )
    model = model_for(load_taxonomy(tmp_path), tmp_path)

    def answer(have, want):
        return score_pair(
            resume({have: 1.0}), job([want]), 0.0, model.relations, WEIGHTS, model.roles.closeness
        ).answers[0]

    assert (answer("Spring Boot", "Java").kind, answer("Spring Boot", "Java").via) == ("implied", "Spring Boot")
    related = answer("MySQL", "PostgreSQL")
    assert (related.kind, related.via, related.strength) == ("related", "MySQL", 0.6)
    assert pair(resume({"MySQL": 1.0}), job(["PostgreSQL"])).score < 100
    assert answer("Java", "Spring Boot").kind is None  # Java does not imply Spring Boot


def test_one_of_a_group_of_alternatives_is_enough():
    wanted = job(["Python", "Scala", "SQL"], groups=[("Python", "Scala")])
    assert pair(resume({"Python": 1.0, "SQL": 1.0}), wanted).coverage == 1.0
    text = "Must know Python or Scala, and SQL."
    mentions = [
        StoredMention(s, "Languages", text.index(s), text.index(s) + len(s)) for s in ("Python", "Scala", "SQL")
    ]
    assert alternatives(text, mentions) == (("Python", "Scala"),)


def test_a_skill_used_in_recent_experience_counts_more_than_one_listed_or_old():
    text = (
        "Jane Roe\nExperience\nBackend Engineer, Acme, 2021 - 2024\nBuilt services in Python.\n"
        "Developer, Initech, 2015 - 2017\nWrote Java code.\nSkills\nPython, Java, Go\n"
    )
    mentions = [StoredMention(s, "Languages", m, m + len(s)) for s in ("Python", "Java", "Go") for m in [text.index(s)]]
    features = resume_features(1, text, mentions, 6.0, MODEL.roles)
    assert features.skills["Python"] > features.skills["Java"] > features.skills["Go"]
    assert "Backend engineering" in features.roles


def test_unknown_years_and_titles_are_left_out_not_scored_zero():
    assert experience_fit(None, 5) is None and experience_fit(3, None) is None and experience_fit(10, 5) == 1.0
    known = pair(resume({"Python": 1.0}, years=0.5), job(["Python"], years=5))
    unknown = pair(resume({"Python": 1.0}, years=None), job(["Python"], years=5))
    assert unknown.experience is None and unknown.role is None
    assert unknown.score > known.score


def test_soft_traits_weigh_nothing():
    text = "Requirements: Python. Communication skills and teamwork."
    mentions = [
        StoredMention("Python", "Languages", 14, 20, "required"),
        StoredMention("Communication", "Soft skills", 22, 35, "required"),
    ]
    features = job_features(2, text, mentions, None, "Backend Engineer", MODEL.roles)
    assert set(features.wanted) == {"Python"}


@settings(max_examples=200, deadline=None)
@given(
    st.sets(SKILLS, min_size=1, max_size=6),
    st.sets(SKILLS, max_size=4),
    st.one_of(st.none(), FAMILIES),
    st.one_of(st.none(), st.integers(1, 10)),
    st.floats(0, 1),
    st.floats(0, 5),
)
def test_a_resume_meeting_every_requirement_scores_at_least_90(required, preferred, family, ask, cosine, extra):
    preferred -= required
    have = {s: 1.0 for s in required | preferred}
    r = resume(have, roles={family: 1.0} if family else {}, years=None if ask is None else ask + extra)
    j = job(sorted(required), sorted(preferred), roles=(family,) if family else (), years=ask)
    assert pair(r, j, cosine).score >= 90


@given(st.sets(SKILLS, max_size=6), st.sets(SKILLS, min_size=1, max_size=6), SKILLS, st.floats(0, 1))
def test_adding_a_skill_never_lowers_the_score_and_scores_stay_in_range(have, required, extra, cosine):
    j = job(sorted(required))
    before = pair(resume({s: 1.0 for s in have}), j, cosine)
    after = pair(resume({s: 1.0 for s in have | {extra}}), j, cosine)
    assert 0.0 <= before.score <= after.score <= 100.0
    listed = before.matched + before.missing_required + before.missing_preferred
    assert sorted(listed) == sorted(required)


def test_combine_drops_unknown_components():
    parts = {"coverage": 1.0, "depth": 1.0, "text": 1.0, "role": None, "experience": None}
    assert combine(parts, WEIGHTS) == 100.0


def test_text_relevance_uses_fixed_weights_so_other_documents_do_not_move_it():
    a, b = vector("Python developer building Kubernetes services"), vector("Kubernetes and Python engineer")
    alone = cosines([a], [b])[0, 0]
    crowd = cosines([a, vector("registered nurse in the emergency department")] * 50, [b, vector("sales")])
    assert 0 < alone < 1 and np.isclose(crowd[0, 0], alone) and np.isclose(crowd[98, 0], alone)


def test_score_many_matches_score_pair():
    rs = [resume({"Python": 1.0}, text=vector("python services")), resume({"Go": 0.5}, text=vector("go"))]
    js = [job(["Python"], text=vector("python")), job(["Go", "SQL"], text=vector("go sql"))]
    many = score_many(rs, js, MODEL.relations, WEIGHTS, MODEL.roles.closeness)
    c = cosines([r.text for r in rs], [j.text for j in js])
    for ji, j in enumerate(js):
        for ri, r in enumerate(rs):
            assert many[ji][ri] == pair(r, j, float(c[ri, ji]))
