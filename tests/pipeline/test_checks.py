"""A job seeker's check is private: never listed, never scored against the hiring data, erased when done."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from pipeline import checks
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from store.models import utcnow
from tests.instance import db_rows, start_watcher, wait_for
from tests.pipeline.test_ingest import JOB, RESUME_A, RESUME_B, drop
from tests.ui.support import client_for, csrf
from ui.pages import check as page

# The seeker shares Ada's email and pastes a job whose title is the hiring job's: the two places where a
# check used to be merged into the hiring data (identity by email, jobs by name).
SEEKER = RESUME_B.replace("charles@example.com", "ada@example.com").replace("Charles Babbage", "Sam Seeker")
PASTED = JOB.replace("Terraform is a plus", "Excel is a plus")
HIRING_TABLES = ("document", "candidate", "job", "match", "match_skill", "skill_mention", "failure", "attempt")


@pytest.fixture
def ingestor(settings, engine):
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    yield ingestor
    ingestor.close()


@pytest.fixture
def hiring(settings, ingestor):
    """A hiring team's job and two candidates, through the real pipeline."""
    outcomes = ingestor.process(
        [
            drop(settings, "job", "backend.txt", JOB.encode()),
            drop(settings, "resume", "ada.txt", RESUME_A.encode()),
            drop(settings, "resume", "charles.txt", RESUME_B.encode()),
        ]
    )
    assert [o.outcome for o in outcomes] == ["scored"] * 3


def snapshot(settings, client) -> dict:
    jobs = client.get("/jobs.json").json()
    rankings = {job["id"]: client.get(f"/jobs/{job['id']}.json").json()["candidates"] for job in jobs["jobs"]}
    tables = {table: db_rows(settings, f"SELECT * FROM {table} ORDER BY 1") for table in HIRING_TABLES}
    files = sorted(p.name for p in settings.files_dir.iterdir())
    return {"jobs": jobs, "rankings": rankings, "tables": tables, "files": files}


def submit(client, resume: str = SEEKER, job: str = PASTED) -> str:
    response = client.post(
        "/check",
        data={"csrf_token": csrf(client), "job_text": job},
        files=[("resume", ("my cv.txt", resume.encode()))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def run_pending(settings, ingestor) -> list:
    paths = sorted((settings.inbox / "checks").rglob("*.*"))
    return ingestor.process([p for p in paths if not p.name.startswith(".")])


def test_a_check_is_scored_privately_and_leaves_the_hiring_data_untouched(settings, ingestor, hiring):
    with client_for(settings) as client:
        before = snapshot(settings, client)
        check_id = submit(client)
        folder = settings.inbox / "checks" / check_id
        assert sorted(p.name for p in folder.iterdir()) == ["job.txt", "resume.txt"]
        assert client.get(f"/check/{check_id}.json").json()["state"] == "waiting"
        outcomes = run_pending(settings, ingestor)
        assert [o.outcome for o in outcomes] == ["check.done", "check.done"]
        body = client.get(f"/check/{check_id}.json").json()
        assert body["state"] == "done"
        report = body["report"]
        assert report["job_title"] == "Senior Backend Engineer"
        assert [m["skill"] for m in report["matched"]] == ["Excel"]  # scored against the pasted job only
        assert "Python" in report["missing_required"]
        # never listed, never scored against candidates, its resume never in a ranking, nothing kept
        assert snapshot(settings, client) == before
        assert "checks" not in before["jobs"]
        assert not folder.exists()
        events = json.dumps(db_rows(settings, "SELECT * FROM event"))
        assert check_id not in events and "my cv" not in events and "my_cv" not in events


def test_the_pipeline_never_mixes_a_check_into_a_later_hiring_file(settings, ingestor, hiring):
    with client_for(settings) as client:
        submit(client)
        run_pending(settings, ingestor)
        ingestor.process(
            [
                drop(
                    settings,
                    "resume",
                    "grace.txt",
                    RESUME_A.replace("Ada Lovelace", "Grace Hopper").replace("ada@", "grace@").encode(),
                )
            ]
        )
        assert db_rows(settings, "SELECT count(*) FROM job") == [(1,)]
        assert db_rows(settings, "SELECT count(*) FROM match") == [(3,)]  # one job × three hiring candidates
        names = {row["name"] for row in client.get("/jobs/1.json").json()["candidates"]}
        assert names == {"Ada Lovelace", "Charles Babbage", "Grace Hopper"}


def test_what_to_add_groups_by_importance_quotes_the_job_and_names_a_related_skill(settings, ingestor):
    resume = RESUME_A.replace("Kubernetes", "Docker Swarm").replace("Terraform", "")
    with client_for(settings) as client:
        check_id = submit(client, resume, JOB)
        run_pending(settings, ingestor)
        body = client.get(f"/check/{check_id}.json").json()
        advice = body["advice"]
        assert [gap["skill"] for gap in advice["required"]] == ["Kubernetes"]
        assert [gap["skill"] for gap in advice["preferred"]] == ["Terraform"]
        kubernetes = advice["required"][0]
        assert kubernetes["sentence"] == "Docker and Kubernetes in production"  # the job's own line
        assert "Docker" in kubernetes["related"]  # same category in the taxonomy, and the resume has it
        assert "Your resume already shows" in kubernetes["tip"] and "Docker" in kubernetes["tip"]
        assert advice["preferred"][0]["sentence"] == "Terraform is a plus"
        html = client.get(f"/check/{check_id}").text
        assert html.index(">Required by the job</h3>") < html.index('advice-group">Nice to have</h3>')
        assert "The job says: “Docker and Kubernetes in production”" in html
        assert html.count('<li data-skill="Kubernetes">') == 1


def test_a_check_file_that_cannot_be_read_is_reported_and_erased_not_quarantined(settings, ingestor):
    with client_for(settings) as client:
        check_id = submit(client, resume="Sam\n" * 3)
        assert [o.outcome for o in run_pending(settings, ingestor)] == ["check.failed"] * 2
        body = client.get(f"/check/{check_id}.json").json()
        assert body["state"] == "failed" and body["reason"].startswith("Your resume: Only")
        assert "We could not read one of the files" in client.get(f"/check/{check_id}").text
    assert not any(settings.failed_dir.iterdir()) and not (settings.inbox / "checks" / check_id).exists()
    assert db_rows(settings, "SELECT count(*) FROM failure") == [(0,)]


def test_erased_when_the_person_is_done(settings, ingestor):
    with client_for(settings) as client:
        check_id = submit(client)
        run_pending(settings, ingestor)
        assert client.post(f"/check/{check_id}/erase").status_code == 403  # CSRF
        response = client.post(f"/check/{check_id}/erase", data={"csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/check?erased=1"
        assert db_rows(settings, "SELECT count(*) FROM seeker_check") == [(0,)]
        gone = client.get(f"/check/{check_id}")
        assert gone.status_code == 404 and "results are erased 30 minutes after" in gone.text


def test_erased_after_the_retention(settings, ingestor):
    with client_for(settings) as client:
        old, new = submit(client), submit(client, job=PASTED + "\nSQL is required.")
        run_pending(settings, ingestor)
        path = settings.database_url.split("///", 1)[1]
        aged = (utcnow() - timedelta(minutes=31)).replace(tzinfo=None).isoformat(sep=" ")
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE seeker_check SET created_at = ? WHERE id = ?", (aged, old))
        assert client.get(f"/check/{old}.json").status_code == 404  # past its retention: never shown again
        assert checks.purge_checks(ingestor) == 1
        assert [r[0] for r in db_rows(settings, "SELECT id FROM seeker_check")] == [new]
        assert client.get(f"/check/{new}.json").json()["state"] == "done"


def test_a_check_finished_while_its_page_is_read_is_waiting_or_done_never_gone(settings, ingestor, monkeypatch):
    stored_result = page._stored_result

    def read_then_finish(session, check_id, minutes):
        found = stored_result(session, check_id, minutes)  # not committed yet...
        run_pending(settings, ingestor)  # ...then the watcher commits the result and erases the folder
        return found

    with client_for(settings) as client:
        check_id = submit(client)
        monkeypatch.setattr(page, "_stored_result", read_then_finish)
        response = client.get(f"/check/{check_id}.json")
        assert response.status_code == 200 and response.json()["state"] == "waiting"
        monkeypatch.undo()
        assert client.get(f"/check/{check_id}.json").json()["state"] == "done"


@pytest.mark.slow
def test_the_real_watcher_runs_a_check_and_erases_its_files(tmp_path, settings, env):
    proc = start_watcher(env, tmp_path / "watcher.log")
    try:
        with client_for(settings) as client:
            check_id = submit(client)
            wait_for(
                lambda: client.get(f"/check/{check_id}.json").json()["state"] == "done",
                60,
                message="the check's result",
            )
        assert not (settings.inbox / "checks" / check_id).exists()
        assert db_rows(settings, "SELECT count(*) FROM document") == [(0,)]
    finally:
        proc.terminate()
        proc.wait(20)


def test_a_check_seen_again_after_a_crash_between_commit_and_cleanup_is_replaced_not_fatal(settings, ingestor):
    with client_for(settings) as client:
        check_id = submit(client)
        folder = settings.inbox / "checks" / check_id
        kept = {p.name: p.read_bytes() for p in folder.iterdir()}
        run_pending(settings, ingestor)
        folder.mkdir()  # as if the watcher died after the commit and before deleting the folder
        for name, data in kept.items():
            (folder / name).write_bytes(data)
        assert [o.outcome for o in run_pending(settings, ingestor)] == ["check.done", "check.done"]
        assert db_rows(settings, "SELECT count(*) FROM seeker_check") == [(1,)]
        assert client.get(f"/check/{check_id}.json").json()["state"] == "done"
