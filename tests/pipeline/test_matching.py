"""Scoring over a snapshot: a document's features built in memory are the ones a read of its rows builds, and
a chunk scored against a snapshot gets the results pipeline.score gives pair by pair."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session

from pipeline import matching, snapshot
from pipeline.model import model_for
from tests.fixtures import sample_job, sample_resume
from tests.seed import Seeder, expected_match, taxonomy_of
from tests.instance import ROOT

MODEL = model_for(taxonomy_of(ROOT / "skills"), ROOT / "skills")

RESUME = """Grace Hopper
grace@example.com

Summary
Backend engineer, 9 years. Python and PostgreSQL every day.

Experience
Senior Backend Engineer, Acme (2019 - present)
- Python services on AWS, Docker and Kubernetes; PostgreSQL tuning
Software Engineer, Initech (2012 - 2016)
- Java and SQL reporting; some Python

Skills
Python, Go, Terraform, Excel
"""


def same(a, b) -> None:
    """Two feature records are equal field by field (the text vectors as arrays)."""
    assert type(a) is type(b)
    for name in a.__dataclass_fields__:
        left, right = getattr(a, name), getattr(b, name)
        if name == "text":
            assert all(np.array_equal(x, y) for x, y in zip(left, right, strict=True)), name
        else:
            assert left == right, name


@pytest.fixture
def seeder(settings, engine):
    return Seeder(settings, engine)


def test_features_built_in_memory_are_the_ones_read_back_from_the_rows(seeder, engine):
    """What the driver scores a new document with equals what a later snapshot builds from what was written
    (sections derived from the text on both paths, the stored title, name and years)."""
    posted = seeder.document("job", "backend.txt", sample_job(3))
    cv = seeder.document("resume", "grace.txt", RESUME)
    nameless = seeder.document("resume", "anon-cv.txt", "\n".join(sample_resume(5).splitlines()[1:]))
    snapshot.forget()
    with Session(engine) as session:
        jobs = snapshot.job_requirements(session, MODEL)
        resumes = snapshot.resume_skills(session, MODEL)
    for seeded, read in (
        (posted, jobs[posted.id]),
        (cv, resumes[(cv.id, cv.document_id)]),
        (nameless, resumes[(nameless.id, nameless.document_id)]),
    ):
        built = matching.features_of(seeded.analysis, MODEL, seeded.name)
        built.document_id = seeded.document_id
        same(built, read)


def test_a_resume_without_a_name_that_joins_a_known_person_is_scored_under_their_name(seeder, engine, settings):
    """Two nameless resumes with one address are one person, named from the first one's file: the second is
    scored with that name (as a later read of its rows builds it), not with one from its own file name."""
    from tests.instance import db_rows

    posted = seeder.document("job", "backend.txt", sample_job(3))
    first = seeder.document("resume", "hopper-cv.txt", "grace@hopper.dev\n\n" + RESUME.split("\n", 2)[2])
    second = seeder.document(
        "resume",
        "platform.txt",
        "grace@hopper.dev\n\nExperience\nPython developer at Hopper "
        "Labs (2020 - present): services on AWS with Docker, "
        "PostgreSQL and Terraform.\n",
    )
    assert second.id == first.id and not second.analysis.name and not first.analysis.name
    assert matching.resume_name(second.analysis) != "Hopper Cv"
    snapshot.forget()
    with Session(engine) as session:
        read = snapshot.resume_skills(session, MODEL, [first.id])[(first.id, second.document_id)]
    built = matching.features_of(second.analysis, MODEL, "Hopper Cv")
    built.document_id = second.document_id
    same(built, read)
    job = matching.features_of(posted.analysis, MODEL)
    [(score,)] = db_rows(settings, f"SELECT score FROM match WHERE resume_document_id = {second.document_id}")
    assert score == matching.score_one(built, job, MODEL).score  # type: ignore[arg-type]


def test_a_job_meets_only_current_resumes_of_its_chunk(seeder, settings):
    """In one transaction: another file of a stored resume is kept but not scored, and a newer version of a
    resume takes the older one off every ranking, whether the job comes before or after them in the chunk."""
    from tests.instance import db_rows

    text = RESUME.replace("grace@example.com", "grace@hopper.dev")  # a usable address: one person
    old = seeder.document("resume", "grace-2025.txt", text)
    newer = text.replace("Python, Go, Terraform, Excel", "Python, Go, Terraform, Excel, Rust")
    written = seeder.write(
        [
            ("job", "first.txt", sample_job(3).encode()),
            ("resume", "grace-2026.txt", newer.encode()),
            ("resume", "grace-2026-copy.txt", newer.upper().encode()),
            ("job", "second.txt", sample_job(2).encode()),
        ]
    )
    first, version, copy, second = written
    assert version.id == copy.id == old.id
    assert db_rows(settings, f"SELECT same_as FROM document WHERE id = {copy.document_id}") == [(version.document_id,)]
    for job in (first, second):
        assert db_rows(settings, f"SELECT resume_document_id FROM match WHERE job_id = {job.id}") == [
            (version.document_id,)
        ]


def test_a_chunk_meets_the_snapshot_as_it_stands_at_each_turn(seeder, engine):
    """A resume meets every open job; a job meets every current resume, those earlier in the chunk included;
    a later resume of the chunk meets the chunk's job; a job the writer keeps closed joins nothing."""
    old_job = seeder.document("job", "old.txt", sample_job(1))
    old_cv = seeder.document("resume", "old-cv.txt", sample_resume(1))
    analysed = [
        seeder.analyse("resume", "a.txt", sample_resume(2).encode()),
        seeder.analyse("job", "new.txt", sample_job(2).encode()),
        seeder.analyse("resume", "b.txt", sample_resume(3).encode()),
        seeder.analyse("job", "shut.txt", sample_job(4).encode()),
    ]
    with Session(engine) as session:
        snap = snapshot.read_snapshot(session, MODEL, jobs=True, resumes=True)
    snap.closed.add("file:shut")
    old, a, b = old_cv.sha256, "a" * 64, "b" * 64  # resumes are keyed by their bytes' hash
    scored = matching.score_chunk(list(zip((a, "j" * 64, b, "s" * 64), analysed, strict=True)), snap, MODEL)
    met = [sorted(key for key, _ in matches) for _, matches in scored]
    assert met == [["file:old"], sorted([a, old]), ["file:new", "file:old"], sorted([a, b, old])]
    assert "file:shut" not in snap.jobs and set(snap.jobs) == {"file:old", "file:new"}
    assert snap.jobs["file:old"].owner_id == old_job.id and snap.resumes[old].owner_id == old_cv.id
    job_new = scored[1][0]
    for (own, matches), item in zip(scored, analysed, strict=True):
        for identity, result in matches:
            other = (dict(snap.resumes) if item.kind == "job" else dict(snap.jobs))[identity].features
            pair = (own, other) if item.kind == "resume" else (other, own)
            assert result == matching.score_one(*pair, MODEL)
    assert dict(scored[2][1])["file:new"] == matching.score_one(scored[2][0], job_new, MODEL)


def test_expected_match_is_what_the_writer_stored(seeder, settings):
    from tests.instance import db_rows

    posted = seeder.document("job", "backend.txt", sample_job(3))
    cv = seeder.document("resume", "grace.txt", RESUME)
    [(score, coverage)] = db_rows(settings, "SELECT score, coverage FROM match")
    expected = expected_match(cv, posted)
    assert (score, coverage) == (expected.score, expected.coverage)


def test_the_reload_pairs_name_every_job_and_resume():
    from pipeline.stages import Analysis, analyse_text

    taxonomy = taxonomy_of(ROOT / "skills")
    posted = Analysis(filename="job.txt", kind="job", text=sample_job(2))
    cv = Analysis(filename="cv.txt", kind="resume", text=RESUME)
    analyse_text(posted, taxonomy)
    analyse_text(cv, taxonomy)
    job, resume = matching.features_of(posted, MODEL), matching.features_of(cv, MODEL, "Grace Hopper")
    job.document_id, resume.document_id = 70, 30
    pairs = matching.score_pairs({7: job}, {(3, 30): resume, (4, 30): resume}, MODEL)
    assert [p[:4] for p in pairs] == [(7, 3, 70, 30), (7, 4, 70, 30)]
    assert pairs[0][4] == pairs[1][4] == matching.score_one(resume, job, MODEL)
    assert pairs[0][4].model_version == MODEL.weights.version
