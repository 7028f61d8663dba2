"""Uploads into inbox/ (names, limits, atomic writes), per-file status, and the job seeker's check."""
from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, strategies as st
from sqlmodel import Session

from store.models import Event
from tests.seed import expected_match
from tests.test_ui_support import client_for, csrf, ui_settings
from ui.advice import advise, verdict
from ui.uploads import safe_name

PDF = b"%PDF-1.4\n" + b"0" * 200
RESUME = (b"Jane Doe\njane@example.com\n\nSummary\nBackend developer with 4 years of experience: Python, SQL "
          b"and Docker in production at a logistics firm.\n")
JD = ("Backend Engineer\nWe need Python, PostgreSQL and Docker (required) and Redis (nice to have). "
      "3+ years of experience.")


@pytest.fixture
def client(settings):
    with client_for(settings) as client:
        yield client


def upload(client, kind, *files, headers=None, form=None):
    headers = {"X-CSRF-Token": csrf(client), "Accept": "application/json", **(headers or {})}
    return client.post("/upload", data={"kind": kind, **(form or {})},
                       files=[("files", f) for f in files], headers=headers)


def inbox_files(settings, kind):
    return sorted(p.name for p in settings.inbox_dir(kind).iterdir())


# --- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
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
])
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
    assert stored == {"filename": "../../etc/passwd.pdf", "stored_as": "passwd.pdf", "kind": "resume",
                      "sha256": hashlib.sha256(PDF).hexdigest(), "size": len(PDF), "status": "queued", "detail": ""}
    assert (settings.inbox_dir("resume") / "passwd.pdf").read_bytes() == PDF
    assert inbox_files(settings, "resume") == ["passwd.pdf"]
    assert not any(settings.home.rglob("*.part"))
    assert not (settings.home / "etc").exists()


def test_upload_many_files_and_a_job_description(client, settings):
    response = upload(client, "resume", ("a.txt", RESUME), ("b.docx", b"PK\x03\x04rest"), ("c.pdf", PDF))
    assert [f["stored_as"] for f in response.json()["files"]] == ["a.txt", "b.docx", "c.pdf"]
    response = upload(client, "job", ("role.md", b"# Role\nPython"))
    assert response.status_code == 202 and (settings.inbox_dir("job") / "role.md").exists()


def test_same_name_twice_never_overwrites_a_waiting_file(client, settings):
    upload(client, "resume", ("cv.txt", b"first"))
    response = upload(client, "resume", ("cv.txt", b"second"))
    assert response.json()["files"][0]["stored_as"] == "cv-2.txt"
    assert (settings.inbox_dir("resume") / "cv.txt").read_bytes() == b"first"


@pytest.mark.parametrize("kind, name, content, message", [
    ("resume", "virus.exe", b"MZ", "a resume must be a PDF, DOCX, TXT file, not EXE"),
    ("resume", "notes.md", b"# hi", "not MD"),
    ("resume", "fake.pdf", b"hello", "does not look like a PDF"),
    ("resume", "fake.docx", b"hello", "does not look like a Word .docx file"),
    ("job", "binary.txt", b"a\x00b", "does not look like plain text"),
    ("job", "noextension", b"text", "not a file without an extension"),
])
def test_unsupported_types_are_415_with_a_reason(client, settings, kind, name, content, message):
    response = upload(client, kind, (name, content))
    assert response.status_code == 415 and message in response.json()["error"]
    assert [p for p in settings.inbox_dir(kind).iterdir() if p.name != ".gitkeep"] == []


def test_a_file_over_the_limit_is_413(tmp_path):
    settings = ui_settings(tmp_path / "small", SHORTLIST_MAX_UPLOAD_MB="0.001")  # about 1 KB
    with client_for(settings) as client:
        response = upload(client, "resume", ("big.txt", b"x" * 5000))
        assert response.status_code == 413
        assert response.json()["error"] == "big.txt is 4.9 KB; the limit is 1.0 KB per file."
        html = client.post("/upload", data={"kind": "resume", "csrf_token": csrf(client)},
                           files=[("files", ("big.txt", b"x" * 5000))])
        assert html.status_code == 413 and "Too large" in html.text
        assert not any(p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep")


def test_a_request_body_over_the_limit_is_413_before_it_is_read(tmp_path):
    settings = ui_settings(tmp_path / "small", SHORTLIST_MAX_UPLOAD_MB="0.001")
    with client_for(settings) as client:
        response = upload(client, "resume", *[(f"f{i}.txt", b"x" * 1000) for i in range(2000)])
        assert response.status_code == 413
        assert "larger than the" in response.json()["error"]


def test_upload_errors(client, settings):
    assert upload(client, "resume", ("empty.txt", b"")).json()["error"] == "empty.txt is empty."
    assert upload(client, "video", ("a.txt", b"x")).status_code == 400
    response = client.post("/upload", data={"kind": "resume"}, headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 400 and "Choose at least one file" in response.text
    assert client.post("/upload", data={"kind": "resume"}, files=[("files", ("a.txt", b"x"))]).status_code == 403


def test_upload_without_javascript_renders_the_page_with_the_files(client, settings):
    response = client.post("/upload", data={"kind": "job", "csrf_token": csrf(client)},
                           files=[("files", ("role.txt", JD.encode()))])
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
    assert body["files"] == [{"sha256": sha, "status": "failed", "detail": "The PDF is encrypted.",
                              "document_id": None, "candidate_id": None, "job_id": None}]


# --- check my resume -------------------------------------------------------------------------

def check(client, files, form=None, headers=None):
    return client.post("/check", data={"csrf_token": csrf(client), **(form or {})}, files=files,
                       headers=headers or {}, follow_redirects=False)


def test_check_queues_both_files_and_goes_to_the_result(client, settings):
    response = check(client, [("resume", ("my cv.txt", RESUME))], {"job_text": JD})
    assert response.status_code == 303
    resume_sha, job_sha = hashlib.sha256(RESUME).hexdigest(), hashlib.sha256(JD.encode()).hexdigest()
    assert response.headers["location"] == f"/check/{resume_sha}/{job_sha}"
    assert inbox_files(settings, "resume")[-1] == f"check-{resume_sha[:12]}-my_cv.txt"
    job_file = settings.inbox_dir("job") / f"check-{job_sha[:12]}-job-description.txt"
    assert job_file.read_text() == JD
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Reading your files" in page.text
    assert f'sse-connect="/events?after=0&amp;sha={resume_sha}&amp;sha={job_sha}"' in page.text
    body = client.get(response.headers["location"] + ".json").json()
    assert body["state"] == "waiting" and body["resume"]["status"] == "queued"


def test_check_with_an_uploaded_job_description(client, settings):
    response = check(client, [("resume", ("cv.txt", RESUME)), ("job_file", ("role.md", JD.encode()))],
                     headers={"Accept": "application/json"})
    assert response.status_code == 202
    body = response.json()
    assert body["job"]["stored_as"].startswith("check-") and body["job"]["stored_as"].endswith("-role.md")
    assert body["result"] == f"/check/{body['resume']['sha256']}/{body['job']['sha256']}"


@pytest.mark.parametrize("files, form, status, message", [
    ([], {"job_text": JD}, 400, "Choose your resume"),
    ([("resume", ("cv.txt", RESUME))], {}, 400, "Paste the job description or choose its file"),
    ([("resume", ("cv.txt", RESUME)), ("job_file", ("jd.txt", b"x" * 100))], {"job_text": JD}, 400,
     "paste it or choose a file, not both"),
    ([("resume", ("cv.txt", RESUME))], {"job_text": "Python"}, 400, "too short to read skills from"),
    ([("resume", ("cv.exe", b"MZ"))], {"job_text": JD}, 415, "a resume must be a PDF, DOCX, TXT file"),
])
def test_check_errors(client, settings, files, form, status, message):
    response = check(client, files, form)
    assert response.status_code == status and message in response.text
    assert [p for p in settings.inbox_dir("resume").iterdir() if p.name != ".gitkeep"] == []


def test_check_needs_csrf(client):
    response = client.post("/check", data={"job_text": JD}, files=[("resume", ("cv.txt", RESUME))])
    assert response.status_code == 403


def test_check_result_shows_score_evidence_missing_and_advice(client, settings, seeder):
    url = check(client, [("resume", ("cv.txt", RESUME))], {"job_text": JD}).headers["location"]
    resume_sha, job_sha = url.split("/")[2:4]
    assert client.get(url + ".json").json()["state"] == "waiting"
    (job_file,) = [p for p in settings.inbox_dir("job").iterdir() if p.name.startswith("check-")]
    (resume_file,) = [p for p in settings.inbox_dir("resume").iterdir() if p.name.startswith("check-")]
    job, resume = seeder.inbox_file(job_file), seeder.inbox_file(resume_file)
    assert (job.sha256, resume.sha256) == (job_sha, resume_sha)
    expected = expected_match(resume, job)
    body = client.get(url + ".json").json()
    assert body["state"] == "done"
    report = body["report"]
    assert report["score"] == expected.score
    matched = {m["skill"]: m for m in report["matched"]}
    assert list(matched) == sorted(expected.matched) and {"Docker", "Python"} <= set(matched)
    assert matched["Python"]["evidence"][0]["surface"] == "Python"
    assert report["missing_required"] == sorted(expected.missing_required)
    assert report["missing_preferred"] == sorted(expected.missing_preferred)
    assert "PostgreSQL" in expected.missing_required  # the job asks for it; Jane's resume does not show it
    assert body["advice"] == advise(report)
    assert any(tip.startswith("Add PostgreSQL if you have used it") for tip in body["advice"])
    html = client.get(url).text
    assert "Your match:" in html and '<mark class="skill" title="Python" data-skill="Python">Python</mark>' in html
    assert "What to add" in html and "hx-trigger" not in html.split('id="check-result"')[1].split(">")[0]
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "check-result"}).text
    assert fragment.lstrip().startswith('<section id="check-result" class="check-result state-done"')


def test_check_result_shows_why_a_file_failed(client, engine):
    url = check(client, [("resume", ("cv.txt", RESUME))], {"job_text": JD}).headers["location"]
    resume_sha = url.split("/")[2]
    add_event(engine, kind="document.failed", sha256=resume_sha, filename="cv.txt",
              detail="Only 20 characters of text were found.")
    html = client.get(url).text
    assert "We could not read one of the files" in html and "Only 20 characters of text were found." in html


def test_check_result_of_unknown_hashes_waits_and_bad_hashes_are_404(client):
    assert client.get(f"/check/{'a' * 64}/{'b' * 64}.json").json()["state"] == "waiting"
    assert client.get("/check/abc/def").status_code == 404


def test_check_is_public_when_a_password_is_set(tmp_path):
    settings = ui_settings(tmp_path / "locked", SHORTLIST_PASSWORD="pw")
    with client_for(settings) as client:
        response = check(client, [("resume", ("cv.txt", RESUME))], {"job_text": JD})
        assert response.status_code == 303
        assert client.get(response.headers["location"]).status_code == 200
        html = client.get("/check").text
        assert 'href="/jobs"' not in html and "Team login" in html


# --- advice ----------------------------------------------------------------------------------

def test_advice_in_plain_language_most_important_first():
    report = {"score": 55.0, "missing_required": ["Kubernetes"], "missing_preferred": ["Go"],
              "resume_years": 2.0, "job_years": 5,
              "matched": [{"skill": "Linux", "evidence": [{}]}, {"skill": "Bash", "evidence": [{}, {}]}]}
    tips = advise(report)
    assert tips[0].startswith("Add Kubernetes if you have used it: the job lists it as required.")
    assert tips[1] == ("The job asks for 5+ years; your resume shows about 2. If you have more, make the dates of "
                       "each role explicit.")
    assert tips[2] == "Mention Go if you know it: it is a nice-to-have for this job."
    assert re.match(r"Linux appears only once\. Show it in context", tips[3])
    assert verdict(55.0).startswith("A partial match")


def test_advice_when_nothing_is_missing():
    report = {"score": 100.0, "missing_required": [], "missing_preferred": [], "resume_years": None,
              "job_years": None, "matched": [{"skill": "Go", "evidence": [{}, {}]}]}
    assert advise(report) == ["Nothing is missing for this job. Lead with the results you achieved using these "
                              "skills."]
    assert verdict(90).startswith("A strong match")
