"""Web console logins (scrypt password hashes, lockout) and their sessions; postings indexed
by sub-account (a person's account transactions are read by it).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("person_id", sa.String(length=40), nullable=True),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_web_users")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["web_users.username"], name=op.f("fk_web_sessions_username")
        ),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_web_sessions")),
    )

    op.create_index("ix_postings_sub", "postings", ["sub"])


def downgrade() -> None:
    op.drop_index("ix_postings_sub", table_name="postings")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
