"""The migrations form one linear chain, and go up to head, down to nothing and up again on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from store.db import _alembic_config, make_engine, migration_transaction
from tests.instance import db_rows

DATABASES = ("sqlite", "postgresql")  # each test that uses the instance runs on both

CHAIN = [
    "0001",
    "0002_job_status",
    "0003_seeker_check",
    "0002_match_components",
    "0003_rescore",
    "0004_people",
    "0005_scale",
    "0006_match_skill_key",
]


def _to(url: str, revision: str, down: bool = False) -> tuple[set[str], set[str]]:
    """Migrate to `revision`; returns the tables and views there are then."""
    engine = make_engine(url)
    config = _alembic_config(url)
    try:
        with migration_transaction(engine) as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
        found = inspect(engine)
        return set(found.get_table_names()) - {"alembic_version"}, set(found.get_view_names())
    finally:
        engine.dispose()


def test_the_revisions_are_one_linear_chain():
    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    assert [revision.revision for revision in script.walk_revisions()][::-1] == CHAIN
    assert script.get_heads() == [CHAIN[-1]]


def test_every_migration_goes_up_and_down(database, database_url, tmp_path):
    url = database_url or f"sqlite:///{tmp_path / 'shortlist.db'}"
    tables, views = _to(url, "head")
    assert {"claim", "duplicate_pair", "audit", "match", "document"} <= tables
    assert {"ranking", "candidate_skills", "possible_duplicates"} <= views
    assert _to(url, "0003_rescore", down=True)[0] == tables - {
        "claim",
        "duplicate_pair",
        "person_change",
        "reveal",
        "audit",
    }
    assert _to(url, "base", down=True) == (set(), set())
    assert _to(url, "head") == (tables, views)


def _skill_rows(settings) -> list[tuple]:
    return sorted(
        (m, s, r, bool(x), rel, via)
        for m, s, r, x, rel, via in db_rows(
            settings, "SELECT match_id, skill, requirement, matched, relation, via FROM match_skill"
        )
    )


def test_match_skill_keyed_by_match_and_skill_keeps_every_row_and_drops_a_doubled_one(settings, seeder):
    """0006 turns match_skill's rowid key into (match_id, skill, requirement): the rows a store holds come through
    it down and up again, and a row written twice under 0005 is kept once."""
    seeder.job("Backend Engineer", ["Python", "Docker"], ["Redis"], 3)
    for name, skills in (("Ada Lovelace", ["Python", "Redis"]), ("Alan Turing", ["Docker"])):
        seeder.resume(name, skills, 4)
    rows = _skill_rows(settings)
    assert len(rows) == 6 and any(row[4] is None for row in rows)
    _to(settings.database_url, "0005_scale", down=True)
    assert _skill_rows(settings) == rows
    first = rows[0]
    db_rows(
        settings,
        "INSERT INTO match_skill (match_id, skill, requirement, matched, relation, via) VALUES (?, ?, ?, ?, ?, ?)",
        *first,
    )
    assert len(_skill_rows(settings)) == 7
    _to(settings.database_url, "head")
    assert _skill_rows(settings) == rows
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db_rows(
            settings,
            "INSERT INTO match_skill (match_id, skill, requirement, matched, relation, via) VALUES (?, ?, ?, ?, ?, ?)",
            *first,
        )
