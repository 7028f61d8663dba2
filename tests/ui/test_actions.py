"""What the web writes: decisions, erasure, retries of quarantined files; CSRF on each, and the optional login."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from store.models import Attempt, Candidate, Decision, Document, Event, Failure, Match, MatchSkill, SkillMention
from tests.ui.support import client_for, csrf, ui_settings
from ui.security import CSRF_COOKIE, SESSION_COOKIE, Signer

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both


@pytest.fixture
def seeded(seeder):
    return {
        "job": seeder.job("Backend Engineer", ["Python", "Docker"], ["Redis"], 3),
        "other": seeder.job("Data Engineer", ["SQL"], [], 1),
        "ada": seeder.resume("Ada Lovelace", ["Python", "Docker", "Redis"], 5),
        "bob": seeder.resume("Bob Smith", ["Excel"], 1),
    }


@pytest.fixture
def data(seeded):
    return {key: value.id for key, value in seeded.items()}


@pytest.fixture
def client(settings):
    with client_for(settings) as client:
        yield client


def count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def decision_of(engine, job, candidate):
    with Session(engine) as session:
        return session.scalars(
            select(Decision).where(Decision.job_id == job, Decision.candidate_id == candidate)
        ).first()


# --- decisions -------------------------------------------------------------------------------


def test_shortlist_with_a_plain_form_persists_and_redirects(client, engine, data):
    url = f"/jobs/{data['job']}/candidates/{data['ada']}/decision"
    response = client.post(url, data={"status": "shortlisted", "csrf_token": csrf(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/jobs/{data['job']}#row-{data['ada']}"
    assert decision_of(engine, data["job"], data["ada"]).status == "shortlisted"
    assert count(engine, Event, Event.kind == "decision", Event.candidate_id == data["ada"]) == 1
    body = client.get(f"/jobs/{data['job']}.json").json()
    assert body["counts"] == {"shortlisted": 1, "rejected": 0}
    assert {r["name"]: r["status"] for r in body["candidates"]}["Ada Lovelace"] == "shortlisted"
    assert client.get("/jobs.json").json()["jobs"][0]["shortlisted"] == 1


def test_decision_by_htmx_returns_the_row_counts_and_a_flash(client, engine, data):
    url = f"/jobs/{data['job']}/candidates/{data['ada']}/decision"
    response = client.post(
        url, data={"status": "rejected"}, headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)}
    )
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<tr id="row-{data["ada"]}" class="status-rejected')
    assert '<span id="decision-counts" hx-swap-oob="true">0 shortlisted · 1 rejected</span>' in html
    assert 'id="flash"' in html and "Ada Lovelace rejected." in html
    assert decision_of(engine, data["job"], data["ada"]).status == "rejected"
    assert decision_of(engine, data["other"], data["ada"]) is None  # decisions are per job


def test_note_is_saved_without_changing_the_status(client, engine, data):
    url = f"/jobs/{data['job']}/candidates/{data['ada']}/decision"
    token = csrf(client)
    client.post(url, data={"status": "shortlisted"}, headers={"X-CSRF-Token": token})
    response = client.post(
        url, data={"note": "Call on <Monday>"}, headers={"X-CSRF-Token": token, "Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["candidate"]["note"] == "Call on <Monday>"
    decision = decision_of(engine, data["job"], data["ada"])
    assert (decision.status, decision.note) == ("shortlisted", "Call on <Monday>")
    assert 'value="Call on &lt;Monday&gt;"' in client.get(f"/jobs/{data['job']}").text


@pytest.mark.parametrize(
    "form, status, message",
    [({"status": "hired"}, 400, "status must be one of"), ({}, 400, "Send a status, a note, or both.")],
)
def test_bad_decisions_are_400(client, data, form, status, message):
    response = client.post(
        f"/jobs/{data['job']}/candidates/{data['ada']}/decision", data=form, headers={"X-CSRF-Token": csrf(client)}
    )
    assert response.status_code == status and message in response.text


def test_decision_on_an_unknown_match_is_404(client, data):
    response = client.post(
        f"/jobs/{data['job']}/candidates/999/decision",
        data={"status": "rejected"},
        headers={"X-CSRF-Token": csrf(client), "Accept": "application/json"},
    )
    assert response.status_code == 404 and "no score for this job" in response.json()["error"]


def test_decision_without_csrf_is_refused(client, engine, data):
    url = f"/jobs/{data['job']}/candidates/{data['ada']}/decision"
    csrf(client)
    for headers, form in (
        ({}, {"status": "rejected"}),
        ({"X-CSRF-Token": "forged"}, {"status": "rejected"}),
        ({}, {"status": "rejected", "csrf_token": "forged"}),
    ):
        response = client.post(url, data=form, headers=headers)
        assert response.status_code == 403 and "CSRF check failed" in response.text
    assert decision_of(engine, data["job"], data["ada"]) is None


def test_csrf_token_must_match_the_cookie_and_be_signed(client, data):
    url = f"/jobs/{data['job']}/candidates/{data['ada']}/decision"
    other = Signer("another secret").new_csrf()  # well-formed, wrong key
    client.cookies.set(CSRF_COOKIE, other)
    assert client.post(url, data={"status": "new"}, headers={"X-CSRF-Token": other}).status_code == 403
    client.cookies.clear()
    token = csrf(client)
    assert client.post(url, data={"status": "new"}, headers={"X-CSRF-Token": token + "x"}).status_code == 403
    assert (
        client.post(url, data={"status": "new"}, headers={"X-CSRF-Token": token}, follow_redirects=False).status_code
        == 303
    )


# --- erasure ---------------------------------------------------------------------------------


def test_delete_candidate_erases_rows_and_stored_files(client, engine, settings, data, seeded):
    client.post(
        f"/jobs/{data['job']}/candidates/{data['ada']}/decision",
        data={"status": "shortlisted"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    stored = [settings.files_dir / f"{seeded['ada'].sha256}.txt"]
    others = {path for path in settings.files_dir.iterdir()} - set(stored)
    assert stored[0].exists() and len(others) == 3
    with Session(engine) as session:
        docs = session.execute(
            select(Document.id, Document.sha256, Document.filename).where(Document.candidate_id == data["ada"])
        ).all()
        doc_ids = [doc.id for doc in docs]
        session.add(Event(kind="document.started", sha256=docs[0].sha256, filename=docs[0].filename))
        session.add(
            Event(
                kind="document.scored",
                document_id=docs[0].id,
                sha256=docs[0].sha256,
                filename=docs[0].filename,
                candidate_id=data["ada"],
                detail='{"kind": "resume"}',
            )
        )
        session.commit()
    response = client.post(
        f"/candidates/{data['ada']}/delete", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/jobs?deleted=1"
    assert not stored[0].exists() and set(settings.files_dir.iterdir()) == others
    assert count(engine, Candidate, Candidate.id == data["ada"]) == 0
    assert count(engine, Document, Document.candidate_id == data["ada"]) == 0
    assert count(engine, SkillMention, SkillMention.document_id.in_(doc_ids)) == 0
    assert count(engine, Match, Match.candidate_id == data["ada"]) == 0
    jobs = (seeded["job"], seeded["other"])
    assert count(engine, Match) == len(jobs)  # only Bob's rows are left: one match and its skills per job
    assert count(engine, MatchSkill) == sum(len(job.requirements) for job in jobs)
    assert decision_of(engine, data["job"], data["ada"]) is None
    assert count(engine, Event, Event.kind == "candidate.deleted", Event.candidate_id == data["ada"]) == 1
    assert count(engine, Event, Event.document_id == docs[0].id, Event.filename.is_not(None)) == 0, (
        "the feed keeps no file names"
    )
    assert count(engine, Event, Event.sha256 == docs[0].sha256) == 0
    assert client.get(f"/candidates/{data['ada']}").status_code == 404
    assert "The candidate and their files were deleted." in client.get("/jobs?deleted=1").text


def test_delete_by_htmx_and_json(client, data):
    response = client.post(
        f"/candidates/{data['ada']}/delete", headers={"HX-Request": "true", "X-CSRF-Token": csrf(client)}
    )
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/jobs?deleted=1"
    response = client.post(
        f"/candidates/{data['bob']}/delete", headers={"Accept": "application/json", "X-CSRF-Token": csrf(client)}
    )
    assert response.json() == {"deleted": data["bob"], "files_removed": 1}
    response = client.post(f"/candidates/{data['bob']}/delete", headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 404


def test_delete_without_csrf_is_refused(client, engine, data):
    assert client.post(f"/candidates/{data['ada']}/delete").status_code == 403
    assert count(engine, Candidate, Candidate.id == data["ada"]) == 1


# --- retry of quarantined files ----------------------------------------------------------------


def quarantine(engine, settings, name="broken.pdf", kind="resume", content=b"%PDF-1.4 broken"):
    path = settings.failed_dir / name
    path.write_bytes(content)
    path.with_name(name + ".reason.txt").write_text("no text layer\n")
    sha = "a" * 63 + str(len(name) % 10)
    with Session(engine) as session:
        failure = Failure(
            sha256=sha,
            kind=kind,
            filename=name,
            code="parse_error",
            reason="No text layer.",
            quarantined_path=str(path),
            attempts=3,
            created_at=datetime.now(timezone.utc),
        )
        session.add(failure)
        session.add(Attempt(sha256=sha, filename=name, attempts=3, updated_at=datetime.now(timezone.utc)))
        session.commit()
        return failure.id, sha, path


def test_retry_moves_the_file_back_and_forgets_its_attempts(client, engine, settings):
    failure_id, sha, path = quarantine(engine, settings)
    response = client.post(f"/failed/{failure_id}/retry", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert response.status_code == 303
    target = settings.inbox_dir("resume") / "broken.pdf"
    assert target.read_bytes() == b"%PDF-1.4 broken"
    assert not path.exists() and not path.with_name("broken.pdf.reason.txt").exists()
    assert count(engine, Attempt, Attempt.sha256 == sha) == 0
    with Session(engine) as session:
        assert session.get(Failure, failure_id).retried_at is not None
    assert client.get("/failed.json").json()["failures"] == []
    response = client.post(f"/failed/{failure_id}/retry", headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 409 and "already retried" in response.text


def test_retry_of_a_job_keeps_a_waiting_file_of_the_same_name(client, engine, settings):
    failure_id, _, _ = quarantine(engine, settings, name="role.md", kind="job", content=b"# Role")
    (settings.inbox_dir("job") / "role.md").write_text("another file waiting")
    response = client.post(f"/failed/{failure_id}/retry", headers={"X-CSRF-Token": csrf(client), "HX-Request": "true"})
    assert response.status_code == 200 and "role-2.md" in response.text
    assert (settings.inbox_dir("job") / "role-2.md").read_text() == "# Role"
    assert (settings.inbox_dir("job") / "role.md").read_text() == "another file waiting"


def test_retry_errors(client, engine, settings):
    assert client.post("/failed/999/retry", headers={"X-CSRF-Token": csrf(client)}).status_code == 404
    failure_id, _, path = quarantine(engine, settings)
    path.unlink()
    response = client.post(
        f"/failed/{failure_id}/retry", headers={"X-CSRF-Token": csrf(client), "Accept": "application/json"}
    )
    assert response.status_code == 410 and "no longer in inbox/failed/" in response.json()["error"]
    with Session(engine) as session:
        failure = session.get(Failure, failure_id)
        failure.quarantined_path = "/etc/passwd"
        session.add(failure)
        session.commit()
    response = client.post(f"/failed/{failure_id}/retry", headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 409 and "outside inbox/failed/" in response.text
    assert client.post(f"/failed/{failure_id}/retry").status_code == 403


# --- login -----------------------------------------------------------------------------------


@pytest.fixture
def locked(tmp_path):
    settings = ui_settings(tmp_path / "locked", SHORTLIST_PASSWORD="open sesame", SHORTLIST_SECRET="s3cret")
    with client_for(settings) as client:
        yield client


def test_team_pages_ask_for_the_password(locked):
    response = locked.get("/jobs?x=1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/jobs%3Fx%3D1"
    assert locked.get("/jobs.json").status_code == 401
    assert locked.get("/candidates/1", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/login"
    assert locked.get("/", follow_redirects=False).headers["location"] == "/check"
    for public in ("/check", "/healthz", "/login", "/static/shortlist.css"):
        assert locked.get(public).status_code == 200, public
    assert locked.get("/metrics").status_code == 200
    assert locked.get("/events").status_code == 401


def test_login_with_the_right_password(locked):
    token = csrf(locked)
    wrong = locked.post("/login", data={"password": "nope", "next": "/jobs", "csrf_token": token})
    assert wrong.status_code == 401 and "That password is not right." in wrong.text
    response = locked.post(
        "/login", data={"password": "open sesame", "next": "/failed", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/failed"
    assert SESSION_COOKIE in response.cookies
    assert locked.get("/jobs").status_code == 200
    assert "Log out" in locked.get("/jobs").text
    response = locked.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/check"
    assert locked.get("/jobs", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(locked):
    token = csrf(locked)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = locked.post(
            "/login", data={"password": "open sesame", "next": target, "csrf_token": token}, follow_redirects=False
        )
        assert response.headers["location"] == "/jobs"


def test_login_needs_csrf_and_a_forged_session_is_refused(locked):
    assert locked.post("/login", data={"password": "open sesame"}).status_code == 403
    locked.cookies.set(SESSION_COOKIE, Signer("guess").new_session())
    assert locked.get("/jobs", follow_redirects=False).status_code == 303


def test_without_a_configured_secret_the_key_survives_a_restart(settings):
    from ui.security import stored_secret

    first = stored_secret(settings.store)
    assert stored_secret(settings.store) == first and len(first) == 64
    assert (settings.store / ".secret").stat().st_mode & 0o777 == 0o600
    assert Signer(first).unsign(Signer(stored_secret(settings.store)).sign("x", "csrf"), "csrf") == "x"


def test_a_session_expires_and_a_token_is_bound_to_its_purpose(monkeypatch):
    import time as clock

    from ui.security import SESSION_SECONDS

    signer = Signer("secret")
    cookie = signer.new_session()
    assert signer.session_ok(cookie) and not signer.csrf_ok(cookie, cookie)  # a session is no CSRF token
    issued = clock.time()
    monkeypatch.setattr(clock, "time", lambda: issued + SESSION_SECONDS + 5)
    assert not signer.session_ok(cookie)
    assert not signer.session_ok(cookie[:-1]) and not signer.session_ok("") and not signer.session_ok(None)
