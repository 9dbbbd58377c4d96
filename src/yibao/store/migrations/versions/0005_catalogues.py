"""Imported reimbursement catalogues (医保目录): dated versions per region and their items.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_catalogue_versions")),
        sa.UniqueConstraint("region", "valid_from", name=op.f("uq_catalogue_versions_region")),
    )
    op.create_table(
        "catalogue_items",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("item_class", sa.String(length=1), nullable=False),
        sa.Column("preself_ratio", sa.String(length=8), nullable=True),
        sa.Column("price_cap", sa.BigInteger(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("visit_types", sa.String(length=100), nullable=True),
        sa.Column("fund_ratio", sa.String(length=8), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["catalogue_versions.version_id"],
            name=op.f("fk_catalogue_items_version_id"),
        ),
        sa.PrimaryKeyConstraint("version_id", "code", name=op.f("pk_catalogue_items")),
    )


def downgrade() -> None:
    op.drop_table("catalogue_items")
    op.drop_table("catalogue_versions")
