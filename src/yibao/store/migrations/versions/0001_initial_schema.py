"""Initial schema: registry, accumulators, settlements, ledger, audit log, API keys.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=24), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("person_id", sa.String(length=40), nullable=True),
        sa.Column("provider_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "contribution_runs",
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("journals", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("region", "month", name=op.f("pk_contribution_runs")),
    )
    op.create_table(
        "employers",
        sa.Column("employer_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("employer_id", name=op.f("pk_employers")),
    )
    op.create_table(
        "journals",
        sa.Column("journal_id", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("journal_id", name=op.f("pk_journals")),
    )
    op.create_index(op.f("ix_journals_day"), "journals", ["day"], unique=False)
    op.create_index(op.f("ix_journals_ref"), "journals", ["ref"], unique=False)
    op.create_table(
        "persons",
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("account_balance", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number", name=op.f("uq_persons_id_number")),
    )
    op.create_table(
        "accumulators",
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name=op.f("fk_accumulators_person_id")
        ),
        sa.PrimaryKeyConstraint("person_id", "year", name=op.f("pk_accumulators")),
    )
    op.create_table(
        "assistance_categories",
        sa.Column("assistance_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name=op.f("fk_assistance_categories_person_id")
        ),
        sa.PrimaryKeyConstraint("assistance_id", name=op.f("pk_assistance_categories")),
    )
    op.create_index(
        op.f("ix_assistance_categories_person_id"),
        "assistance_categories",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "cross_region_filings",
        sa.Column("filing_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name=op.f("fk_cross_region_filings_person_id")
        ),
        sa.PrimaryKeyConstraint("filing_id", name=op.f("pk_cross_region_filings")),
    )
    op.create_index(
        op.f("ix_cross_region_filings_person_id"),
        "cross_region_filings",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "enrollments",
        sa.Column("enrollment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("person_type", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("employer_id", sa.String(length=40), nullable=True),
        sa.Column("wage", sa.BigInteger(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.employer_id"], name=op.f("fk_enrollments_employer_id")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name=op.f("fk_enrollments_person_id")
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_enrollments")),
    )
    op.create_index(op.f("ix_enrollments_person_id"), "enrollments", ["person_id"], unique=False)
    op.create_table(
        "postings",
        sa.Column("posting_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("journal_id", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("fund", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("sub", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journals.journal_id"], name=op.f("fk_postings_journal_id")
        ),
        sa.PrimaryKeyConstraint("posting_id", name=op.f("pk_postings")),
    )
    op.create_index(op.f("ix_postings_journal_id"), "postings", ["journal_id"], unique=False)
    op.create_index("ix_postings_region_fund", "postings", ["region", "fund"], unique=False)
    op.create_table(
        "settlements",
        sa.Column("settlement_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("claim_no", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("insured_region", sa.String(length=6), nullable=False),
        sa.Column("treatment_region", sa.String(length=6), nullable=False),
        sa.Column("visit", sa.String(length=24), nullable=False),
        sa.Column("settle_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("journal_id", sa.String(length=200), nullable=False),
        sa.Column("reversal_journal_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name=op.f("fk_settlements_person_id")
        ),
        sa.PrimaryKeyConstraint("settlement_id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("provider_id", "claim_no", name="uq_settlements_provider_claim"),
    )
    op.create_index(op.f("ix_settlements_person_id"), "settlements", ["person_id"], unique=False)


def downgrade() -> None:

    op.drop_index(op.f("ix_settlements_person_id"), table_name="settlements")
    op.drop_table("settlements")
    op.drop_index("ix_postings_region_fund", table_name="postings")
    op.drop_index(op.f("ix_postings_journal_id"), table_name="postings")
    op.drop_table("postings")
    op.drop_index(op.f("ix_enrollments_person_id"), table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_index(op.f("ix_cross_region_filings_person_id"), table_name="cross_region_filings")
    op.drop_table("cross_region_filings")
    op.drop_index(op.f("ix_assistance_categories_person_id"), table_name="assistance_categories")
    op.drop_table("assistance_categories")
    op.drop_table("accumulators")
    op.drop_table("persons")
    op.drop_index(op.f("ix_journals_ref"), table_name="journals")
    op.drop_index(op.f("ix_journals_day"), table_name="journals")
    op.drop_table("journals")
    op.drop_table("employers")
    op.drop_table("contribution_runs")
    op.drop_table("audit_log")
    op.drop_table("api_keys")
