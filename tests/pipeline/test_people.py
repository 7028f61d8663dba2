"""People through the real pipeline: template addresses, tailored resumes, shared file names, one resume in two
files, new versions; merge, split and undo on the web; blind review; retention; the subject access export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline import retention
from pipeline.ingest import Ingestor
from pipeline.metrics import PipelineMetrics
from tests.fixtures import make_docx, make_pdf
from tests.instance import db_rows
from tests.ui.support import client_for, csrf

JAVA_JOB = """Java Developer
Requirements
- Java and Spring Boot in production
- SQL and PostgreSQL
Nice to have
- Docker
"""
ACCOUNTANT_JOB = """Staff Accountant
Requirements
- Accounts payable and accounts receivable
- Microsoft Excel and QuickBooks
- General ledger reconciliations
"""
SUPPORT_JOB = """Desktop Support Technician
Requirements
- Active Directory and Windows troubleshooting
- Help desk ticketing with ServiceNow
- Office 365 administration
"""


def resume(name: str, email: str | None, body: str, phone: str = "") -> str:
    contact = " | ".join(part for part in (email, phone) if part)
    return f"{name}\n{contact}\n\nExperience\n{body}\n"


JAVA = (
    "Java Developer, Northwind Traders, 2018 - 2024\nBuilt Java services with Spring Boot on PostgreSQL and SQL, "
    "shipped in Docker.\nSkills: Java, Spring Boot, SQL, PostgreSQL, Docker"
)
ACCOUNTS = (
    "Staff Accountant, Fabrikam, 2016 - 2023\nRan accounts payable and accounts receivable, general ledger "
    "reconciliations in QuickBooks and Microsoft Excel.\nSkills: QuickBooks, Microsoft Excel, accounts payable"
)
SUPPORT = (
    "Desktop Support Technician, Contoso, 2019 - 2024\nSupported Windows users, Active Directory accounts and "
    "Office 365; worked the help desk queue in ServiceNow.\nSkills: Active Directory, ServiceNow, Office 365"
)


@pytest.fixture
def ingestor(settings, engine):
    ingestor = Ingestor(settings, engine, PipelineMetrics())
    yield ingestor
    ingestor.close()


def drop(ingestor: Ingestor, settings, kind: str, name: str, data: str | bytes) -> int:
    path: Path = settings.inbox_dir(kind) / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    outcome = ingestor.process([path])[0]
    assert outcome.outcome == "scored", outcome
    return outcome.document_id


def ranking(settings, title: str) -> list[tuple]:
    """(candidate, resume file, score) of a job, best first, from the `ranking` view analysts query."""
    return db_rows(
        settings,
        "SELECT candidate, resume_file, score FROM ranking WHERE job_title = ? ORDER BY score DESC, candidate",
        title,
    )


def test_five_resumes_from_one_template_stay_five_people(settings, ingestor):
    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    people = {
        "Alan Turing": JAVA,
        "Grace Hopper": ACCOUNTS,
        "Linus Pauling": SUPPORT,
        "Rosa Parks": ACCOUNTS,
        "Ada Byron": SUPPORT,
    }
    for name, body in people.items():
        drop(ingestor, settings, "resume", f"{name.split()[0].lower()}.txt", resume(name, "yourname@example.com", body))
    rows = ranking(settings, "Java Developer")
    assert sorted(row[0] for row in rows) == sorted(people)  # nobody vanished behind another's file
    assert rows[0][:2] == ("Alan Turing", "alan.txt")
    pairs = db_rows(settings, "SELECT count(*), min(status), max(status) FROM duplicate_pair")
    assert pairs == [(10, "open", "open")]  # every two of the five, flagged for a person, merged by nobody
    reasons = json.loads(db_rows(settings, "SELECT reasons FROM duplicate_pair LIMIT 1")[0][0])
    assert reasons["agree"] == ["email (placeholder or shared)"] and reasons["disagree"] == ["name"]


def test_a_tailored_resume_never_takes_another_resume_off_a_ranking(settings, ingestor):
    drop(ingestor, settings, "job", "accountant.md", ACCOUNTANT_JOB)
    drop(ingestor, settings, "job", "support.md", SUPPORT_JOB)
    drop(ingestor, settings, "resume", "ada-accounts.txt", resume("Ada Lovelace", "ada@engines.org", ACCOUNTS))
    before = ranking(settings, "Staff Accountant")
    assert [row[:2] for row in before] == [("Ada Lovelace", "ada-accounts.txt")]
    drop(ingestor, settings, "resume", "ada-support.txt", resume("Ada Lovelace", "ada@engines.org", SUPPORT))
    assert db_rows(settings, "SELECT count(*) FROM candidate") == [(1,)]
    assert ranking(settings, "Staff Accountant") == before  # the accountant resume still ranks, unchanged
    assert [row[:2] for row in ranking(settings, "Desktop Support Technician")] == [("Ada Lovelace", "ada-support.txt")]
    assert db_rows(settings, "SELECT count(*) FROM document WHERE kind = 'resume' AND \"current\"") == [(2,)]


def test_two_people_who_both_send_resume_pdf_stay_two(settings, ingestor):
    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    drop(ingestor, settings, "resume", "resume.pdf", make_pdf(resume("Alan Turing", None, JAVA)))
    drop(ingestor, settings, "resume", "resume.pdf", make_pdf(resume("Grace Hopper", None, ACCOUNTS)))
    drop(ingestor, settings, "resume", "resume.pdf", make_pdf(resume("Grace Hopper", None, SUPPORT)))
    names = db_rows(settings, "SELECT name FROM candidate ORDER BY id")
    assert names == [("Alan Turing",), ("Grace Hopper",), ("Grace Hopper",)]  # a name alone joins nobody...
    assert db_rows(settings, "SELECT candidate_id, other_id, reasons FROM duplicate_pair") == [
        (2, 3, json.dumps({"agree": ["name"], "disagree": []}))
    ]  # ...but is shown as a possible duplicate
    assert len(ranking(settings, "Java Developer")) == 3


def test_one_resume_in_two_files_is_one_resume(settings, ingestor):
    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    text = resume("Alan Turing", "alan@bletchley.org", JAVA, "(415) 555-0134")
    pdf = drop(ingestor, settings, "resume", "alan.pdf", make_pdf(text))
    docx = drop(ingestor, settings, "resume", "alan.docx", make_docx(text.splitlines()))
    rows = db_rows(
        settings, "SELECT id, candidate_id, same_as, \"current\", phone FROM document WHERE kind = 'resume' ORDER BY id"
    )
    assert rows == [(pdf, 1, None, 1, "+14155550134"), (docx, 1, pdf, 0, "+14155550134")]
    assert db_rows(settings, "SELECT resume_document_id FROM match") == [(pdf,)]


def test_a_new_version_replaces_the_old_one_everywhere(settings, ingestor):
    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    old = drop(ingestor, settings, "resume", "alan-2023.txt", resume("Alan Turing", "alan@bletchley.org", JAVA))
    revised = JAVA.replace("2018 - 2024", "2018 - 2025") + ", Kubernetes"
    new = drop(ingestor, settings, "resume", "alan-2025.txt", resume("Alan Turing", "alan@bletchley.org", revised))
    assert db_rows(settings, "SELECT id, \"current\", replaced_by FROM document WHERE kind = 'resume' ORDER BY id") == [
        (old, 0, new),
        (new, 1, None),
    ]
    assert db_rows(settings, "SELECT resume_document_id FROM match") == [(new,)]
    assert [row[:2] for row in ranking(settings, "Java Developer")] == [("Alan Turing", "alan-2025.txt")]


def test_merge_split_and_undo_on_the_web(settings, ingestor):
    drop(ingestor, settings, "job", "accountant.md", ACCOUNTANT_JOB)
    drop(ingestor, settings, "job", "support.md", SUPPORT_JOB)
    first = drop(ingestor, settings, "resume", "ada-work.txt", resume("Ada Lovelace", "ada@engines.org", ACCOUNTS))
    second = drop(ingestor, settings, "resume", "ada-home.txt", resume("Ada Lovelace", "ada@home.net", SUPPORT))
    with client_for(settings) as client:
        headers = {"X-CSRF-Token": csrf(client), "Accept": "application/json"}
        pairs = client.get("/people.json").json()["pairs"]
        assert [(p["candidate_id"], p["other_id"], p["reasons"]) for p in pairs] == [
            (1, 2, {"agree": ["name"], "disagree": ["email"]})
        ]
        assert client.post(f"/people/pairs/{pairs[0]['id']}/merge").status_code == 403  # no CSRF token
        merged = client.post(f"/people/pairs/{pairs[0]['id']}/merge", headers=headers).json()
        assert merged["documents"] == [second]
        person = client.get("/candidates/1.json").json()["candidate"]
        assert {r["id"]: [j["title"] for j in r["used_by"]] for r in person["resumes"]} == {
            first: ["Staff Accountant"],
            second: ["Desktop Support Technician"],
        }
        assert client.get("/candidates/2", follow_redirects=False).headers["location"] == "/candidates/1"
        client.post(f"/people/changes/{merged['change']}/undo", headers=headers).raise_for_status()
        assert db_rows(settings, "SELECT candidate_id FROM document WHERE kind = 'resume' ORDER BY id") == [(1,), (2,)]
        assert db_rows(settings, "SELECT status FROM duplicate_pair") == [("open",)]
        client.post(f"/people/pairs/{pairs[0]['id']}/merge", headers=headers).raise_for_status()
        split = client.post("/candidates/1/split", data={"document": str(second)}, headers=headers).json()
        assert db_rows(settings, "SELECT candidate_id FROM document WHERE id = ?", second) == [(split["other_id"],)]
        client.post(f"/people/changes/{split['change']}/undo", headers=headers).raise_for_status()
        assert db_rows(settings, "SELECT candidate_id FROM document WHERE id = ?", second) == [(1,)]
    kinds = [row[0] for row in db_rows(settings, "SELECT kind FROM event WHERE kind LIKE 'person.%' ORDER BY id")]
    assert kinds == [
        "person.possible_duplicate",
        "person.merged",
        "person.unmerged",
        "person.merged",
        "person.split",
        "person.unsplit",
    ]
    assert [row[0] for row in db_rows(settings, "SELECT action FROM audit ORDER BY id")] == [
        "merge",
        "undo",
        "merge",
        "split",
        "undo",
    ]


def test_blind_review_hides_identity_until_a_reveal_on_purpose(settings, ingestor):
    job = drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    drop(
        ingestor,
        settings,
        "resume",
        "alan-turing.txt",
        resume("Alan Turing", "alan@bletchley.org", JAVA, "(415) 555-0134") + "github.com/aturing\n",
    )
    job_id = db_rows(settings, "SELECT job_id FROM document WHERE id = ?", job)[0][0]
    with client_for(settings) as client:
        headers = {"X-CSRF-Token": csrf(client), "Accept": "application/json"}
        client.post(f"/jobs/{job_id}/blind", data={"blind": "on"}, headers=headers).raise_for_status()
        row = client.get(f"/jobs/{job_id}.json").json()["candidates"][0]
        assert (row["name"], row["email"]) == ("Candidate 1", None)
        assert row["resume_file"] == f"resume {row['resume_document_id']}"
        csv = client.get(f"/jobs/{job_id}.csv").text
        page = client.get("/candidates/1.json").json()["candidate"]
        shown = json.dumps(page) + csv
        for secret in ("Turing", "bletchley", "555-0134", "aturing", "alan-turing.txt"):
            assert secret not in shown
        assert client.get(f"/documents/{page['document']['id']}/original").status_code == 403
        assert client.post("/candidates/1/reveal", data={"reason": ""}, headers=headers).status_code == 400
        client.post("/candidates/1/reveal", data={"reason": "invited to interview"}, headers=headers)
        assert client.get(f"/jobs/{job_id}.json").json()["candidates"][0]["name"] == "Alan Turing"
    assert db_rows(settings, "SELECT action, candidate_id, detail FROM audit WHERE action = 'reveal'") == [
        ("reveal", 1, json.dumps({"reason": "invited to interview"}))
    ]


def test_retention_erases_everything_of_an_expired_candidate_and_nothing_else(settings, ingestor, engine):
    from dataclasses import replace

    from store.db import session_scope
    from ui import actions

    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    old = drop(ingestor, settings, "resume", "alan.pdf", make_pdf(resume("Alan Turing", "alan@bletchley.org", JAVA)))
    copy = drop(
        ingestor,
        settings,
        "resume",
        "alan.docx",
        make_docx(resume("Alan Turing", "alan@bletchley.org", JAVA).splitlines()),
    )
    with session_scope(engine) as session:
        actions.decide(session, 1, 1, status="shortlisted", note="strong Java")
    keep = drop(ingestor, settings, "resume", "grace.txt", resume("Grace Hopper", "grace@navy.mil", JAVA))
    files = {row[0]: Path(row[1]) for row in db_rows(settings, "SELECT id, stored_path FROM document")}
    before = {
        table: db_rows(settings, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("document", "skill_mention", "match", "match_skill", "event")
    }
    expired_at, kept_at = (
        datetime.fromisoformat(row[0]) for row in db_rows(settings, "SELECT touched_at FROM candidate ORDER BY id")
    )
    days = 30.0
    now = (expired_at + (kept_at - expired_at) / 2 + timedelta(days=days)).replace(tzinfo=timezone.utc)
    assert retention.run(replace(settings, retention_days=days), engine, now) == [1]

    assert db_rows(settings, "SELECT id, name FROM candidate") == [(2, "Grace Hopper")]
    assert db_rows(settings, "SELECT id FROM document WHERE kind = 'resume'") == [(keep,)]
    gone = {
        "skill_mention": "document_id IN (?, ?)",
        "match": "resume_document_id IN (?, ?)",
        "event": "(document_id IN (?, ?) OR candidate_id = 1) AND kind != 'candidate.deleted'",
        "decision": "candidate_id = 1 AND ? + ? > 0",
    }
    for table, where in gone.items():
        assert db_rows(settings, f"SELECT count(*) FROM {table} WHERE {where}", old, copy) == [(0,)], table
    assert not files[old].exists() and not files[copy].exists() and files[keep].exists()
    assert db_rows(settings, "SELECT count(*) FROM document WHERE text LIKE '%Turing%'") == [(0,)]
    after = {table: db_rows(settings, f"SELECT count(*) FROM {table}")[0][0] for table in before}
    assert after["document"] == before["document"] - 2
    assert after["match"] == before["match"] - 1  # the copy had no match of its own
    assert db_rows(settings, "SELECT count(*) FROM match WHERE resume_document_id = ?", keep) == [(1,)]
    assert db_rows(settings, "SELECT actor, action, candidate_id FROM audit WHERE action = 'erase'") == [
        ("retention", "erase", 1)
    ]
    assert retention.run(replace(settings, retention_days=days), engine, now) == []  # nothing else is due


def test_a_subject_access_export_holds_the_persons_data_and_is_audited(settings, ingestor):
    drop(ingestor, settings, "job", "java.md", JAVA_JOB)
    drop(ingestor, settings, "resume", "alan.txt", resume("Alan Turing", "alan@bletchley.org", JAVA))
    with client_for(settings) as client:
        assert client.post("/candidates/1/export").status_code == 403
        response = client.post("/candidates/1/export", headers={"X-CSRF-Token": csrf(client)})
        assert response.headers["content-disposition"] == 'attachment; filename="candidate-1-export.json"'
        data = response.json()
        assert data["candidate"]["name"] == "Alan Turing" and "Spring Boot" in data["documents"][0]["text"]
        assert [m["job_id"] for m in data["matches"]] == [1]
        assert client.get("/audit.json?action=export").json()["entries"][0]["candidate_id"] == 1
