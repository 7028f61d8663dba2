"""A person's decisions on jobs and failed files, with the real pipeline: search and filter the jobs, close,
reopen and delete a job, dismiss a failed file; the candidate page keeps the matches in view."""

from __future__ import annotations

import pytest

from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from tests.instance import db_rows
from tests.fixtures import make_corrupt_pdf
from tests.pipeline.test_ingest import JOB, RESUME_A, RESUME_B, drop
from tests.ui.support import client_for, csrf

DATA_JOB = (
    "Data Analyst\n\nWe are looking for an analyst to join our finance team.\n\nRequirements\n"
    "- SQL and Excel every day\n- Python for reports\n"
)
SUPPORT_JOB = (
    "Support_Lead 100% remote\n\nWe are looking for a lead for our customer support desk.\n\n"
    "Requirements\n- customer service and Excel\n- payroll a plus\n"
)


@pytest.fixture
def ingestor(settings, engine):
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    yield ingestor
    ingestor.close()


@pytest.fixture
def client(settings):
    with client_for(settings) as client:
        yield client


@pytest.fixture
def jobs(settings, ingestor, client):
    outcomes = ingestor.process(
        [
            drop(settings, "job", "backend.txt", JOB.encode()),
            drop(settings, "job", "data.txt", DATA_JOB.encode()),
            drop(settings, "job", "support.txt", SUPPORT_JOB.encode()),
            drop(settings, "resume", "ada.txt", RESUME_A.encode()),
        ]
    )
    assert [o.outcome for o in outcomes] == ["scored"] * 4
    return {job["title"]: job["id"] for job in client.get("/jobs.json").json()["jobs"]}


def titles(client, query: str = "") -> list[str]:
    return [job["title"] for job in client.get("/jobs.json" + query).json()["jobs"]]


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data}, headers={"Accept": "application/json"})


def test_search_and_filter_the_jobs(client, jobs):
    assert titles(client) == ["Data Analyst", "Senior Backend Engineer", "Support_Lead 100% remote"]
    assert titles(client, "?q=BACKEND") == ["Senior Backend Engineer"]
    assert titles(client, "?q=100%25") == ["Support_Lead 100% remote"]  # % and _ are literal, not wildcards
    assert titles(client, "?q=a_a") == []  # as a wildcard, _ would match "Dat(a a)nalyst"
    assert titles(client, "?q=T_L") == ["Support_Lead 100% remote"]
    assert titles(client, "?q=nothing-like-this") == []
    body = client.get("/jobs.json?q=engineer&status=all").json()
    assert body["filters"] == {"q": "engineer", "status": "all"} and body["counts"] == {"open": 3, "closed": 0}
    assert client.get("/jobs.json?status=maybe").status_code == 400
    html = client.get("/jobs?q=zzz").text
    assert 'value="zzz"' in html and "has a title containing “zzz”" in html and "No jobs yet" not in html


def test_close_and_reopen_a_job(settings, client, ingestor, jobs):
    backend = jobs["Senior Backend Engineer"]
    assert client.post(f"/jobs/{backend}/status", data={"status": "closed"}).status_code == 403  # CSRF
    response = post(client, f"/jobs/{backend}/status", status="closed")
    assert response.status_code == 200 and response.json()["job"]["status"] == "closed"
    assert db_rows(settings, "SELECT kind, job_id, detail FROM event WHERE kind = 'job.status'") == [
        ("job.status", backend, "closed")
    ]
    assert "Senior Backend Engineer" not in titles(client)
    assert titles(client, "?status=closed") == ["Senior Backend Engineer"]
    assert client.get(f"/jobs/{backend}.json").json()["job"]["status"] == "closed"
    assert "This job is closed" in client.get(f"/jobs/{backend}").text
    # a resume arriving while the job is closed is scored against the open jobs only
    ingestor.process([drop(settings, "resume", "charles.txt", RESUME_B.encode())])
    assert [c["name"] for c in client.get(f"/jobs/{backend}.json").json()["candidates"]] == ["Ada Lovelace"]
    assert len(client.get(f"/jobs/{jobs['Data Analyst']}.json").json()["candidates"]) == 2
    # reopened: the pipeline reads the event and scores the job against every current resume
    assert post(client, f"/jobs/{backend}/status", status="open").json()["job"]["status"] == "open"
    assert ingestor.score_reopened() == 1
    names = [c["name"] for c in client.get(f"/jobs/{backend}.json").json()["candidates"]]
    assert names == ["Ada Lovelace", "Charles Babbage"]
    assert ingestor.score_reopened() == 0  # each reopening is acted on once
    assert post(client, f"/jobs/{backend}/status", status="paused").status_code == 400


def test_a_plain_form_returns_to_the_page_it_came_from(client, jobs):
    backend = jobs["Senior Backend Engineer"]
    response = client.post(
        f"/jobs/{backend}/status",
        data={"csrf_token": csrf(client), "status": "closed", "next": "/jobs?q=back"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/jobs?q=back"
    response = client.post(
        f"/jobs/{backend}/status",
        data={"csrf_token": csrf(client), "status": "open", "next": "//evil.example/jobs"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/jobs/{backend}"


def test_delete_a_job_removes_its_matches_decisions_and_file(settings, client, jobs):
    backend = jobs["Senior Backend Engineer"]
    ada = client.get(f"/jobs/{backend}.json").json()["candidates"][0]["candidate_id"]
    post(client, f"/jobs/{backend}/candidates/{ada}/decision", status="shortlisted")
    stored = db_rows(settings, "SELECT stored_path FROM document WHERE job_id = ?", backend)[0][0]
    assert client.post(f"/jobs/{backend}/delete").status_code == 403  # CSRF
    response = post(client, f"/jobs/{backend}/delete")
    assert response.json() == {"deleted": backend, "files_removed": 1}
    for table in ("match", "decision", "document"):
        assert db_rows(settings, f"SELECT count(*) FROM {table} WHERE job_id = ?", backend) == [(0,)]
    assert db_rows(settings, "SELECT count(*) FROM match") == [(2,)]  # the other jobs keep theirs
    assert not (settings.files_dir / stored.rsplit("/", 1)[1]).exists()
    assert client.get(f"/jobs/{backend}.json").status_code == 404
    assert "Senior Backend Engineer" not in titles(client, "?status=all")
    assert db_rows(settings, "SELECT kind FROM event WHERE job_id = ? ORDER BY id DESC LIMIT 1", backend) == [
        ("job.deleted",)
    ]
    assert post(client, f"/jobs/{backend}/delete").status_code == 404


def test_dismiss_a_failed_file(settings, client, ingestor):
    outcome = ingestor.process([drop(settings, "resume", "broken.pdf", make_corrupt_pdf())])[0]
    assert outcome.outcome == "quarantined"
    failure = client.get("/failed.json").json()["failures"][0]
    assert 'action="/failed/%d/dismiss"' % failure["id"] in client.get("/failed").text
    assert client.post(f"/failed/{failure['id']}/dismiss").status_code == 403  # CSRF
    response = post(client, f"/failed/{failure['id']}/dismiss")
    assert response.json() == {"dismissed": failure["id"], "filename": "broken.pdf", "files_removed": 2}
    assert client.get("/failed.json?all=1").json()["failures"] == []
    assert list(settings.failed_dir.iterdir()) == []
    assert db_rows(settings, "SELECT kind FROM event ORDER BY id DESC LIMIT 1") == [("failure.dismissed",)]
    assert post(client, f"/failed/{failure['id']}/dismiss").status_code == 404


def test_the_candidate_page_shows_the_matches_first_and_folds_the_resume(client, jobs):
    ada = client.get(f"/jobs/{jobs['Data Analyst']}.json").json()["candidates"][0]["candidate_id"]
    html = client.get(f"/candidates/{ada}").text
    matches, resume = html.index('id="candidate-matches"'), html.index('class="resume-details"')
    assert matches < resume
    assert '<details class="resume-details">' in html  # closed until asked for
    assert html.count("<tr>", matches, resume) == 1 + 3  # the head, then one row per job
    assert '<mark class="skill"' in html[resume:]
