"""match components: every part of a score, the model version, and how each matched skill was answered

Revision ID: 0002_match_components
Revises: 0003_seeker_check
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0002_match_components"
down_revision = "0003_seeker_check"
branch_labels = None
depends_on = None

MATCH_COLUMNS = ("coverage", "depth", "text_relevance", "role_fit", "experience_fit")
RANKING_VIEW = """CREATE VIEW ranking AS
    SELECT m.job_id, j.title AS job_title, m.candidate_id, c.name AS candidate, c.email,
           m.score, m.required_matched, m.required_total, m.preferred_matched, m.preferred_total,
           m.resume_years, m.job_years, m.coverage, m.depth, m.text_relevance, m.role_fit, m.experience_fit,
           m.model_version, COALESCE(d.status, 'new') AS status, m.computed_at
    FROM match m
    JOIN job j ON j.id = m.job_id
    JOIN candidate c ON c.id = m.candidate_id
    LEFT JOIN decision d ON d.job_id = m.job_id AND d.candidate_id = m.candidate_id"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS ranking")
    with op.batch_alter_table("match") as batch:
        for name in MATCH_COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("match_skill") as batch:
        batch.add_column(sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch.add_column(sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    op.execute(RANKING_VIEW)


def downgrade() -> None:
    from importlib import import_module

    op.execute("DROP VIEW IF EXISTS ranking")
    with op.batch_alter_table("match_skill") as batch:
        batch.drop_column("via")
        batch.drop_column("relation")
    with op.batch_alter_table("match") as batch:
        batch.drop_column("model_version")
        for name in reversed(MATCH_COLUMNS):
            batch.drop_column(name)
    initial = import_module("store.migrations.versions.0001_initial_schema")
    op.execute(next(v for v in initial.VIEWS if "VIEW ranking" in v))
