"""match_skill keyed by (match_id, skill, requirement), on SQLite a WITHOUT ROWID table: a match's skill rows stay
together however often a re-score rewrites them (with a rowid they scatter over the file, one edit after another)

Revision ID: 0006_match_skill_key
Revises: 0005_scale
Create Date: 2026-12-02
"""

from alembic import op


revision = "0006_match_skill_key"
down_revision = "0005_scale"
branch_labels = None
depends_on = None

COLUMNS = "match_id, skill, requirement, matched, relation, via"
SQLITE_TABLE = """CREATE TABLE {name} (
    {id}match_id INTEGER NOT NULL,
    skill VARCHAR(100) NOT NULL,
    requirement VARCHAR(10) NOT NULL,
    matched BOOLEAN NOT NULL,
    relation VARCHAR(10),
    via VARCHAR(100),
    PRIMARY KEY ({key}),
    FOREIGN KEY(match_id) REFERENCES "match" (id) ON DELETE CASCADE
){suffix}"""


def _sqlite_swap(table: str, copy: str) -> None:
    """SQLite cannot change a primary key in place: the rows are copied into `table` (made as match_skill_new),
    the old table dropped and the new one renamed."""
    op.execute(table)
    op.execute(copy)
    op.execute("DROP TABLE match_skill")
    op.execute("ALTER TABLE match_skill_new RENAME TO match_skill")
    op.execute("CREATE INDEX ix_match_skill_skill ON match_skill (skill, matched)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap(
            SQLITE_TABLE.format(
                name="match_skill_new", id="", key="match_id, skill, requirement", suffix=" WITHOUT ROWID"
            ),
            # a job skill appears once in a match; were a row there twice, the first is kept
            f"INSERT OR IGNORE INTO match_skill_new ({COLUMNS}) SELECT {COLUMNS} FROM match_skill "
            "ORDER BY match_id, skill, requirement, id",
        )
        return
    op.execute(
        "DELETE FROM match_skill a USING match_skill b WHERE a.match_id = b.match_id AND a.skill = b.skill "
        "AND a.requirement = b.requirement AND a.id > b.id"
    )
    op.execute("ALTER TABLE match_skill DROP COLUMN id")  # its primary key and sequence go with it
    op.execute("ALTER TABLE match_skill ADD CONSTRAINT match_skill_pkey PRIMARY KEY (match_id, skill, requirement)")
    op.execute("DROP INDEX ix_match_skill_match_id")  # the key's first column serves


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap(
            SQLITE_TABLE.format(name="match_skill_new", id="id INTEGER NOT NULL,\n    ", key="id", suffix=""),
            f"INSERT INTO match_skill_new ({COLUMNS}) SELECT {COLUMNS} FROM match_skill ORDER BY match_id",
        )
        op.execute("CREATE INDEX ix_match_skill_match_id ON match_skill (match_id)")
        return
    op.execute("ALTER TABLE match_skill DROP CONSTRAINT match_skill_pkey")
    op.execute("ALTER TABLE match_skill ADD COLUMN id SERIAL PRIMARY KEY")
    op.execute("CREATE INDEX ix_match_skill_match_id ON match_skill (match_id)")
