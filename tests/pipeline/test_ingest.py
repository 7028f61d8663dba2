"""The driver in-process: scoring, identity by content, versions, quarantine, attempts, taxonomy reload."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.inbox import is_junk
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from pipeline.workers import WorkerPool
from tests.instance import ROOT, db_rows
from tests.fixtures import make_corrupt_pdf, make_docx, make_pdf, sample_job, sample_resume

JOB = """Senior Backend Engineer

We are looking for a backend engineer to join our platform team.

Requirements
- 5+ years of experience building services in Python
- Strong SQL and PostgreSQL skills
- Docker and Kubernetes in production

Nice to have
- Experience with AWS
- Terraform is a plus
"""

RESUME_A = """Ada Lovelace
ada@example.com

Experience
Backend Engineer, Analytical Engines Ltd, Jan 2016 - Dec 2023
Built Python services on PostgreSQL, shipped them with Docker and Kubernetes on AWS.

Skills: Python, SQL, PostgreSQL, Docker, Kubernetes, AWS
"""

RESUME_B = """Charles Babbage
charles@example.com

Experience
Office Manager, Difference Co, 2019 - 2022
Kept the books in QuickBooks and Excel, ran payroll and customer service.

Skills: Excel, QuickBooks, bookkeeping, payroll
"""

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


@pytest.fixture
def ingestor(settings, engine):
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    yield ingestor
    ingestor.close()


def drop(settings, kind: str, name: str, data: bytes) -> Path:
    path = settings.inbox_dir(kind) / name
    path.write_bytes(data)
    return path


def test_a_job_and_resumes_become_scored_rows(settings, ingestor):
    job = drop(settings, "job", "backend.txt", JOB.encode())
    a = drop(settings, "resume", "ada.pdf", make_pdf(RESUME_A))
    b = drop(settings, "resume", "charles.docx", make_docx(RESUME_B.splitlines()))
    outcomes = ingestor.process([a, job, b])
    assert [o.outcome for o in outcomes] == ["scored"] * 3, outcomes
    assert not job.exists() and not a.exists() and not b.exists()
    rows = db_rows(settings, "SELECT candidate, score, status FROM ranking ORDER BY score DESC")
    assert [r[0] for r in rows] == ["Ada Lovelace", "Charles Babbage"]
    assert rows[0][1] > 80 and rows[1][1] < 20
    archived = {p.name for p in settings.files_dir.iterdir()}
    assert {o.sha256 + ext for o, ext in zip(outcomes, (".pdf", ".txt", ".docx"))} == archived
    missing = db_rows(
        settings,
        "SELECT skill FROM match_skill ms JOIN match m ON m.id = ms.match_id "
        "JOIN candidate c ON c.id = m.candidate_id WHERE c.name = 'Ada Lovelace' "
        "AND NOT ms.matched",
    )
    assert {r[0] for r in missing} == {"Terraform"}
    events = db_rows(settings, "SELECT kind FROM event WHERE kind = 'document.scored'")
    assert len(events) == 3


def test_the_same_bytes_twice_give_one_document(settings, ingestor):
    data = make_pdf(RESUME_A)
    first = ingestor.process([drop(settings, "resume", "ada.pdf", data)])
    again = drop(settings, "resume", "ada-copy.pdf", data)
    second = ingestor.process([again])
    assert first[0].outcome == "scored" and second[0].outcome == "duplicate"
    assert second[0].document_id == first[0].document_id
    assert not again.exists()
    assert db_rows(settings, "SELECT count(*) FROM document") == [(1,)]


def test_a_second_resume_from_the_same_email_and_name_is_the_same_person(settings, ingestor):
    # example.com is a placeholder domain (never an identity): a real address here
    ingestor.process([drop(settings, "job", "backend.md", JOB.encode())])
    ingestor.process(
        [
            drop(
                settings,
                "resume",
                "ada-2022.txt",
                RESUME_B.replace("Charles Babbage", "Ada Lovelace")
                .replace("charles@example.com", "ada@engines.org")
                .encode(),
            )
        ]
    )
    ingestor.process(
        [drop(settings, "resume", "ada-2024.txt", RESUME_A.replace("ada@example.com", "ada@engines.org").encode())]
    )
    assert db_rows(settings, "SELECT name, versions FROM candidate") == [("Ada Lovelace", 2)]
    assert db_rows(settings, "SELECT count(*) FROM document WHERE kind = 'resume'") == [(2,)]
    ranking = db_rows(settings, "SELECT candidate, score FROM ranking")
    assert len(ranking) == 1 and ranking[0][1] > 80


def test_a_corrupt_file_is_quarantined_with_a_reason_and_the_next_file_still_goes_in(settings, ingestor):
    bad = drop(settings, "resume", "broken.pdf", make_corrupt_pdf())
    good = drop(settings, "resume", "ada.txt", RESUME_A.encode())
    outcomes = ingestor.process([bad, good])
    assert [o.outcome for o in outcomes] == ["quarantined", "scored"]
    moved = settings.failed_dir / "broken.pdf"
    assert moved.exists() and not bad.exists()
    reason = (settings.failed_dir / "broken.pdf.reason.txt").read_text()
    assert outcomes[0].reason in reason and len(outcomes[0].reason) > 20
    assert db_rows(settings, "SELECT filename, code FROM failed_files")[0][0] == "broken.pdf"


def test_too_little_text_and_too_large_files_are_quarantined(env, tmp_path):
    from store.db import make_engine, migrate
    from store.settings import ensure_dirs, load

    settings = load({**env, "SHORTLIST_MAX_FILE_MB": "0.01"})
    ensure_dirs(settings)
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        tiny = drop(settings, "resume", "tiny.txt", b"Python")
        huge = drop(settings, "resume", "huge.txt", (RESUME_A * 200).encode())
        outcomes = ingestor.process([tiny, huge])
    finally:
        ingestor.close()
    assert [o.outcome for o in outcomes] == ["quarantined", "quarantined"]
    size = len((RESUME_A * 200).encode())
    said = f"{size / 1024:.1f}".rstrip("0").rstrip(".")
    assert f"The file is {said} KB; the limit is 10.2 KB (SHORTLIST_MAX_FILE_MB)" in outcomes[1].reason
    codes = {r[0] for r in db_rows(settings, "SELECT code FROM failure")}
    assert codes == {"too_little_text", "too_large"}


def test_a_file_that_keeps_timing_out_is_quarantined_after_three_attempts(settings, engine):
    pool = WorkerPool(1, timeout=0.0001)
    ingestor = Ingestor(settings, engine, PipelineMetrics(), pool=pool)
    try:
        path = drop(settings, "resume", "slow.pdf", make_pdf(RESUME_A))
        seen = [ingestor.process([path])[0].outcome for _ in range(3)]
    finally:
        ingestor.close()
    assert seen == ["failed", "failed", "quarantined"]
    assert (settings.failed_dir / "slow.pdf").exists()
    assert "3 times" in (settings.failed_dir / "slow.pdf.reason.txt").read_text()
    assert db_rows(settings, "SELECT count(*) FROM attempt") == [(0,)]


def test_a_file_whose_attempts_were_spent_by_crashes_is_quarantined_on_sight(settings, ingestor):
    from pipeline.inbox import sha256_file

    path = drop(settings, "resume", "killer.pdf", make_pdf(RESUME_A))
    sha = sha256_file(path)[0]
    db_rows(
        settings,
        "INSERT INTO attempt (sha256, filename, attempts, last_error, updated_at) "
        "VALUES (?, 'killer.pdf', 3, '', '2026-01-01 00:00:00')",
        sha,
    )
    outcome = ingestor.process([path])[0]
    assert outcome.outcome == "quarantined"
    assert "worker crashed" in outcome.reason


def test_editing_the_taxonomy_re_extracts_and_re_scores(env, tmp_path):
    from store.db import make_engine, migrate
    from store.settings import ensure_dirs, load

    skills = tmp_path / "skills"
    shutil.copytree(ROOT / "skills", skills)
    settings = load({**env, "SHORTLIST_SKILLS": str(skills)})
    ensure_dirs(settings)
    engine = make_engine(settings.database_url)
    migrate(settings, engine)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        job = "Widget Wrangler\n\nRequirements\n- Python\n- Gizmography, our in-house widget language\n" * 3
        ingestor.process(
            [
                drop(settings, "job", "wrangler.txt", job.encode()),
                drop(settings, "resume", "ada.txt", (RESUME_A + "\nAlso fluent in Gizmography.\n").encode()),
            ]
        )
        before = db_rows(settings, "SELECT score, taxonomy_version FROM match")
        (skills / "zz_custom.yaml").write_text(
            "category: Custom\nskills:\n  - name: Gizmography\n    aliases: [gizmo lang]\n"
        )
        assert ingestor.reload_taxonomy()
        assert db_rows(settings, "SELECT taxonomy_version FROM match") == [(before[0][1],)]  # work to do, not done
        while ingestor.rescore.step(ingestor.taxonomy):
            pass
        after = db_rows(settings, "SELECT score, taxonomy_version FROM match")
    finally:
        ingestor.close()
    assert before[0][1] != after[0][1] == ingestor.taxonomy.version
    assert after[0][0] >= before[0][0]
    found = db_rows(settings, "SELECT count(*) FROM skill_mention WHERE skill = 'Gizmography'")[0][0]
    assert found >= 2
    assert db_rows(settings, "SELECT count(*) FROM event WHERE kind = 'taxonomy.reloaded'") == [(1,)]


def test_generated_corpus_scores_every_resume_against_every_job(settings, ingestor):
    jobs = [drop(settings, "job", f"job{i}.txt", sample_job(i).encode()) for i in range(3)]
    resumes = [drop(settings, "resume", f"r{i}.pdf", make_pdf(sample_resume(i))) for i in range(12)]
    outcomes = ingestor.process(resumes[:6] + jobs + resumes[6:])
    assert {o.outcome for o in outcomes} == {"scored"}, [o for o in outcomes if o.outcome != "scored"]
    assert db_rows(settings, "SELECT count(*) FROM match") == [(36,)]


@pytest.mark.parametrize(
    "name", ["~$draft.docx", ".DS_Store", "._ada.pdf", "Thumbs.db", "upload.pdf.part", "x.reason.txt"]
)
def test_junk_names_are_ignored(name):
    assert is_junk(Path(name))


def test_document_names_are_not_junk():
    assert not is_junk(Path("Ada Lovelace CV.pdf"))


def test_only_files_a_dead_watcher_had_in_a_worker_are_charged_an_attempt(settings, engine):
    """A watcher killed with a batch claimed charges nothing to the files no worker had started on."""
    from pipeline.inflight import InFlight
    from pipeline.inbox import sha256_file

    paths = [drop(settings, "resume", f"r{i}.txt", sample_resume(i).encode()) for i in range(3)]
    shas = [sha256_file(path)[0] for path in paths]
    journal = settings.store / "inflight"
    journal.mkdir(parents=True, exist_ok=True)
    (journal / f"{_exited_pid()}.txt").write_text(f"{shas[0]}\tr0.txt\n")
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        attempts = db_rows(settings, "SELECT sha256, attempts, last_error FROM attempt")
        assert [(sha, n) for sha, n, _ in attempts] == [(shas[0], 1)]
        assert "watcher stopped" in attempts[0][2]
        assert list(journal.glob("*.txt")) == [], "the dead watcher's journal is consumed"
        assert {o.outcome for o in ingestor.process(paths)} == {"scored"}
        assert db_rows(settings, "SELECT count(*) FROM attempt") == [(0,)]
    finally:
        ingestor.close()


def _exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_broken_skills_file_keeps_the_old_taxonomy_and_files_still_score(env, tmp_path):
    from pipeline import stages
    from store.db import make_engine
    from tests.instance import instance

    skills = tmp_path / "skills"
    shutil.copytree(ROOT / "skills", skills)
    settings = instance({**env, "SHORTLIST_SKILLS": str(skills)})
    engine = make_engine(settings.database_url)
    metrics = PipelineMetrics()
    ingestor = Ingestor(settings, engine, metrics)
    try:
        (skills / "zz_broken.yaml").write_text("category: Broken\nskills:\n  - aliases: [no name]\n")
        assert not ingestor.reload_taxonomy()
        assert metrics.registry.get_sample_value("shortlist_taxonomy_errors_total") == 1
        assert not ingestor.reload_taxonomy()  # the same broken content is not parsed or reported again
        assert metrics.registry.get_sample_value("shortlist_taxonomy_errors_total") == 1
        outcome = ingestor.process([drop(settings, "resume", "ada.txt", RESUME_A.encode())])[0]
        assert outcome.outcome == "scored"
        # a worker started while skills/ is broken parses, and leaves extraction to the driver
        stages._taxonomies.clear()
        item = stages.Analysis(filename="ada.txt", kind="resume", data=RESUME_A.encode())
        limits = stages.Limits("pypdfium2", 1 << 20, 50, 80)
        done = stages.analyse_in_worker((item, limits, str(skills), "another version"))
        assert done.text and done.taxonomy_version == "" and done.mentions == []
    finally:
        ingestor.close()


def test_matches_scored_from_the_snapshot_equal_a_re_score_from_the_database(settings, ingestor):
    """Jobs and resumes interleaved in one batch, a second resume of one person among them (another resume, not
    a version: both are current and scored): what the driver wrote equals every job scored against every current
    resume from what the database holds (features built from the stored rows, not the ones the driver kept)."""
    from pipeline.matching import score_pairs
    from pipeline.snapshot import forget, job_requirements, resume_skills
    from store.db import session_scope

    ada_old = RESUME_B.replace("Charles Babbage", "Ada Lovelace").replace("charles@example.com", "ada@engines.org")
    ada_new = RESUME_A.replace("ada@example.com", "ada@engines.org")  # a usable address and a name: one person
    paths = [
        drop(settings, "resume", "r0.txt", sample_resume(0).encode()),
        drop(settings, "job", "job0.txt", sample_job(0).encode()),
        drop(settings, "resume", "ada-old.txt", ada_old.encode()),
        drop(settings, "resume", "r1.pdf", make_pdf(sample_resume(1))),
        drop(settings, "job", "backend.txt", JOB.encode()),
        drop(settings, "resume", "ada-new.txt", ada_new.encode()),
        drop(settings, "job", "job1.txt", sample_job(1).encode()),
    ]
    assert {o.outcome for o in ingestor.process(paths)} == {"scored"}
    forget()
    model = ingestor.model
    with session_scope(ingestor.ctx.engine) as session:
        expected = {
            (
                job,
                cand,
                job_doc,
                resume_doc,
                result.score,
                result.coverage,
                result.depth,
                result.text,
                result.role,
                result.experience,
                result.model_version,
            )
            for job, cand, job_doc, resume_doc, result in score_pairs(
                job_requirements(session, model), resume_skills(session, model), model
            )
        }
    written = set(
        db_rows(
            settings,
            "SELECT job_id, candidate_id, job_document_id, resume_document_id, score, "
            "coverage, depth, text_relevance, role_fit, experience_fit, model_version "
            "FROM match",
        )
    )
    assert written == expected
    assert len(written) == 3 * 4 and len({row[1] for row in written}) == 3  # 4 current resumes of 3 people


def test_a_database_locked_past_the_deadline_puts_files_back_without_charging_them(env):
    from tests.instance import hold_write_lock, instance
    from store.db import make_engine

    settings = instance({**env, "SHORTLIST_DB_DEADLINE_SECONDS": "1"})
    engine = make_engine(settings.database_url)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        path = drop(settings, "resume", "ada.txt", RESUME_A.encode())
        holder = hold_write_lock(settings, 4)
        outcome = ingestor.process([path])[0]
        holder.join()
        assert outcome.outcome == "failed" and "locked" in outcome.reason, outcome
        assert path.exists(), "the file stays in the inbox for the next pass"
        assert db_rows(settings, "SELECT count(*) FROM attempt") == [(0,)], "a locked database is not the file's fault"
        assert ingestor.process([path])[0].outcome == "scored"
    finally:
        ingestor.close()
        engine.dispose()


def test_a_job_another_writer_commits_after_the_snapshot_is_still_matched(settings, engine, ingestor):
    """The snapshot is read before the commit's transaction; a document another process added in between
    is noticed in the transaction and the chunk is scored again against what is there."""
    from pipeline import steps
    from pipeline.filejob import FileJob, Status

    ctx = ingestor.ctx
    resume = FileJob(drop(settings, "resume", "ada.txt", RESUME_A.encode()), "resume")
    steps.claim(ctx, [resume])
    steps.settle(ctx, steps.prepare(ctx, resume))
    stale = steps.take_snapshot(ctx, [resume])
    assert stale.jobs == {}
    other = Ingestor(settings, engine, PipelineMetrics())
    try:
        assert other.process([drop(settings, "job", "backend.txt", JOB.encode())])[0].outcome == "scored"
    finally:
        other.close()
    steps.commit(ctx, steps.score([resume], stale, ctx.model), stale)
    assert resume.status is Status.COMMITTED
    rows = db_rows(settings, "SELECT candidate, score FROM ranking")
    assert len(rows) == 1 and rows[0][0] == "Ada Lovelace" and rows[0][1] > 80
