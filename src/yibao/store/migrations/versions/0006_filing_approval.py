"""Cross-region filings are recorded, then approved (备案审核): a status and who recorded it.
Filings already stored count as approved, as they did.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cross_region_filings") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="approved")
        )
        batch.add_column(
            sa.Column("recorded_by", sa.String(length=60), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("cross_region_filings") as batch:
        batch.drop_column("recorded_by")
        batch.drop_column("status")
