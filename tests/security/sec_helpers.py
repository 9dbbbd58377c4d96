"""Shared by the security tests (a module of its own: test modules import it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text

from yibao.api.app import create_app
from yibao.api.auth import create_key
from yibao.enroll.idcard import check_character
from yibao.store import tables as t

PG_URL = os.environ.get("YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_SEQ = iter(range(100, 999))


def pg_available() -> bool:
    try:
        with create_engine(PG_URL, connect_args={"connect_timeout": 3}).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:
        return False


def identity(region: str = "990101") -> str:
    """A valid identity number (GB 11643 check character) of a synthetic region."""
    first = f"{region}19850505{next(_SEQ):03d}"
    return first + check_character(first)


def person_body(region: str = "990100", **extra: Any) -> dict[str, Any]:
    return {
        "id_number": identity(),
        "name": "赵六",
        "region": region,
        "account_balance": "500.00",
        "enrollment": {
            "scheme": "employee",
            "type": "active",
            "region": region,
            "employer": "E1",
            "wage": "9000.00",
            "from": "2025-01-01",
        },
        **extra,
    }


def claim_body(
    person_id: str, no: str = "C1", provider: str = "H1", **extra: Any
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "claim": {
            "id": no,
            "provider": provider,
            "level": "L3",
            "visit": "inpatient",
            "admit_date": "2025-06-01",
            "discharge_date": "2025-06-07",
            "presplit": {"total": "20000.00", "full_selfpay": "1000.00"},
            **extra,
        },
    }


def provider_body(provider_id: str, region: str = "990100") -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": f"医院 {provider_id}",
        "level": "L3",
        "region": region,
        "kind": "hospital",
    }


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    person_id: str  # a person of 990100, bound to the "insured" key
    engine: Engine

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def count(self, table: t.Table) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(table)).scalar_one())

    def counts(self) -> dict[str, int]:
        """Rows of every table a write touches (the audit log aside)."""
        tables = (t.persons, t.enrollments, t.filings, t.settlements, t.journals, t.postings)
        return {tb.name: self.count(tb) for tb in tables}


def make_api(engine: Engine) -> Api:
    """An app over a migrated ``engine``: one person (990100), providers H1 (990100) and
    S1 (990200), a key per role."""
    client = TestClient(create_app(engine), raise_server_exceptions=False)
    admin = create_key(engine, "admin", "root")
    r = client.post("/persons", json=person_body(), headers={"X-API-Key": admin})
    assert r.status_code == 201, r.text
    pid = r.json()["person_id"]
    for provider_id, region in (("H1", "990100"), ("H2", "990100"), ("S1", "990200")):
        body = provider_body(provider_id, region)
        r = client.post("/providers", json=body, headers={"X-API-Key": admin})
        assert r.status_code == 201, r.text
    keys = {
        "admin": admin,
        "auditor": create_key(engine, "auditor", "audit office"),
        "staff": create_key(engine, "staff", "north agency", region="990100"),
        "staff_south": create_key(engine, "staff", "south agency", region="990200"),
        "provider": create_key(engine, "provider", "H1", provider_id="H1", region="990100"),
        "provider2": create_key(engine, "provider", "H2", provider_id="H2", region="990100"),
        "provider_south": create_key(engine, "provider", "S1", provider_id="S1", region="990200"),
        "insured": create_key(engine, "insured", "the person", person_id=pid),
    }
    return Api(client, keys, pid, engine)
