"""people: identity signals per document, every resume of a person scored, possible duplicates, merges, blind
review, reveals and the audit log

Revision ID: 0004_people
Revises: 0003_rescore
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0004_people"
down_revision = "0003_rescore"  # main's head when last merged: 0001, 0002_job_status, 0003_seeker_check,
# 0002_match_components, 0003_rescore
branch_labels = None
depends_on = None

VIEWS = (
    """CREATE VIEW ranking AS
    SELECT m.job_id, j.title AS job_title, m.candidate_id, c.name AS candidate, c.email,
           m.score, m.required_matched, m.required_total, m.preferred_matched, m.preferred_total,
           m.resume_years, m.job_years, m.coverage, m.depth, m.text_relevance, m.role_fit, m.experience_fit,
           m.model_version, COALESCE(d.status, 'new') AS status, m.computed_at,
           m.resume_document_id, r.filename AS resume_file
    FROM match m
    JOIN job j ON j.id = m.job_id
    JOIN candidate c ON c.id = m.candidate_id
    JOIN document r ON r.id = m.resume_document_id
    LEFT JOIN decision d ON d.job_id = m.job_id AND d.candidate_id = m.candidate_id
    WHERE m.best = TRUE""",
    """CREATE VIEW candidate_skills AS
    SELECT DISTINCT c.id AS candidate_id, c.name AS candidate, s.skill, s.category
    FROM candidate c
    JOIN document r ON r.candidate_id = c.id AND r.kind = 'resume' AND r."current" = TRUE AND r.same_as IS NULL
    JOIN skill_mention s ON s.document_id = r.id""",
    """CREATE VIEW possible_duplicates AS
    SELECT p.id, p.candidate_id, a.name AS candidate, p.other_id, b.name AS other, p.reasons, p.status,
           p.created_at, p.decided_at
    FROM duplicate_pair p JOIN candidate a ON a.id = p.candidate_id JOIN candidate b ON b.id = p.other_id""",
)


def _old_views() -> list[str]:
    """The views as 0002 left them (ranking) and 0001 made them (candidate_skills)."""
    from importlib import import_module

    initial = import_module("store.migrations.versions.0001_initial_schema")
    components = import_module("store.migrations.versions.0002_match_components")
    return [components.RANKING_VIEW, next(v for v in initial.VIEWS if "VIEW candidate_skills" in v)]


def _drop_views() -> None:
    for name in ("ranking", "candidate_skills", "possible_duplicates"):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch_op.add_column(sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("person_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("profiles", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("text_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("current", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("replaced_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("same_as", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_document_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_person_name"), ["person_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_text_key"), ["text_key"], unique=False)
    # Existing databases: a resume is current when it is its candidate's current document; its email is kept.
    op.execute("""UPDATE document SET "current" = CASE WHEN kind = 'job' OR id IN
                  (SELECT current_document_id FROM candidate WHERE current_document_id IS NOT NULL)
                  THEN TRUE ELSE FALSE END""")
    op.execute("""UPDATE document SET email =
                  (SELECT lower(c.email) FROM candidate c WHERE c.id = document.candidate_id)
                  WHERE kind = 'resume'""")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("touched_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_candidate_merged_into"), ["merged_into"], unique=False)
    op.execute("UPDATE candidate SET touched_at = updated_at")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blind", sa.Boolean(), nullable=True))
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("best", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.drop_constraint("uq_match_job_candidate", type_="unique")
        batch_op.create_unique_constraint("uq_match_job_resume", ["job_id", "resume_document_id"])
        batch_op.create_index("ix_match_job_candidate", ["job_id", "candidate_id"], unique=False)
    _create_tables()
    for statement in VIEWS:
        op.execute(statement)


def _create_tables() -> None:
    op.create_table(
        "duplicate_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "other_id", name="uq_duplicate_pair"),
    )
    op.create_index("ix_duplicate_pair_candidate_id", "duplicate_pair", ["candidate_id"])
    op.create_index("ix_duplicate_pair_other_id", "duplicate_pair", ["other_id"])
    op.create_table(
        "person_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Text(), server_default="{}", nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_person_change_candidate_id", "person_change", ["candidate_id"])
    op.create_index("ix_person_change_other_id", "person_change", ["other_id"])
    op.create_table(
        "reveal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reveal_candidate_id", "reveal", ["candidate_id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_action", "audit", ["action"])
    op.create_index("ix_audit_candidate_id", "audit", ["candidate_id"])


def downgrade() -> None:
    _drop_views()
    for table in ("audit", "reveal", "person_change", "duplicate_pair"):
        op.drop_table(table)
    op.execute("DELETE FROM match WHERE best = FALSE")
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index("ix_match_job_candidate")
        batch_op.drop_constraint("uq_match_job_resume", type_="unique")
        batch_op.create_unique_constraint("uq_match_job_candidate", ["job_id", "candidate_id"])
        batch_op.drop_column("best")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("blind")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_merged_into"))
        batch_op.drop_column("touched_at")
        batch_op.drop_column("merged_into")
    with op.batch_alter_table("document", schema=None) as batch_op:
        for index in ("ix_document_text_key", "ix_document_person_name", "ix_document_phone", "ix_document_email"):
            batch_op.drop_index(batch_op.f(index))
        for column in ("same_as", "replaced_by", "current", "text_key", "profiles", "person_name", "phone", "email"):
            batch_op.drop_column(column)
    for statement in _old_views():
        op.execute(statement)
