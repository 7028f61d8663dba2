"""`python -m pipeline`: ingest, rank, extract and migrate as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.instance import ROOT, db_rows
from tests.fixtures import make_corrupt_pdf, make_docx, make_pdf, sample_job, sample_resume

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


def run(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_ingest_rank_and_extract(tmp_path, env, settings):
    pile = tmp_path / "pile"
    (pile / "resumes").mkdir(parents=True)
    (pile / "jobs").mkdir()
    for i in range(4):
        (pile / "resumes" / f"r{i}.pdf").write_bytes(make_pdf(sample_resume(i)))
    (pile / "resumes" / "broken.pdf").write_bytes(make_corrupt_pdf())
    (pile / "jobs" / "role.docx").write_bytes(make_docx(sample_job(0).splitlines()))

    result = run(env, "ingest", str(pile))
    assert result.returncode == 1, result.stderr  # one file failed
    assert "processed 5, duplicate 0, failed 1" in result.stdout
    assert "broken.pdf" in result.stdout
    assert (pile / "resumes" / "r0.pdf").exists(), "files outside the inbox are the user's: never removed"
    assert (settings.failed_dir / "broken.pdf.reason.txt").exists()

    again = run(env, "ingest", str(pile / "resumes" / "r0.pdf"))
    assert again.returncode == 0 and "processed 0, duplicate 1" in again.stdout

    title = db_rows(settings, "SELECT title FROM job")[0][0]
    text = run(env, "rank", title)
    assert text.returncode == 0, text.stderr
    assert f"{title} (job 1): 4 candidates" in text.stdout
    data = json.loads(run(env, "rank", "1", "--json").stdout)
    assert data["job"]["title"] == title and data["total"] == 4
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert {"rank", "name", "score", "matched", "missing_required", "missing_preferred"} <= set(data["candidates"][0])
    assert run(env, "rank", "no such job").returncode == 2

    job = json.loads(run(env, "extract", str(pile / "jobs" / "role.docx"), "--json").stdout)
    assert job["kind"] == "job" and job["format"] == "docx" and job["text_length"] > 100
    assert job["years_required"] is not None
    assert {s["requirement"] for s in job["skills"]} <= {"required", "preferred"}
    resume = json.loads(run(env, "extract", str(pile / "resumes" / "r1.pdf"), "--json").stdout)
    assert resume["kind"] == "resume" and resume["email"]
    skill = resume["skills"][0]
    assert {"name", "category", "surface", "evidence", "start", "end"} <= set(skill)
    assert skill["surface"].lower() in skill["evidence"].lower()
    bad = run(env, "extract", str(pile / "resumes" / "broken.pdf"), "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "corrupt"


def test_migrate_is_idempotent(env):
    for _ in range(2):
        result = run(env, "migrate")
        assert result.returncode == 0 and "database at head" in result.stdout
