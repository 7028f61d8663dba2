"""The real watcher as a process: drops before and after start, kill -9 under load, junk, metrics, reloads."""

from __future__ import annotations

import random
import shutil
import signal
import time
import urllib.request

import pytest

from tests.instance import ROOT, db_rows, free_port, start_watcher, wait_for
from tests.fixtures import make_docx, make_pdf, sample_job, sample_resume

pytestmark = pytest.mark.slow


def _count(settings, sql):
    try:
        return db_rows(settings, sql)[0][0]
    except Exception:  # the database may not exist yet
        return 0


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except Exception:
            proc.kill()
            proc.wait(5)
    assert proc.returncode is not None


def test_files_dropped_before_and_after_start_are_all_scored(tmp_path, settings, env):
    port = free_port()
    env = {**env, "SHORTLIST_METRICS_PORT": str(port)}
    inbox = settings.inbox
    (inbox / "resumes").mkdir(parents=True, exist_ok=True)
    (inbox / "jobs").mkdir(parents=True, exist_ok=True)
    for i in range(6):
        (inbox / "resumes" / f"early{i}.pdf").write_bytes(make_pdf(sample_resume(i)))
    (inbox / "jobs" / "job0.txt").write_text(sample_job(0))
    proc = start_watcher(env, tmp_path / "watcher.log")
    try:
        (inbox / "resumes" / "nested").mkdir()
        for i in range(6, 12):
            (inbox / "resumes" / "nested" / f"late{i}.docx").write_bytes(make_docx(sample_resume(i).splitlines()))
        (inbox / "jobs" / "job1.md").write_text(sample_job(1))
        (inbox / "resumes" / ".hidden.pdf").write_bytes(make_pdf(sample_resume(40)))
        (inbox / "resumes" / "~$lock.docx").write_bytes(b"junk")
        wait_for(lambda: _count(settings, "SELECT count(*) FROM document") == 14, 90, message="14 documents")
        wait_for(lambda: _count(settings, "SELECT count(*) FROM match") == 24, 30, message="24 matches")

        def metrics():  # counted just after the commit the test saw, so read until it shows
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            return body if 'shortlist_ingest_files_total{kind="resume",outcome="scored"} 12.0' in body else None

        body = wait_for(metrics, 10, message="12 scored resumes in /metrics")
        assert 'shortlist_ingest_files_total{kind="job",outcome="scored"} 2.0' in body
        assert "resume_matching_score_count 24.0" in body
        assert "shortlist_taxonomy_skills" in body
        assert wait_for(
            lambda: _count(settings, "SELECT count(*) FROM heartbeat WHERE process = 'watcher'"),
            10,
            message="a heartbeat",
        )
        assert wait_for(lambda: (settings.store / "watcher.heartbeat").exists(), 10, message="the heartbeat file")
    finally:
        _stop(proc)
    left = sorted(p.name for p in (inbox / "resumes").rglob("*") if p.is_file())
    assert left == [".hidden.pdf", "~$lock.docx"]
    assert _count(settings, "SELECT count(*) FROM failure") == 0


def test_a_file_is_taken_only_once_it_stops_changing(tmp_path, settings, env):
    proc = start_watcher({**env, "SHORTLIST_STABLE_SECONDS": "0.5"}, tmp_path / "watcher.log")
    try:
        data = sample_resume(3).encode()
        path = settings.inbox / "resumes" / "slow-copy.txt"
        wait_for(lambda: (settings.inbox / "resumes").is_dir(), 30, message="the inbox")
        with open(path, "wb") as handle:
            for start in range(0, len(data), 64):
                handle.write(data[start : start + 64])
                handle.flush()
                time.sleep(0.05)
        wait_for(lambda: _count(settings, "SELECT count(*) FROM document") == 1, 60, message="the document")
        stored = db_rows(settings, "SELECT text FROM document")[0][0]
        assert len(stored) > 0.9 * len(data.decode())
        assert _count(settings, "SELECT count(*) FROM failure") == 0
    finally:
        _stop(proc)


def test_editing_skills_while_running_reloads_and_rescored(tmp_path, env):
    skills = tmp_path / "skills"
    shutil.copytree(ROOT / "skills", skills)
    env = {**env, "SHORTLIST_SKILLS": str(skills)}
    from store.settings import load

    settings = load(env)
    proc = start_watcher(env, tmp_path / "watcher.log")
    try:
        wait_for(lambda: settings.inbox.is_dir(), 30, message="the inbox")
        (settings.inbox / "jobs" / "job.txt").write_text(sample_job(2))
        (settings.inbox / "resumes" / "r.txt").write_text(sample_resume(2))
        wait_for(lambda: _count(settings, "SELECT count(*) FROM match") == 1, 60, message="a match")
        (skills / "zz_custom.yaml").write_text("category: Custom\nskills:\n  - name: Zorblax\n")
        wait_for(
            lambda: _count(settings, "SELECT count(*) FROM event WHERE kind = 'taxonomy.reloaded'"),
            30,
            message="the reload event",
        )
        wait_for(
            lambda: _count(settings, "SELECT count(*) FROM event WHERE kind = 'rescore.finished'"),
            30,
            message="the re-score to finish",
        )
        versions = db_rows(settings, "SELECT DISTINCT taxonomy_version FROM match")
        assert versions == db_rows(settings, "SELECT version FROM taxonomy ORDER BY loaded_at DESC LIMIT 1")
    finally:
        _stop(proc)


def test_kill_9_under_load_loses_nothing_and_duplicates_nothing(tmp_path, settings, env):
    """Kill the watcher every 1-2 s while 120 files are ingested; restart; count."""
    rng = random.Random(7)
    inbox = settings.inbox
    (inbox / "resumes").mkdir(parents=True, exist_ok=True)
    (inbox / "jobs").mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(3):
        files[f"jobs/job{i}.txt"] = sample_job(i).encode()
    for i in range(117):
        if i % 3 == 0:
            files[f"resumes/r{i}.docx"] = make_docx(sample_resume(i).splitlines())
        else:
            files[f"resumes/r{i}.pdf"] = make_pdf(sample_resume(i, long=True))
    names = list(files)
    rng.shuffle(names)
    log = tmp_path / "watcher.log"
    proc = start_watcher(env, log)
    kills = 0
    try:
        for start in range(0, len(names), 20):
            for name in names[start : start + 20]:
                (inbox / name).write_bytes(files[name])
            time.sleep(rng.uniform(1.0, 2.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills += 1
            proc = start_watcher(env, log)
        wait_for(
            lambda: _count(settings, "SELECT count(*) FROM document") == 120, 180, message=f"120 documents (log: {log})"
        )
        wait_for(
            lambda: (
                not any(p.is_file() for p in inbox.joinpath("resumes").rglob("*"))
                and not any(p.is_file() for p in inbox.joinpath("jobs").rglob("*"))
            ),
            30,
            message="an empty inbox",
        )
    finally:
        _stop(proc)
    assert kills >= 6
    assert _count(settings, "SELECT count(DISTINCT sha256) FROM document") == 120
    assert _count(settings, "SELECT count(*) FROM candidate") == 117
    assert _count(settings, "SELECT count(*) FROM match") == 3 * 117
    assert _count(settings, "SELECT count(*) FROM failure") == 0
    assert db_rows(
        settings, "SELECT count(*) FROM (SELECT job_id, candidate_id FROM match GROUP BY 1, 2 HAVING count(*) > 1)"
    ) == [(0,)]
    archived = {p.stem for p in settings.files_dir.iterdir() if not p.name.startswith(".")}
    assert archived == {r[0] for r in db_rows(settings, "SELECT sha256 FROM document")}
