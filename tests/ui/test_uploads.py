"""Uploads into inbox/ (names, limits, atomic writes), per-file status, and the job seeker's check."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, strategies as st
from sqlmodel import Session

from store.models import Event
from tests.ui.support import client_for, csrf, ui_settings
from ui.advice import advise, verdict
from ui.uploads import safe_name

PDF = b"%PDF-1.4\n" + b"0" * 200
RESUME = (
    b"Jane Doe\njane@example.com\n\nSummary\nBackend developer with 4 years of experience: Python, SQL "
    b"and Docker in production at a logistics firm.\n"
)
JD = (
    "Backend Engineer\nWe need Python, PostgreSQL and Docker (required) and Redis (nice to have). "
    "3+ years of experience."
)

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


@pytest.fixture
def client(settings):
    with client_for(settings) as client:
        yield client


def upload(client, kind, *files, headers=None, form=None):
    headers = {"X-CSRF-Token": csrf(client), "Accept": "application/json", **(headers or {})}
    return client.post(
        "/upload", data={"kind": kind, **(form or {})}, files=[("files", f) for f in files], headers=headers
    )


def inbox_files(settings, kind):
    return sorted(p.name for p in settings.inbox_dir(kind).iterdir())


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\cv.DOCX", "cv.docx"),
        ("/abs/path/resume.txt", "resume.txt"),
        (".hidden.pdf", "hidden.pdf"),
        ("cv.pdf.part", "cv.pdf.part"),
        ("Jöhn Dœ – CV (final).pdf", "Jöhn_Dœ_CV_(final).pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("<script>.txt", "script.txt"),
        ("", "upload"),
        ("...", "upload"),
        ("~$lock.docx", "lock.docx"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_safe_name(raw, expected):
    assert safe_name(raw) == expected


@given(st.text())
def test_safe_name_is_always_a_plain_visible_name(raw):
    name = safe_name(raw)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", "-", " ")) and name not in (".", "..")
    assert len(name) <= 111


# --- uploads ---------------------------------------------------------------------------------


def test_upload_writes_into_the_inbox_with_a_safe_name(client, settings):
    response = upload(client, "resume", ("../../etc/passwd.pdf", PDF, "application/pdf"))
    assert response.status_code == 202
    stored = response.json()["files"][0]
    assert stored == {
        "filename": "../../etc/passwd.pdf",
        "stored_as": "passwd.pdf",
        "kind": "resume",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
        "status": "queued",
        "detail": "",
        "outcome": "stored",
    }
    assert (settings.inbox_dir("resume") / "passwd.pdf").read_bytes() == PDF
    assert inbox_files(settings, "resume") == ["passwd.pdf"]
    assert not any(settings.home.rglob("*.part"))
    assert not (settings.home / "etc").exists()


def test_upload_many_files_and_a_job_description(client, settings):
    response = upload(client, "resume", ("a.txt", RESUME), ("b.docx", b"PK\x03\x04rest"), ("c.pdf", PDF))
    assert [f["stored_as"] for f in response.json()["files"]] == ["a.txt", "b.docx", "c.pdf"]
    response = upload(client, "job", ("role.md", b"# Role\nPython"))
    assert response.status_code == 202 and (settings.inbox_dir("job") / "role.md").exists()


def test_a_batch_answers_for_every_file_and_never_stops_at_a_bad_one(client, settings, engine):
    from pipeline.ingest import Ingestor
    from pipeline.metrics import PipelineMetrics

    known = RESUME * 3 + b"Known already.\n"
    (settings.inbox_dir("resume") / "known.txt").write_bytes(known)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        assert ingestor.process([settings.inbox_dir("resume") / "known.txt"])[0].outcome == "scored"
    finally:
        ingestor.close()
    response = upload(
        client,
        "resume",
        ("a.txt", RESUME),
        ("virus.exe", b"MZ"),
        ("b.txt", RESUME + b"b"),
        ("a-again.txt", RESUME),
        ("fake.pdf", b"hello"),
        ("empty.txt", b""),
        ("old.txt", known),
        ("c.pdf", PDF),
    )
    assert response.status_code == 202
    body = response.json()
    answers = [(f["filename"], f["outcome"]) for f in body["files"]]
    assert answers == [
        ("a.txt", "stored"),
        ("virus.exe", "refused"),
        ("b.txt", "stored"),
        ("a-again.txt", "duplicate"),
        ("fake.pdf", "refused"),
        ("empty.txt", "refused"),
        ("old.txt", "duplicate"),
        ("c.pdf", "stored"),
    ]
    by_name = {f["filename"]: f for f in body["files"]}
    assert "is named .exe, a type Shortlist does not read" in by_name["virus.exe"]["detail"]
    assert by_name["virus.exe"]["http_status"] == 415
    assert "is named .pdf but its content is plain text" in by_name["fake.pdf"]["detail"]
    assert by_name["a-again.txt"]["detail"] == "The same file is already earlier in this upload."
    assert by_name["old.txt"]["detail"] == "Already read as known.txt; nothing new to add."
    assert by_name["old.txt"]["candidate_id"] is not None
    assert by_name["empty.txt"]["detail"] == "empty.txt is empty." and by_name["empty.txt"]["http_status"] == 400
    assert (body["stored"], body["duplicate"], body["refused"]) == (3, 2, 3)
    assert inbox_files(settings, "resume") == ["a.txt", "b.txt", "c.pdf"]


def test_a_batch_where_every_file_is_refused_answers_each_with_the_first_status(client, settings):
    response = upload(client, "resume", ("virus.exe", b"MZ"), ("fake.pdf", b"hello"))
    assert response.status_code == 415
    body = response.json()
    assert [f["outcome"] for f in body["files"]] == ["refused", "refused"]
    assert "virus.exe" in body["error"] and "fake.pdf" in body["error"]
    assert inbox_files(settings, "resume") == []


def test_same_name_twice_never_overwrites_a_waiting_file(client, settings):
    upload(client, "resume", ("cv.txt", b"first"))
    response = upload(client, "resume", ("cv.txt", b"second"))
    assert response.json()["files"][0]["stored_as"] == "cv-2.txt"
    assert (settings.inbox_dir("resume") / "cv.txt").read_bytes() == b"first"


@pytest.mark.parametrize(
    "kind, name, content, message",
    [
        ("resume", "virus.exe", b"MZ", "The file 'virus.exe' is named .exe, a type Shortlist does not read"),
        ("resume", "page.html", b"<html>Python</html>", "is named .html, a type Shortlist does not read"),
        ("resume", "fake.pdf", b"hello", "is named .pdf but its content is plain text, not a PDF"),
        ("resume", "fake.docx", b"hello", "is named .docx but its content is plain text, not a Word document"),
        ("job", "binary.txt", b"a\x00b", "is binary data that is not PDF, DOCX or text"),
        ("job", "photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "is a PNG image"),
    ],
)
def test_unsupported_types_are_415_with_a_reason(client, settings, kind, name, content, message):
    response = upload(client, kind, (name, content))
    assert response.status_code == 415 and message in response.json()["error"]
    assert [p for p in settings.inbox_dir(kind).iterdir() if p.name != ".gitkeep"] == []


@pytest.mark.parametrize(
    "name, content",
    [
        ("text named.pdf", RESUME),  # refused by both
        ("notes.html", RESUME),  # refused by both
        ("cv.md", RESUME),  # accepted by both
        ("cv", RESUME),  # accepted by both
        ("word named.pdf", None),  # a real Word document named .pdf: content wins in both
    ],
)
def test_the_form_and_the_inbox_apply_one_rule_with_one_reason(client, settings, engine, name, content):
    """The same bytes under the same name: the form's answer and the inbox's outcome agree, word for word."""
    from pipeline.ingest import Ingestor
    from pipeline.metrics import PipelineMetrics
    from tests.fixtures import make_docx

    content = content * 3 if content is not None else make_docx(RESUME.decode().splitlines() * 3)
    response = upload(client, "resume", (name, content))
    stored = sorted(p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep")
    for path in stored:
        path.unlink()
    dropped = settings.inbox_dir("resume") / safe_name(name)
    dropped.write_bytes(content)
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    try:
        outcome = ingestor.process([dropped])[0]
    finally:
        ingestor.close()
    if response.status_code == 415:
        assert outcome.outcome == "quarantined" and outcome.reason == response.json()["error"]
        reason_file = settings.failed_dir / (safe_name(name) + ".reason.txt")
        assert reason_file.read_text().startswith(outcome.reason)
    else:
        assert response.status_code == 202 and len(stored) == 1
        assert outcome.outcome == "scored", outcome


def test_a_file_just_over_the_limit_says_its_real_size(tmp_path):
    settings = ui_settings(tmp_path / "mb", SHORTLIST_MAX_UPLOAD_MB="1")
    with client_for(settings) as client:
        response = upload(client, "resume", ("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 30 * 1024)))
        assert response.status_code == 413
        assert response.json()["error"] == "big.pdf is 1.03 MB; the limit is 1 MB per file."


def test_a_file_over_the_limit_is_413(tmp_path):
    settings = ui_settings(tmp_path / "small", SHORTLIST_MAX_UPLOAD_MB="0.001")  # about 1 KB
    with client_for(settings) as client:
        response = upload(client, "resume", ("big.txt", b"x" * 5000))
        assert response.status_code == 413
        assert response.json()["error"] == "big.txt is 4.9 KB; the limit is 1 KB per file."
        html = client.post(
            "/upload", data={"kind": "resume", "csrf_token": csrf(client)}, files=[("files", ("big.txt", b"x" * 5000))]
        )
        assert html.status_code == 413 and "Too large" in html.text
        assert not any(p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep")


def test_a_request_body_over_the_limit_is_413_before_it_is_read(tmp_path):
    settings = ui_settings(tmp_path / "small", SHORTLIST_MAX_UPLOAD_MB="0.001")
    with client_for(settings) as client:
        response = upload(client, "resume", *[(f"f{i}.txt", b"x" * 1000) for i in range(2000)])
        assert response.status_code == 413
        assert re.match(r"The upload is 2\.\d+ MB; a single request may carry at most 1 MB\.", response.json()["error"])


def test_upload_errors(client, settings):
    assert upload(client, "resume", ("empty.txt", b"")).json()["error"] == "empty.txt is empty."
    assert upload(client, "video", ("a.txt", b"x")).status_code == 400
    response = client.post("/upload", data={"kind": "resume"}, headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 400 and "Choose at least one file" in response.text
    assert client.post("/upload", data={"kind": "resume"}, files=[("files", ("a.txt", b"x"))]).status_code == 403


def test_upload_without_javascript_renders_the_page_with_the_files(client, settings):
    response = client.post(
        "/upload", data={"kind": "job", "csrf_token": csrf(client)}, files=[("files", ("role.txt", JD.encode()))]
    )
    assert response.status_code == 202
    assert 'data-status="queued"' in response.text and "role.txt" in response.text


def test_upload_counts_in_metrics(client):
    upload(client, "resume", ("a.txt", RESUME))
    upload(client, "resume", ("a.exe", b"MZ"))
    text = client.get("/metrics").text
    assert 'ui_uploads_total{kind="resume"} 1.0' in text
    assert 'ui_upload_rejections_total{status="415"} 1.0' in text


# --- per-file status -------------------------------------------------------------------------


def add_event(engine, **fields):
    with Session(engine) as session:
        session.add(Event(**fields))
        session.commit()


def test_status_follows_a_file_through_the_pipeline(client, engine, settings, seeder):
    sha = upload(client, "resume", ("jane.txt", RESUME)).json()["files"][0]["sha256"]
    status = lambda: client.get(f"/upload/status.json?sha={sha}").json()["files"][0]  # noqa: E731
    assert status()["status"] == "queued"
    add_event(engine, kind="document.started", sha256=sha, filename="jane.txt")
    assert status()["status"] == "parsing"
    (waiting,) = [p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep"]
    candidate = seeder.inbox_file(waiting)
    assert candidate.sha256 == sha and candidate.name == "Jane Doe"
    assert status()["status"] == "scored" and status()["candidate_id"] == candidate.id
    assert 'data-status="scored"' in client.get(f"/upload/status?sha={sha}").text


def test_status_of_a_failed_file_carries_the_reason(client, engine):
    sha = "b" * 64
    add_event(engine, kind="document.failed", sha256=sha, filename="x.pdf", detail="The PDF is encrypted.")
    body = client.get(f"/upload/status.json?sha={sha}&sha=not-a-hash").json()
    assert body["files"] == [
        {
            "sha256": sha,
            "status": "failed",
            "detail": "The PDF is encrypted.",
            "document_id": None,
            "candidate_id": None,
            "job_id": None,
        }
    ]


# --- check my resume -------------------------------------------------------------------------


def check(client, files, form=None, headers=None):
    return client.post(
        "/check",
        data={"csrf_token": csrf(client), **(form or {})},
        files=files,
        headers=headers or {},
        follow_redirects=False,
    )


def test_check_writes_the_pair_into_its_own_folder_and_goes_to_the_result(client, settings):
    response = check(client, [("resume", ("my cv.txt", RESUME))], {"job_text": JD})
    assert response.status_code == 303
    check_id = response.headers["location"].removeprefix("/check/")
    assert re.fullmatch(r"[0-9a-f]{64}", check_id)
    folder = settings.inbox / "checks" / check_id
    assert (folder / "resume.txt").read_bytes() == RESUME and (folder / "job.txt").read_text() == JD
    assert inbox_files(settings, "resume") == [] and inbox_files(settings, "job") == []
    assert [p.name for p in (settings.inbox / "checks").iterdir()] == [check_id]  # no .part left
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Reading your files" in page.text and 'hx-trigger="every 1s"' in page.text
    assert "sse-connect" not in page.text  # the check's id is its only key: it never goes on the team's feed
    assert client.get(response.headers["location"] + ".json").json()["state"] == "waiting"


def test_check_with_an_uploaded_job_description(client, settings):
    response = check(
        client,
        [("resume", ("cv.txt", RESUME)), ("job_file", ("role.md", JD.encode()))],
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["result"] == f"/check/{body['check']}"
    assert sorted(p.name for p in (settings.inbox / "checks" / body["check"]).iterdir()) == ["job.md", "resume.txt"]


def test_a_refused_check_file_leaves_nothing_behind(client, settings):
    response = check(client, [("resume", ("cv.txt", RESUME)), ("job_file", ("jd.pdf", JD.encode()))])
    assert response.status_code == 415 and "is named .pdf but its content is plain text" in response.text
    assert list((settings.inbox / "checks").iterdir()) == []


@pytest.mark.parametrize(
    "files, form, status, message",
    [
        ([], {"job_text": JD}, 400, "Choose your resume"),
        ([("resume", ("cv.txt", RESUME))], {}, 400, "Paste the job description or choose its file"),
        (
            [("resume", ("cv.txt", RESUME)), ("job_file", ("jd.txt", b"x" * 100))],
            {"job_text": JD},
            400,
            "paste it or choose a file, not both",
        ),
        ([("resume", ("cv.txt", RESUME))], {"job_text": "Python"}, 400, "too short to read skills from"),
        ([("resume", ("cv.exe", b"MZ"))], {"job_text": JD}, 415, "is named .exe, a type Shortlist does not read"),
    ],
)
def test_check_errors(client, settings, files, form, status, message):
    response = check(client, files, form)
    assert response.status_code == status and message in response.text
    assert [p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep"] == []


def test_check_needs_csrf(client):
    response = client.post("/check", data={"job_text": JD}, files=[("resume", ("cv.txt", RESUME))])
    assert response.status_code == 403


def test_check_result_of_an_unknown_id_is_404_and_bad_ids_too(client):
    response = client.get(f"/check/{'a' * 64}.json")
    assert response.status_code == 404 and "results are erased" in response.json()["error"]
    assert client.get("/check/abc").status_code == 404


def test_check_is_public_when_a_password_is_set(tmp_path):
    settings = ui_settings(tmp_path / "locked", SHORTLIST_PASSWORD="pw")
    with client_for(settings) as client:
        response = check(client, [("resume", ("cv.txt", RESUME))], {"job_text": JD})
        assert response.status_code == 303
        assert client.get(response.headers["location"]).status_code == 200
        html = client.get("/check").text
        assert 'href="/jobs"' not in html and "Team login" in html


# --- advice ----------------------------------------------------------------------------------


def test_advice_grouped_by_importance_in_plain_language():
    report = {
        "score": 55.0,
        "missing_required": ["Kubernetes"],
        "missing_preferred": ["Go"],
        "resume_years": 2.0,
        "job_years": 5,
        "missing": [
            {
                "skill": "Kubernetes",
                "requirement": "required",
                "sentence": "Run Kubernetes in production",
                "related": ["Docker"],
            },
            {"skill": "Go", "requirement": "preferred", "sentence": "Go is a plus", "related": []},
        ],
        "matched": [{"skill": "Linux", "evidence": [{}]}, {"skill": "Bash", "evidence": [{}, {}]}],
    }
    advice = advise(report)
    assert [gap["skill"] for gap in advice["required"]] == ["Kubernetes"]
    assert advice["required"][0]["tip"] == (
        "Add Kubernetes if you have used it: the job lists it as required. Use the posting's word for it and say "
        "where you used it. Your resume already shows Docker, close to it: if you used Kubernetes alongside, say "
        "so there."
    )
    assert advice["required"][0]["sentence"] == "Run Kubernetes in production"
    assert advice["preferred"][0]["tip"] == "Mention Go if you know it: it is a nice-to-have for this job."
    assert advice["general"][0] == (
        "The job asks for 5+ years; your resume shows about 2. If you have more, make the dates of each role explicit."
    )
    assert re.match(r"Linux appears only once\. Show it in context", advice["general"][1])
    assert verdict(55.0).startswith("A partial match")


def test_advice_when_nothing_is_missing():
    report = {
        "score": 100.0,
        "missing_required": [],
        "missing_preferred": [],
        "resume_years": None,
        "job_years": None,
        "matched": [{"skill": "Go", "evidence": [{}, {}]}],
    }
    assert advise(report) == {
        "required": [],
        "preferred": [],
        "general": ["Nothing is missing for this job. Lead with the results you achieved using these skills."],
    }
    assert verdict(90).startswith("A strong match")
