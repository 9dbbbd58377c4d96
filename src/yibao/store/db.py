"""Engines and migrations: SQLite file by default, PostgreSQL via ``YIBAO_DATABASE_URL``."""

from __future__ import annotations

import os
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

DEFAULT_URL = "sqlite:///yibao.db"


def database_url() -> str:
    return os.environ.get("YIBAO_DATABASE_URL", DEFAULT_URL)


def make_engine(url: str | None = None, schema: str | None = None, **kw: Any) -> Engine:
    """An engine. SQLite writers serialise with BEGIN IMMEDIATE (the write lock is taken at
    the start, so a read-then-write transaction never deadlocks on upgrade); on PostgreSQL
    ``schema`` (or ``YIBAO_DATABASE_SCHEMA``) sets the search path, so tests run apart."""
    url = url or database_url()
    # no personal data in logs or error messages: a failed statement names the SQL, never the
    # bound values (an ID number, a name)
    kw.setdefault("hide_parameters", True)
    schema = schema or os.environ.get("YIBAO_DATABASE_SCHEMA") or None
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **kw)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA journal_mode=WAL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kw.setdefault("pool_size", 10)
    kw.setdefault("max_overflow", 20)
    engine = create_engine(url, **kw)
    if schema:

        @event.listens_for(engine, "connect")
        def _path(dbapi_conn: Any, _rec: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f'SET search_path TO "{schema}"')
            dbapi_conn.commit()

    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option("script_location", "yibao.store:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
