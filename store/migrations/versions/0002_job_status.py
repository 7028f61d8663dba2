"""job status: open or closed

Revision ID: 0002_job_status
Revises: 0001
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_job_status"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=8), nullable=False, server_default="open"))


def downgrade() -> None:
    # SQLite rebuilds `job` in a batch and refuses to rename the copy while a view names the table: the ranking
    # view (as 0001 made it; later revisions' views are gone by now) is dropped around the rebuild.
    from importlib import import_module

    initial = import_module("store.migrations.versions.0001_initial_schema")
    op.execute("DROP VIEW IF EXISTS ranking")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("status")
    op.execute(next(v for v in initial.VIEWS if "VIEW ranking" in v))
