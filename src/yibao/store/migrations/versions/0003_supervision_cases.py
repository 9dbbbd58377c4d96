"""Supervision cases (稽核案件) and their append-only transition events.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_cases",
        sa.Column("case_id", sa.String(length=60), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("fund", sa.String(length=24), nullable=False),
        sa.Column("rule_codes", sa.JSON(), nullable=False),
        sa.Column("claim_ids", sa.JSON(), nullable=False),
        sa.Column("flagged_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("journal_id", sa.String(length=200), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_supervision_cases")),
    )
    op.create_index(op.f("ix_supervision_cases_provider_id"), "supervision_cases", ["provider_id"])
    op.create_index(op.f("ix_supervision_cases_region"), "supervision_cases", ["region"])
    op.create_table(
        "supervision_case_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=60), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_cases.case_id"],
            name=op.f("fk_supervision_case_events_case_id"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_supervision_case_events")),
    )
    op.create_index(
        op.f("ix_supervision_case_events_case_id"), "supervision_case_events", ["case_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_supervision_case_events_case_id"), table_name="supervision_case_events")
    op.drop_table("supervision_case_events")
    op.drop_index(op.f("ix_supervision_cases_region"), table_name="supervision_cases")
    op.drop_index(op.f("ix_supervision_cases_provider_id"), table_name="supervision_cases")
    op.drop_table("supervision_cases")
