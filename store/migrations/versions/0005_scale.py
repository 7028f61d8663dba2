"""scale out: the claim table (watchers' leases on files) and, on PostgreSQL, NOTIFY on every new event

Revision ID: 0005_scale
Revises: 0004_people
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0005_scale"
down_revision = "0004_people"
branch_labels = None
depends_on = None

# PostgreSQL only: the web's change feed LISTENs on this channel (ui/feed.py); the notification is sent when the
# inserting transaction commits, so it wakes readers on any host exactly when the rows become visible.
NOTIFY_FUNCTION = """CREATE OR REPLACE FUNCTION shortlist_event_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('shortlist_events', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""
NOTIFY_TRIGGER = """CREATE TRIGGER shortlist_event_notify AFTER INSERT ON event
    FOR EACH STATEMENT EXECUTE FUNCTION shortlist_event_notify()"""


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_owner"), ["owner"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS shortlist_event_notify ON event")
        op.execute("DROP FUNCTION IF EXISTS shortlist_event_notify()")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_owner"))
    op.drop_table("claim")
