"""Fixtures: the API over a fresh SQLite file, and over a schema of its own on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sec_helpers import PG_URL, Api, make_api, pg_available
from sqlalchemy import create_engine, text

from yibao.store.db import make_engine, upgrade

_PG = pg_available()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not _PG:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    schema = f"yb_sec_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    engine = make_engine(f"sqlite:///{tmp_path / 'api.db'}")
    upgrade(engine)
    yield make_api(engine)
    engine.dispose()


@pytest.fixture
def pg_api(pg_schema: str) -> Iterator[Api]:
    engine = make_engine(PG_URL, schema=pg_schema)
    upgrade(engine)
    yield make_api(engine)
    engine.dispose()
