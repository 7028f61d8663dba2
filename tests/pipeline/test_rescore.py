"""The batched re-score after a taxonomy edit: in-process batches, a second edit, files arriving meanwhile, and the
real watcher SIGKILLed again and again during a re-score of thousands of resumes.

Stores are built through the real pipeline (chaos/seed.py: analyse_text and pipeline.record). What a
re-scored store must hold is checked against a store built from scratch with the final taxonomy: the
same scores for the same (job, candidate), every match once, nothing on an old version.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time

import pytest

from chaos.seed import seed
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from pipeline.taxonomy import load_taxonomy
from store.db import make_engine
from tests.instance import ROOT, db_rows, instance, instance_env, start_watcher, wait_for

# Both appear in every generated job description and in many resumes, so every score can change.
EDIT_1 = "category: Custom\nskills:\n  - name: Cross-team partnership\n    aliases: [stakeholders, Partnered with]\n"
EDIT_2 = "category: Custom 2\nskills:\n  - name: Knowledge sharing\n    aliases: [share knowledge, weekly sessions]\n"


def make_instance(tmp_path, name: str = "a", **extra: str):
    home = tmp_path / name
    skills = home / "skills"
    shutil.copytree(ROOT / "skills", skills)
    env = instance_env(home, SHORTLIST_SKILLS=str(skills), **{f"SHORTLIST_{k}": v for k, v in extra.items()})
    return env, instance(env), skills


def match_table(settings) -> dict[tuple[str, str], tuple]:
    """(job identity, candidate identity) -> (score, required matched, preferred matched, taxonomy version)."""
    rows = db_rows(
        settings,
        "SELECT j.identity, c.identity, m.score, m.required_matched, m.preferred_matched, "
        "m.taxonomy_version FROM match m JOIN job j ON j.id = m.job_id "
        "JOIN candidate c ON c.id = m.candidate_id",
    )
    table = {(job, cand): tuple(rest) for job, cand, *rest in rows}
    assert len(table) == len(rows), "a (job, candidate) pair has more than one match"
    return table


def fresh(tmp_path, skills, resumes: int, jobs: int) -> dict[tuple[str, str], tuple]:
    """The matches of a store built from scratch with `skills` as it is now."""
    env, settings, _ = make_instance(tmp_path, "fresh")
    engine = make_engine(settings.database_url)
    try:
        seed(engine, load_taxonomy(skills), resumes, jobs, skills=skills)
    finally:
        engine.dispose()
    return match_table(settings)


def assert_all_current(settings, version: str, resumes: int, jobs: int, expected: dict) -> None:
    table = match_table(settings)
    assert len(table) == resumes * jobs
    stale = [pair for pair, row in table.items() if row[-1] != version]
    assert not stale, f"{len(stale)} matches still on an old version, e.g. {stale[:3]}"
    assert db_rows(settings, "SELECT count(*) FROM document WHERE taxonomy_version != ?", version) == [(0,)]
    broken = db_rows(
        settings,
        "SELECT count(*) FROM match m WHERE required_total + preferred_total != "
        "(SELECT count(*) FROM match_skill s WHERE s.match_id = m.id)",
    )
    assert broken == [(0,)], "match_skill rows do not add up to their match"
    assert expected and all(table[pair] == row for pair, row in expected.items()), [
        (pair, table[pair], row) for pair, row in expected.items() if table[pair] != row
    ][:5]
    state = db_rows(settings, "SELECT taxonomy_version, finished_at, total, done FROM rescore")
    assert state[0][0] == version and state[0][1] is not None and state[0][2] == state[0][3]


def run_out(ingestor: Ingestor, limit: int = 10_000) -> list:
    batches = []
    while (batch := ingestor.rescore.step(ingestor.taxonomy)) is not None:
        batches.append(batch)
        assert len(batches) < limit
    return batches


# -- in-process ------------------------------------------------------------------------------------


def test_a_taxonomy_edit_is_done_in_short_batches_that_end_like_a_fresh_store(tmp_path):
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="60", RESCORE_DOCUMENTS="40")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 90, 4, skills=skills)
    metrics = PipelineMetrics()
    ingestor = Ingestor(settings, engine, metrics)
    try:
        assert not ingestor.rescore.pending
        (skills / "zz_edit.yaml").write_text(EDIT_1)
        assert ingestor.reload_taxonomy()
        assert ingestor.rescore.pending
        assert metrics.registry.get_sample_value("shortlist_rescore_backlog", {"kind": "matches"}) == 360
        batches = run_out(ingestor)
    finally:
        ingestor.close()
        engine.dispose()
    assert [b.kind for b in batches][:2] == ["jobs", "resumes"] and len(batches) == 1 + 90 // 15
    assert max(b.matches for b in batches) <= 60 and max(b.documents for b in batches) <= 40
    assert_all_current(settings, ingestor.taxonomy.version, 90, 4, fresh(tmp_path, skills, 90, 4))
    progress = db_rows(settings, "SELECT count(*) FROM event WHERE kind = 'rescore.progress'")[0][0]
    assert progress == len(batches)
    assert metrics.registry.get_sample_value("shortlist_rescore_done_total", {"kind": "matches"}) == 360
    assert metrics.registry.get_sample_value("shortlist_rescore_progress_ratio") == 1


def test_a_second_edit_mid_way_redoes_everything_with_the_newest_version(tmp_path):
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="30")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 60, 3, skills=skills)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        (skills / "zz_edit.yaml").write_text(EDIT_1)
        ingestor.reload_taxonomy()
        first = ingestor.taxonomy.version
        for _ in range(3):
            assert ingestor.rescore.step(ingestor.taxonomy) is not None
        assert db_rows(settings, "SELECT count(*) FROM match WHERE taxonomy_version = ?", first)[0][0] > 0
        (skills / "zz_edit_2.yaml").write_text(EDIT_2)
        ingestor.reload_taxonomy()
        run_out(ingestor)
        newest = ingestor.taxonomy.version
    finally:
        ingestor.close()
        engine.dispose()
    assert newest != first
    assert_all_current(settings, newest, 60, 3, fresh(tmp_path, skills, 60, 3))


def test_files_ingested_during_a_rescore_end_up_scored_with_the_new_taxonomy(tmp_path):
    from tests.fixtures import sample_job, sample_resume

    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="40")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 50, 3, skills=skills)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        (skills / "zz_edit.yaml").write_text(EDIT_1)
        ingestor.reload_taxonomy()
        # before the jobs are re-extracted: a new resume is scored against their old skills ...
        (settings.inbox_dir("resume") / "late-resume.txt").write_text(sample_resume(50))
        assert ingestor.process([settings.inbox_dir("resume") / "late-resume.txt"])[0].outcome == "scored"
        ingestor.rescore.step(ingestor.taxonomy)
        # ... and half-way through the resumes, a new job is scored against resumes not yet re-extracted
        (settings.inbox_dir("job") / "seed-job-3.txt").write_text(sample_job(3))
        assert ingestor.process([settings.inbox_dir("job") / "seed-job-3.txt"])[0].outcome == "scored"
        run_out(ingestor)
    finally:
        ingestor.close()
        engine.dispose()
    expected = fresh(tmp_path, skills, 51, 4)
    assert_all_current(settings, ingestor.taxonomy.version, 51, 4, expected)


def test_a_restart_finds_the_work_left_in_the_store(tmp_path):
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="20")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 40, 2, skills=skills)
    (skills / "zz_edit.yaml").write_text(EDIT_1)  # edited while no watcher ran
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        assert ingestor.rescore.pending
        for _ in range(2):
            ingestor.rescore.step(ingestor.taxonomy)
    finally:
        ingestor.close()
    ingestor = Ingestor(settings, engine, PipelineMetrics())  # as after a kill: nothing but the store
    try:
        assert ingestor.rescore.pending
        run_out(ingestor)
    finally:
        ingestor.close()
        engine.dispose()
    status = db_rows(settings, "SELECT total, done, batches FROM rescore")[0]
    assert status[0] == status[1] == 40 + 40 * 2 + 2 and status[2] >= 3
    assert_all_current(settings, ingestor.taxonomy.version, 40, 2, fresh(tmp_path, skills, 40, 2))


# -- the real watcher, killed during a re-score -------------------------------------------------------


def _query(settings, sql: str, *params):
    try:
        return db_rows(settings, sql, *params)
    except sqlite3.OperationalError:
        return []


@pytest.mark.slow
@pytest.mark.timeout(900)  # a hang guard beyond its own waits (seeding 2,000 resumes takes minutes on a loaded machine)
def test_sigkill_during_a_rescore_of_thousands_of_resumes_leaves_every_match_once_on_the_newest_version(tmp_path):
    resumes, jobs = 2000, 10
    env, settings, skills = make_instance(
        tmp_path, RESCORE_MATCHES="400", RESCORE_DOCUMENTS="100", HEARTBEAT_SECONDS="1", LOG_LEVEL="INFO"
    )
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), resumes, jobs, skills=skills)
    engine.dispose()
    log = tmp_path / "watcher.log"
    proc = start_watcher(env, log)
    kills = []
    try:
        wait_for(lambda: _query(settings, "SELECT 1 FROM heartbeat"), 60, message="the watcher's first heartbeat")
        (skills / "zz_edit.yaml").write_text(EDIT_1)
        for kill in range(4):
            if kill == 2:  # a second edit while the first is half done
                (skills / "zz_edit_2.yaml").write_text(EDIT_2)
            seen = len(_query(settings, "SELECT id FROM event WHERE kind = 'rescore.progress'"))
            wait_for(
                lambda seen=seen: (
                    len(_query(settings, "SELECT id FROM event WHERE kind = 'rescore.progress'")) >= seen + 2
                ),
                120,
                interval=0.05,
                message=f"two more batches before kill {kill + 1}",
            )
            assert _query(settings, "SELECT finished_at FROM rescore") == [(None,)], "finished before the kill"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills.append(time.monotonic())
            proc = start_watcher(env, log)
        newest = load_taxonomy(skills).version
        wait_for(
            lambda: _query(
                settings, "SELECT 1 FROM rescore WHERE taxonomy_version = ? AND finished_at IS NOT NULL", newest
            ),
            300,
            interval=0.5,
            message="the re-score to finish",
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    assert len(kills) == 4
    assert "re-score to taxonomy" in log.read_text()
    expected = fresh(tmp_path, skills, 150, jobs)
    assert_all_current(settings, newest, resumes, jobs, expected)
    assert os.path.exists(settings.store / "watcher.heartbeat")


def test_a_rescore_that_commits_no_batch_stops_the_heartbeat_though_the_loop_ticks(tmp_path):
    """A re-score batch that fails over and over keeps the loop turning; the heartbeat must still stop, so autoheal
    restarts the watcher; one committed batch brings the beat back."""
    import threading

    from pipeline.watch import Watcher, heartbeat_path

    env, settings, skills = make_instance(tmp_path, HEARTBEAT_SECONDS="0.05")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 5, 1, skills=skills)
    (skills / "zz_edit.yaml").write_text(EDIT_1)
    watcher = Watcher(settings, engine, PipelineMetrics())
    beat = heartbeat_path(settings)
    try:
        assert watcher.ingestor.rescore.pending
        watcher.loop_tick = time.monotonic()
        watcher.ingestor.rescore.last_progress = time.monotonic() - 3600  # no batch for an hour
        thread = threading.Thread(target=watcher.heartbeat, daemon=True)
        thread.start()
        for _ in range(10):  # the loop keeps ticking
            watcher.loop_tick = watcher.ingestor.last_progress = time.monotonic()
            time.sleep(0.05)
        assert not beat.exists()
        assert watcher.rescore_step()  # a batch commits: the beat comes back at once
        assert beat.exists() and db_rows(settings, "SELECT pid FROM heartbeat") == [(os.getpid(),)]
    finally:
        watcher.stop_event.set()
        watcher.ingestor.close()
        engine.dispose()


def test_the_rescore_command_finishes_what_an_edit_left_when_no_watcher_runs(tmp_path):
    import subprocess
    import sys

    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="20")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 30, 2, skills=skills)
    engine.dispose()
    (skills / "zz_edit.yaml").write_text(EDIT_1)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "rescore"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    version = load_taxonomy(skills).version
    assert f"every document and match is on taxonomy {version[:12]} (4 batches" in done.stdout
    assert_all_current(settings, version, 30, 2, fresh(tmp_path, skills, 30, 2))


def test_matches_scored_with_other_weights_are_rescored_at_start(tmp_path):
    """A change of the fitted weights (pipeline/model_weights.json) is work like a taxonomy edit: a match on
    another model version is on the to-do list and ends on the current one, scored as a fresh store would."""
    from pipeline.score import load_weights

    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="60")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 30, 3, skills=skills)
    expected = match_table(settings)
    with sqlite3.connect(settings.database_url.split("///", 1)[1]) as conn:
        conn.execute("UPDATE match SET model_version = 'weights-of-last-year', score = 0")
    conn.close()
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        assert ingestor.rescore.pending
        run_out(ingestor)
    finally:
        ingestor.close()
        engine.dispose()
    versions = db_rows(settings, "SELECT DISTINCT model_version FROM match")
    assert versions == [(load_weights().version,)]
    assert match_table(settings) == expected


def test_an_edit_of_the_roles_vocabulary_is_rescored_like_a_taxonomy_edit(tmp_path):
    """skills/roles/ is part of the taxonomy version: the watcher's reload sees an edit there, every match is
    re-scored with the new vocabulary (as a fresh store would score it) and records the new version."""
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="60")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 40, 4, skills=skills)
    before = match_table(settings)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        assert not ingestor.rescore.pending and not ingestor.reload_taxonomy()
        roles = skills / "roles" / "roles.yaml"
        text = roles.read_text(encoding="utf-8")
        assert "titles: [software engineer, " in text  # the title of a generated job (tests/fixtures.py)
        roles.write_text(text.replace("titles: [software engineer, ", "titles: ["), encoding="utf-8")
        assert ingestor.reload_taxonomy()
        assert ingestor.rescore.pending
        run_out(ingestor)
        version = ingestor.taxonomy.version
    finally:
        ingestor.close()
        engine.dispose()
    assert version == load_taxonomy(skills).version and version not in {row[-1] for row in before.values()}
    expected = fresh(tmp_path, skills, 40, 4)
    assert_all_current(settings, version, 40, 4, expected)
    assert any(before[pair][0] != row[0] for pair, row in expected.items()), "the edit changed no score"


def test_a_pair_without_a_match_row_is_inserted_with_its_skill_rows_by_the_rescore(tmp_path):
    """The re-score updates match rows in place; a (job, resume) pair that has none (deleted here) is inserted,
    with its match_skill rows, and ends like the rest."""
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="30")
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 30, 3, skills=skills)
    expected = match_table(settings)
    with sqlite3.connect(settings.database_url.split("///", 1)[1]) as conn:
        gone = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM match WHERE candidate_id % 3 = 0 AND job_id = (SELECT min(id) FROM job)"
            )
        ]
        conn.execute(f"DELETE FROM match_skill WHERE match_id IN ({', '.join('?' for _ in gone)})", gone)
        conn.execute(f"DELETE FROM match WHERE id IN ({', '.join('?' for _ in gone)})", gone)
        conn.execute("UPDATE match SET model_version = 'weights-of-last-year', score = 0")
    conn.close()
    assert gone and len(match_table(settings)) == 90 - len(gone)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        run_out(ingestor)
        version = ingestor.taxonomy.version
    finally:
        ingestor.close()
        engine.dispose()
    assert_all_current(settings, version, 30, 3, expected)


def skill_rows(settings) -> set[tuple]:
    """Every match_skill row as (job identity, candidate identity, skill, requirement, matched, relation, via)."""
    rows = db_rows(
        settings,
        "SELECT j.identity, c.identity, s.skill, s.requirement, s.matched, s.relation, s.via FROM match_skill s "
        "JOIN match m ON m.id = s.match_id JOIN job j ON j.id = m.job_id JOIN candidate c ON c.id = m.candidate_id",
    )
    table = {
        (job, cand, skill, requirement, bool(matched), *rest) for job, cand, skill, requirement, matched, *rest in rows
    }
    assert len(table) == len(rows), "a match holds the same skill row twice"
    return table


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_an_edit_taken_back_leaves_every_skill_row_as_it_was(tmp_path, database_url):
    """Rows a re-score adds (the new skill, asked by every job) and the rows it then deletes when the edit is
    taken back, NULL relations included, on both databases: the store ends with exactly its first skill rows."""
    extra = {"DATABASE_URL": database_url} if database_url else {}
    env, settings, skills = make_instance(tmp_path, RESCORE_MATCHES="40", **extra)
    engine = make_engine(settings.database_url)
    seed(engine, load_taxonomy(skills), 30, 3, skills=skills)
    first = skill_rows(settings)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        (skills / "zz_edit.yaml").write_text(EDIT_1)
        assert ingestor.reload_taxonomy()
        run_out(ingestor)
        edited = skill_rows(settings)
        (skills / "zz_edit.yaml").unlink()
        assert ingestor.reload_taxonomy()
        run_out(ingestor)
        last = skill_rows(settings)
    finally:
        ingestor.close()
        engine.dispose()
    added = edited - first
    assert {row[2] for row in added} >= {"Cross-team partnership"}
    assert any(row[5] is None for row in added), "no row without a relation was added, so none is deleted by NULL"
    assert last == first, (sorted(first - last)[:3], sorted(last - first)[:3])
