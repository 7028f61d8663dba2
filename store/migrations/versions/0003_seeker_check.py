"""seeker_check: a job seeker's private check result, kept apart from the hiring tables

Revision ID: 0003_seeker_check
Revises: 0002_job_status
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_seeker_check"
down_revision = "0002_job_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seeker_check",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("report", sa.Text(), server_default="", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_seeker_check_created_at", "seeker_check", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_seeker_check_created_at", table_name="seeker_check")
    op.drop_table("seeker_check")
