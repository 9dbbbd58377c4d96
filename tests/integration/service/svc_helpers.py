"""Helpers shared by the service tests (a module of its own: test modules import it)."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, text

from yibao.enroll.idcard import check_character
from yibao.service import providers
from yibao.service.context import Context
from yibao.store.db import make_engine

PG_URL = os.environ.get("YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    try:
        with create_engine(PG_URL, connect_args={"connect_timeout": 3}).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:
        return False


def pg_engine(schema: str, **kw: Any) -> Engine:
    return make_engine(PG_URL, schema=schema, **kw)


_SEQ = iter(range(100, 999))


def identity(region: str = "990101", born: str = "19800101") -> str:
    first = f"{region}{born}{next(_SEQ):03d}"
    return first + check_character(first)


def claim(
    claim_no: str = "C1",
    provider: str = "H1",
    total: str = "20000.00",
    day: str = "2025-06-07",
    **extra: object,
) -> dict[str, object]:
    return {
        "id": claim_no,
        "provider": provider,
        "level": "L3",
        "visit": "inpatient",
        "admit_date": day,
        "discharge_date": day,
        "presplit": {"total": total, "full_selfpay": "1000.00"},
        **extra,
    }


# the registered providers the tests settle for: (id, level, region)
PROVIDERS = (("H1", "L3", "990100"), ("H2", "L3", "990100"), ("S1", "L3", "990200"))


def register_providers(ctx: Context) -> None:
    for provider_id, level, region in PROVIDERS:
        providers.register_provider(
            ctx,
            {
                "provider_id": provider_id,
                "name": f"hospital {provider_id}",
                "level": level,
                "region": region,
                "kind": "hospital",
            },
        )
