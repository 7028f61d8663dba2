"""store.queries: the named reads the UI and `python -m pipeline rank` share, on a real SQLite file."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import event
from sqlmodel import Session

from store import queries
from store.db import read_engine
from store.models import Decision, Event, Failure
from tests.seed import expected_match

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


@pytest.fixture
def session(settings):
    engine = read_engine(settings.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def seeded(seeder):
    """A job and five resumes through the real pipeline (candidate ids 1 to 5, in this order)."""
    job = seeder.job("Backend Engineer", ["Python", "Docker"], ["Redis"], 3)
    people = {
        name: seeder.resume(name, skills, years)
        for name, skills, years in (
            ("Ada", ["Python", "Docker", "Redis"], 5),  # every skill asked
            ("Bea", ["Python", "Docker"], 5),  # no nice-to-have
            ("Cy", ["Python", "Docker"], 1),  # as Bea, with fewer years than asked
            ("Di", ["Redis"], None),  # the nice-to-have only
            ("Ed", ["Python", "Docker"], 5),  # as Bea: ties with her
        )
    }
    return job, people


@pytest.fixture
def job(seeded):
    return seeded[0].id


def expected(seeded):
    """name -> the match the pipeline's score function gives, and the names in score order (ties by id)."""
    job, people = seeded
    matches = {name: expected_match(resume, job) for name, resume in people.items()}
    order = sorted(people, key=lambda name: (-matches[name].score, people[name].id))
    return matches, order


def decide(engine, job, candidate, status, note=""):
    with Session(engine) as session:
        session.add(
            Decision(
                job_id=job, candidate_id=candidate, status=status, note=note, updated_at=datetime.now(timezone.utc)
            )
        )
        session.commit()


def names(rows):
    return [row["name"] for row in rows]


def test_find_job_by_id_title_or_any_case(session, job, seeder):
    seeder.job("42", ["Go"])
    assert queries.find_job(session, str(job)).id == job
    assert queries.find_job(session, "Backend Engineer").id == job
    assert queries.find_job(session, "  backend ENGINEER ").id == job
    assert queries.find_job(session, "42").title == "42"  # no job 42: the title matches
    assert queries.find_job(session, "999") is None
    assert queries.find_job(session, "") is None and queries.find_job(session, "Frontend") is None


def test_find_job_prefers_an_id_then_a_title(session, seeder):
    first = seeder.job("Alpha", ["Go"]).id
    seeder.job(str(first), ["Go"])  # a job titled "1"
    assert queries.find_job(session, str(first)).title == "Alpha"
    assert queries.find_job(session, "2").title == str(first)


def test_ranking_rows_are_ordered_by_score_with_shared_ranks(session, job, seeded):
    matches, order = expected(seeded)
    rows, total = queries.ranking(session, job)
    assert total == 5
    assert names(rows) == order == ["Ada", "Bea", "Ed", "Cy", "Di"]
    assert [row["score"] for row in rows] == [matches[name].score for name in order]
    assert [row["rank"] for row in rows] == [1, 2, 2, 4, 5]
    assert list(rows[0]) == [
        "rank",
        "candidate_id",
        "name",
        "email",
        "score",
        "components",
        "matched",
        "answers",
        "missing_required",
        "missing_preferred",
        "required_matched",
        "required_total",
        "preferred_matched",
        "preferred_total",
        "resume_years",
        "job_years",
        "status",
        "note",
        "model_version",
        "computed_at",
        "resume_document_id",
        "resume_file",
    ]
    assert set(rows[0]["components"]) == {"coverage", "depth", "text", "role", "experience"}
    assert rows[0]["matched"] == ["Docker", "Python", "Redis"]
    assert rows[4]["missing_required"] == sorted(matches["Di"].missing_required) and rows[4]["matched"] == ["Redis"]
    assert {"Docker", "Python"} <= set(rows[4]["missing_required"])
    assert rows[1]["missing_preferred"] == ["Redis"]


def test_ranking_filters(session, engine, job, seeded):
    matches, _ = expected(seeded)
    decide(engine, job, 2, "shortlisted", "great")
    decide(engine, job, 4, "rejected")
    assert names(queries.ranking(session, job, min_score=matches["Bea"].score)[0]) == ["Ada", "Bea", "Ed"]
    assert names(queries.ranking(session, job, status="shortlisted")[0]) == ["Bea"]
    assert names(queries.ranking(session, job, status="new")[0]) == ["Ada", "Ed", "Cy"]
    assert names(queries.ranking(session, job, skill="redis")[0]) == ["Ada", "Di"]
    assert names(queries.ranking(session, job, skill="REDIS", min_score=matches["Di"].score + 1)[0]) == ["Ada"]
    assert queries.ranking(session, job, skill="Haskell") == ([], 0)
    bea = queries.ranking(session, job, status="shortlisted")[0][0]
    assert (bea["status"], bea["note"], bea["rank"]) == ("shortlisted", "great", 2)


def test_ranking_sorts_both_ways(session, engine, job):
    decide(engine, job, 3, "shortlisted")
    assert names(queries.ranking(session, job, sort="name", descending=False)[0]) == ["Ada", "Bea", "Cy", "Di", "Ed"]
    assert names(queries.ranking(session, job, sort="score", descending=False)[0]) == ["Di", "Cy", "Bea", "Ed", "Ada"]
    assert names(queries.ranking(session, job, sort="years")[0])[-1] == "Di"  # unknown years sort last
    assert names(queries.ranking(session, job, sort="years", descending=False)[0])[-1] == "Di"
    assert names(queries.ranking(session, job, sort="status", descending=True)[0])[0] == "Cy"
    assert names(queries.ranking(session, job, sort="required")[0])[-1] == "Di"
    with pytest.raises(ValueError):
        queries.ranking(session, job, sort="salary")
    with pytest.raises(ValueError):
        queries.ranking(session, job, status="hired")


def test_ranking_pages_and_totals(session, job):
    rows, total = queries.ranking(session, job, limit=2, offset=2)
    assert names(rows) == ["Ed", "Cy"] and total == 5
    assert queries.ranking(session, job, limit=2, offset=10) == ([], 5)
    rows, total = queries.ranking(session, job, limit=None)
    assert len(rows) == 5 and total == 5
    assert queries.ranking(session, job, limit=0)[1] == 5
    assert queries.ranking(session, 999) == ([], 0)


def test_ranking_row(session, engine, job):
    decide(engine, job, 5, "rejected", "no")
    row = queries.ranking_row(session, job, 5)
    assert (row["name"], row["rank"], row["status"]) == ("Ed", 2, "rejected")
    assert queries.ranking_row(session, job, 999) is None


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_ranking_issues_a_constant_number_of_statements(settings, seeder):
    seeder.corpus(jobs=2, resumes=300)
    reader = read_engine(settings.database_url)
    with Session(reader) as session:
        for limit in (10, 200):
            with counted(reader.engine) as statements:
                rows, total = queries.ranking(session, 1, limit=limit, skill="Python", min_score=1)
            assert len(rows) == min(limit, total) and total > 10
            assert len(statements) <= 5, statements  # resolve skill, page, total, skills, ranks
        with counted(reader.engine) as statements:
            detail = queries.candidate_detail(session, 1)
        assert len(detail["matches"]) == 2 and len(statements) <= 6
    reader.dispose()


def test_jobs_overview_and_counts(session, engine, job, seeded, seeder):
    designer = seeder.job("Designer", ["Figma"])  # scored at once against the five resumes already in
    decide(engine, job, 1, "shortlisted")
    decide(engine, job, 2, "shortlisted")
    decide(engine, job, 3, "rejected")
    overview = {row["title"]: row for row in queries.jobs_overview(session)}
    assert overview["Backend Engineer"]["candidates"] == 5
    assert overview["Backend Engineer"]["best_score"] == max(m.score for m in expected(seeded)[0].values())
    assert (overview["Backend Engineer"]["shortlisted"], overview["Backend Engineer"]["rejected"]) == (2, 1)
    assert overview["Designer"]["candidates"] == 5 and overview["Designer"]["id"] == designer.id
    assert overview["Designer"]["best_score"] == max(expected_match(r, designer).score for r in seeded[1].values())
    assert queries.decision_counts(session, job) == {"shortlisted": 2, "rejected": 1}


def test_jobs_overview_of_a_job_nobody_applied_to(session, seeder):
    empty = seeder.job("Designer", ["Figma"]).id
    (row,) = queries.jobs_overview(session)
    assert (row["id"], row["candidates"], row["best_score"], row["shortlisted"]) == (empty, 0, None, 0)


def test_job_detail(session, job, seeded):
    detail = queries.job_detail(session, job)
    required = sorted(s for s, kind in seeded[0].requirements.items() if kind == "required")
    assert detail["required_skills"] == required and {"Docker", "Python"} <= set(required)
    assert detail["preferred_skills"] == ["Redis"]
    assert detail["min_years"] == 3 and detail["filename"] == "backend-engineer.txt"
    assert queries.job_detail(session, 999) is None


def test_candidate_detail_and_match_report(session, job, seeded):
    ada, di = seeded[1]["Ada"], seeded[1]["Di"]
    detail = queries.candidate_detail(session, 1)
    assert detail["name"] == "Ada" and detail["document"]["text"] == ada.analysis.text
    found = [(m["skill"], m["start"], m["end"]) for m in detail["mentions"]]
    assert found == sorted(((m.skill, m.start, m.end) for m in ada.analysis.mentions), key=lambda m: (m[1], -m[2]))
    assert [ada.analysis.text[start:end] for _, start, end in found] == ["Python", "Docker", "Redis"]
    assert detail["matches"][0]["title"] == "Backend Engineer" and detail["matches"][0]["status"] == "new"
    assert queries.candidate_detail(session, 999) is None
    report = queries.match_report(session, job, 4)
    evidence = report["matched"][0]["evidence"][0]
    assert report["matched"][0]["skill"] == "Redis" and evidence["surface"] == "Redis"
    assert evidence["snippet"] == next(m.snippet for m in di.analysis.mentions if m.skill == "Redis")
    assert report["missing_required"] == sorted(expected(seeded)[0]["Di"].missing_required)
    assert report["missing_preferred"] == []
    assert queries.match_report(session, job, 999) is None


def test_failures_and_file_statuses(session, engine):
    with Session(engine) as s:
        s.add(
            Failure(
                sha256="f" * 64,
                kind="resume",
                filename="a.pdf",
                code="x",
                reason="bad",
                quarantined_path="/q/a.pdf",
                created_at=datetime.now(timezone.utc),
            )
        )
        s.add(Event(kind="document.started", sha256="a" * 64, filename="a.txt", created_at=datetime.now(timezone.utc)))
        s.add(
            Event(kind="document.duplicate", sha256="c" * 64, filename="c.txt", created_at=datetime.now(timezone.utc))
        )
        s.commit()
    assert [f["filename"] for f in queries.failures(session)] == ["a.pdf"]
    statuses = queries.file_statuses(session, ["a" * 64, "c" * 64, "d" * 64])
    assert [statuses[h]["status"] for h in ("a" * 64, "c" * 64, "d" * 64)] == ["parsing", "duplicate", "queued"]


def test_the_change_feed(session, seeder, job):
    head = queries.feed_head(session)
    assert head >= 6  # one event per seeded document
    seeder.resume("Fay", ["Go"])
    session.commit()  # a read transaction sees its snapshot; the feed reads in a fresh one each poll
    events = queries.events_after(session, head)
    assert [e["kind"] for e in events] == ["document.scored"] and events[0]["candidate_id"] == 6
    assert queries.recent_events(session, 2)[-1]["id"] == head + 1
    assert queries.heartbeat_age(session, "watcher", datetime.now(timezone.utc)) is None
