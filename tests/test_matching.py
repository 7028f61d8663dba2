"""Pure scoring over a snapshot: the same results pipeline/score.py gives, with no database."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract import Mention
from pipeline.matching import match, matches, score_pairs, side_of
from pipeline.score import score
from pipeline.snapshot import Side, Snapshot
from pipeline.stages import Analysis

SKILLS = ["Python", "SQL", "Docker", "AWS", "Excel", "Terraform"]


def mention(skill: str) -> Mention:
    return Mention(skill=skill, category="Test", surface=skill, start=0, end=len(skill), snippet=skill)


def job(skills: list[str], preferred: set[str], years: float | None) -> Analysis:
    return Analysis(filename="job.txt", kind="job", mentions=[mention(s) for s in skills + skills[:1]],
                    requirements={s: "preferred" for s in preferred if s in skills}, years=years)


def resume(skills: list[str], years: float | None) -> Analysis:
    return Analysis(filename="cv.txt", kind="resume", mentions=[mention(s) for s in skills], years=years)


def test_a_job_side_is_what_the_writer_stores_and_reads_back():
    side = side_of(job(["Python", "SQL", "AWS"], {"AWS"}, 5.7))
    assert side.skills == {"Python": "required", "SQL": "required", "AWS": "preferred"}
    assert side.years == 5 and side.owner_id is None and side.document_id is None  # Job.min_years is an int
    assert side_of(resume(["Python", "Python", "SQL"], 3.5)) == Side(None, None, 3.5, frozenset({"Python", "SQL"}))


lists = st.lists(st.sampled_from(SKILLS), max_size=6, unique=True)
years = st.none() | st.floats(min_value=0, max_value=30)


@given(lists, st.sets(st.sampled_from(SKILLS)), years, lists, years)
def test_a_resume_against_a_snapshot_scores_as_pipeline_score_does(job_skills, preferred, job_years, skills, have):
    posted = side_of(job(job_skills, preferred, job_years))
    snapshot = Snapshot(jobs={"file:job": posted._replace(owner_id=1, document_id=1)})
    item = resume(skills, have)
    [(identity, result)] = matches(item, side_of(item), snapshot)
    assert identity == "file:job"
    assert result == score(set(skills), posted.skills, have, posted.years)


@given(lists, st.sets(st.sampled_from(SKILLS)), years, lists, years)
def test_a_job_against_a_snapshot_scores_every_resume(job_skills, preferred, job_years, skills, have):
    item = job(job_skills, preferred, job_years)
    own = side_of(item)
    snapshot = Snapshot(resumes={"email:a@x": Side(1, 1, have, frozenset(skills)),
                                 "email:b@x": Side(2, 2, None, frozenset())})
    results = dict(matches(item, own, snapshot))
    assert set(results) == {"email:a@x", "email:b@x"}
    assert results["email:a@x"] == score(set(skills), own.skills, have, own.years)


def test_the_reload_pairs_use_the_same_formula():
    jobs = {7: (70, 2, {"Python": "required", "AWS": "preferred"})}
    resumes = {3: (30, 1.0, {"Python"}), 4: (40, None, set())}
    pairs = score_pairs(jobs, resumes)
    assert [(p[0], p[1], p[2], p[3]) for p in pairs] == [(7, 3, 70, 30), (7, 4, 70, 40)]
    assert pairs[0][4] == match(Side(3, 30, 1.0, {"Python"}), Side(7, 70, 2, jobs[7][2]))
    assert pairs[0][4] == score({"Python"}, jobs[7][2], 1.0, 2)
