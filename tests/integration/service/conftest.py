"""Fixtures: a migrated database per test on SQLite (a file) and on the real PostgreSQL
(a schema of its own, dropped afterwards, so parallel runs never clash)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from svc_helpers import PG_URL, identity, pg_available, pg_engine, register_providers

from yibao.service import registration
from yibao.service.context import Context
from yibao.store.db import make_engine, upgrade

_PG = pg_available()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not _PG:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    schema = f"yb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        e = make_engine(f"sqlite:///{tmp_path / 'yibao.db'}")
    else:
        e = pg_engine(request.getfixturevalue("pg_schema"))
    upgrade(e)
    yield e
    e.dispose()


@pytest.fixture
def ctx(engine: Engine) -> Context:
    c = Context(engine)
    register_providers(c)
    return c


@pytest.fixture
def new_person(ctx: Context) -> Callable[..., dict[str, object]]:
    """Register a person: employee active by default, demo-north (990100)."""

    def make(
        scheme: str = "employee",
        type: str = "active",
        region: str = "990100",
        balance: str = "500.00",
        wage: str | None = "9000.00",
        **extra: object,
    ) -> dict[str, object]:
        enrollment: dict[str, object] = {
            "scheme": scheme,
            "type": type,
            "region": region,
            "from": "2025-01-01",
        }
        if scheme == "employee" and type == "active":
            enrollment |= {"employer": "E1", "wage": wage}
        body = {
            "id_number": identity(),
            "name": "王小明",
            "region": region,
            "account_balance": balance,
            "enrollment": enrollment,
            **extra,
        }
        return registration.register_person(ctx, body)

    return make
