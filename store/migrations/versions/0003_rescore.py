"""rescore: progress of the batched re-extraction and re-scoring after a taxonomy change

Revision ID: 0003_rescore
Revises: 0002_match_components
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0003_rescore"
down_revision = "0002_match_components"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rescore",
        sa.Column("process", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("taxonomy_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("documents_left", sa.Integer(), nullable=False),
        sa.Column("matches_left", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("process"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index("ix_document_kind_taxonomy", ["kind", "taxonomy_version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_kind_taxonomy")
    op.drop_table("rescore")
