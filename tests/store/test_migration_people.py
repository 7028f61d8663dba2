"""Migration 0004_people carries a database written before it forward (and back): versions, emails, matches, views."""

from __future__ import annotations

import sqlite3

from alembic import command

from store.db import _alembic_config, make_engine, migration_transaction


def _at(url: str, revision: str, down: bool = False) -> None:
    engine = make_engine(url)
    config = _alembic_config(url)
    with migration_transaction(engine) as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


# The rows the writer made before people existed: one candidate known by email with two versions, one job, and
# the match of the current version. (Written in SQL because the code that wrote them is gone.)
BEFORE = """
INSERT INTO job (id, identity, title, current_document_id, versions, created_at, updated_at)
  VALUES (1, 'file:java', 'Java Developer', 3, 1, '2026-01-01', '2026-01-01');
INSERT INTO candidate (id, identity, name, email, current_document_id, versions, created_at, updated_at)
  VALUES (1, 'email:ada@engines.org', 'Ada Lovelace', 'Ada@Engines.org', 2, 2, '2026-01-01', '2026-02-01');
INSERT INTO document (id, sha256, kind, filename, format, size_bytes, pages, engine, stored_path, text, candidate_id,
                      version, taxonomy_version, created_at)
  VALUES (1, 'a', 'resume', 'ada-2025.txt', 'txt', 1, 1, 'text', 'a.txt', 'Ada old', 1, 1, 't', '2026-01-01'),
         (2, 'b', 'resume', 'ada-2026.txt', 'txt', 1, 1, 'text', 'b.txt', 'Ada new', 1, 2, 't', '2026-02-01');
INSERT INTO document (id, sha256, kind, filename, format, size_bytes, pages, engine, stored_path, text, job_id,
                      version, taxonomy_version, created_at)
  VALUES (3, 'c', 'job', 'java.md', 'md', 1, 1, 'text', 'c.md', 'Java', 1, 1, 't', '2026-01-01');
INSERT INTO match (id, job_id, candidate_id, resume_document_id, job_document_id, score, required_total,
                   required_matched, preferred_total, preferred_matched, taxonomy_version, computed_at, model_version)
  VALUES (1, 1, 1, 2, 3, 80.0, 2, 2, 0, 0, 't', '2026-02-01', 'm');
INSERT INTO match_skill (match_id, skill, requirement, matched) VALUES (1, 'Java', 'required', 1);
INSERT INTO skill_mention (document_id, skill, category, surface, start, "end", snippet)
  VALUES (2, 'Java', 'languages', 'Java', 0, 4, 'Java');
INSERT INTO decision (job_id, candidate_id, status, note, updated_at) VALUES (1, 1, 'shortlisted', '', '2026-02-01');
"""
KEPT = ("match", "match_skill", "skill_mention", "decision", "document", "candidate")


def _counts(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in KEPT}


def test_an_existing_database_upgrades_to_people_and_back(tmp_path):
    path = tmp_path / "shortlist.db"
    url = f"sqlite:///{path}"
    _at(url, "0003_rescore")
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE)
        before = _counts(db)
    db.close()
    _at(url, "0004_people")
    with sqlite3.connect(path) as db:
        assert db.execute(
            "SELECT id, \"current\", email FROM document WHERE kind = 'resume' ORDER BY id"
        ).fetchall() == [(1, 0, "ada@engines.org"), (2, 1, "ada@engines.org")]
        assert db.execute("SELECT candidate, resume_file, score, coverage FROM ranking").fetchall() == [
            ("Ada Lovelace", "ada-2026.txt", 80.0, None)
        ]
        assert db.execute("SELECT best FROM match").fetchall() == [(1,)]
        assert db.execute("SELECT touched_at FROM candidate").fetchall() == [("2026-02-01",)]
        assert db.execute("SELECT count(*) FROM audit").fetchall() == [(0,)]
        assert _counts(db) == before  # rebuilding match (its unique key) cascaded into nothing
    db.close()
    _at(url, "0003_rescore", down=True)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT candidate, score FROM ranking").fetchall() == [("Ada Lovelace", 80.0)]
        columns = {row[1] for row in db.execute("PRAGMA table_info(document)")}
        assert "current" not in columns and "email" not in columns
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'audit'").fetchall() == []
        assert _counts(db) == before
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
