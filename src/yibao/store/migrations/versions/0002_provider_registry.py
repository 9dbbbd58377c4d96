"""The provider registry (定点医药机构): a settlement needs a registered provider.

On PostgreSQL the settlement's stored result (its trace, ~10 kB of JSON, compressed into
TOAST on every insert) is compressed with LZ4 where the server has it, which costs a
fraction of the default pglz's time on the real-time path.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_providers")),
    )
    op.create_index(op.f("ix_providers_region"), "providers", ["region"], unique=False)
    bind = op.get_bind()
    version = bind.dialect.server_version_info or (0,)
    if bind.dialect.name == "postgresql" and version >= (14,):
        lz4 = bind.exec_driver_sql(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
            " AND 'lz4' = ANY(enumvals)"
        ).first()
        if lz4:
            for column in ("result", "parts"):
                op.execute(f"ALTER TABLE settlements ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    op.drop_index(op.f("ix_providers_region"), table_name="providers")
    op.drop_table("providers")
