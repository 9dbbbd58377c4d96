"""Alembic environment: the connection is handed in by :func:`yibao.store.db.upgrade`."""

from __future__ import annotations

from alembic import context

from yibao.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
