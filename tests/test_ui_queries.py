"""store.queries: the named reads the UI and `python -m pipeline rank` share, on a real SQLite file."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import event
from sqlmodel import Session

from store import queries
from store.db import make_engine, read_engine
from store.models import Decision, Event, Failure
from ui.sample import add_candidate, add_job, seed


@pytest.fixture
def session(settings):
    engine = read_engine(settings.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def job(engine):
    job = add_job(engine, "Backend Engineer", ("Python", "Docker"), ("Redis",), 3)
    add_candidate(engine, "Ada", "Python Docker Redis", years=5)     # 100
    add_candidate(engine, "Bea", "Python Docker", years=5)           # 80
    add_candidate(engine, "Cy", "Python Docker", years=1)            # 80 - 10*(2/3)
    add_candidate(engine, "Di", "Redis", years=None)                 # 20
    add_candidate(engine, "Ed", "Python Docker", years=5)            # 80, ties with Bea
    return job


def decide(engine, job, candidate, status, note=""):
    with Session(engine) as session:
        session.add(Decision(job_id=job, candidate_id=candidate, status=status, note=note,
                             updated_at=datetime.now(timezone.utc)))
        session.commit()


def names(rows):
    return [row["name"] for row in rows]


def test_find_job_by_id_title_or_any_case(session, job, engine):
    add_job(engine, "42", ("Go",))
    assert queries.find_job(session, str(job)).id == job
    assert queries.find_job(session, "Backend Engineer").id == job
    assert queries.find_job(session, "  backend ENGINEER ").id == job
    assert queries.find_job(session, "42").title == "42"  # no job 42: the title matches
    assert queries.find_job(session, "999") is None
    assert queries.find_job(session, "") is None and queries.find_job(session, "Frontend") is None


def test_find_job_prefers_an_id_then_a_title(session, engine):
    first = add_job(engine, "Alpha", ("Go",))
    add_job(engine, str(first), ("Go",))  # a job titled "1"
    assert queries.find_job(session, str(first)).title == "Alpha"
    assert queries.find_job(session, "2").title == str(first)


def test_ranking_rows_are_ordered_by_score_with_shared_ranks(session, job):
    rows, total = queries.ranking(session, job)
    assert total == 5
    assert names(rows) == ["Ada", "Bea", "Ed", "Cy", "Di"]
    assert [row["rank"] for row in rows] == [1, 2, 2, 4, 5]
    assert list(rows[0]) == ["rank", "candidate_id", "name", "email", "score", "components", "matched", "answers",
                             "missing_required", "missing_preferred", "required_matched", "required_total",
                             "preferred_matched", "preferred_total", "resume_years", "job_years", "status", "note",
                             "model_version", "computed_at"]
    assert set(rows[0]["components"]) == {"coverage", "depth", "text", "role", "experience"}
    assert rows[0]["matched"] == ["Docker", "Python", "Redis"]
    assert rows[4]["missing_required"] == ["Docker", "Python"] and rows[4]["matched"] == ["Redis"]
    assert rows[1]["missing_preferred"] == ["Redis"]


def test_ranking_filters(session, engine, job):
    decide(engine, job, 2, "shortlisted", "great")
    decide(engine, job, 4, "rejected")
    assert names(queries.ranking(session, job, min_score=80)[0]) == ["Ada", "Bea", "Ed"]
    assert names(queries.ranking(session, job, status="shortlisted")[0]) == ["Bea"]
    assert names(queries.ranking(session, job, status="new")[0]) == ["Ada", "Ed", "Cy"]
    assert names(queries.ranking(session, job, skill="redis")[0]) == ["Ada", "Di"]
    assert names(queries.ranking(session, job, skill="REDIS", min_score=50)[0]) == ["Ada"]
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


def test_ranking_issues_a_constant_number_of_statements(settings):
    engine = make_engine(settings.database_url)
    seed(engine, candidates=300, jobs=2)
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
    engine.dispose()


def test_jobs_overview_and_counts(session, engine, job):
    empty = add_job(engine, "Designer", ("Figma",))
    decide(engine, job, 1, "shortlisted")
    decide(engine, job, 2, "shortlisted")
    decide(engine, job, 3, "rejected")
    overview = {row["title"]: row for row in queries.jobs_overview(session)}
    assert overview["Backend Engineer"]["candidates"] == 5
    assert overview["Backend Engineer"]["best_score"] == 100.0
    assert (overview["Backend Engineer"]["shortlisted"], overview["Backend Engineer"]["rejected"]) == (2, 1)
    assert overview["Designer"]["candidates"] == 0 and overview["Designer"]["best_score"] is None
    assert overview["Designer"]["id"] == empty
    assert queries.decision_counts(session, job) == {"shortlisted": 2, "rejected": 1}


def test_job_detail(session, job):
    detail = queries.job_detail(session, job)
    assert detail["required_skills"] == ["Docker", "Python"] and detail["preferred_skills"] == ["Redis"]
    assert detail["min_years"] == 3 and detail["filename"] == "backend-engineer.txt"
    assert queries.job_detail(session, 999) is None


def test_candidate_detail_and_match_report(session, job):
    detail = queries.candidate_detail(session, 1)
    assert detail["name"] == "Ada" and detail["document"]["text"] == "Python Docker Redis"
    assert [(m["skill"], m["start"], m["end"]) for m in detail["mentions"]] == [
        ("Python", 0, 6), ("Docker", 7, 13), ("Redis", 14, 19)]
    assert detail["matches"][0]["title"] == "Backend Engineer" and detail["matches"][0]["status"] == "new"
    assert queries.candidate_detail(session, 999) is None
    report = queries.match_report(session, job, 4)
    assert report["matched"][0]["skill"] == "Redis" and report["matched"][0]["evidence"][0]["snippet"] == "Redis"
    assert report["missing_required"] == ["Docker", "Python"] and report["missing_preferred"] == []
    assert queries.match_report(session, job, 999) is None


def test_failures_and_file_statuses(session, engine):
    with Session(engine) as s:
        s.add(Failure(sha256="f" * 64, kind="resume", filename="a.pdf", code="x", reason="bad",
                      quarantined_path="/q/a.pdf", created_at=datetime.now(timezone.utc)))
        s.add(Event(kind="document.started", sha256="a" * 64, filename="a.txt", created_at=datetime.now(timezone.utc)))
        s.add(Event(kind="document.duplicate", sha256="c" * 64, filename="c.txt",
                    created_at=datetime.now(timezone.utc)))
        s.commit()
    assert [f["filename"] for f in queries.failures(session)] == ["a.pdf"]
    statuses = queries.file_statuses(session, ["a" * 64, "c" * 64, "d" * 64])
    assert [statuses[h]["status"] for h in ("a" * 64, "c" * 64, "d" * 64)] == ["parsing", "duplicate", "queued"]


def test_the_change_feed(session, engine, job):
    head = queries.feed_head(session)
    assert head >= 6  # one event per seeded document
    add_candidate(engine, "Fay", "Go")
    session.commit()  # a read transaction sees its snapshot; the feed reads in a fresh one each poll
    events = queries.events_after(session, head)
    assert [e["kind"] for e in events] == ["document.scored"] and events[0]["candidate_id"] == 6
    assert queries.recent_events(session, 2)[-1]["id"] == head + 1
    assert queries.heartbeat_age(session, "watcher", datetime.now(timezone.utc)) is None
