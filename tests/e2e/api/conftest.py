"""An API over a fresh SQLite database with one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_helpers import person_body, provider_body
from fastapi.testclient import TestClient

from yibao.api.app import create_app
from yibao.api.auth import create_key
from yibao.store.db import make_engine, upgrade


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    person_id: str  # a person of 990100, bound to the "insured" key
    engine: Any

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    engine = make_engine(f"sqlite:///{tmp_path / 'api.db'}")
    upgrade(engine)
    client = TestClient(create_app(engine))
    admin = create_key(engine, "admin", "root")
    r = client.post("/persons", json=person_body(), headers={"X-API-Key": admin})
    assert r.status_code == 201, r.text
    pid = r.json()["person_id"]
    for provider_id in ("H1", "H2"):
        r = client.post("/providers", json=provider_body(provider_id), headers={"X-API-Key": admin})
        assert r.status_code == 201, r.text
    keys = {
        "admin": admin,
        "auditor": create_key(engine, "auditor", "audit office"),
        "staff": create_key(engine, "staff", "north agency", region="990100"),
        "staff_south": create_key(engine, "staff", "south agency", region="990200"),
        "provider": create_key(engine, "provider", "H1", provider_id="H1", region="990100"),
        "provider2": create_key(engine, "provider", "H2", provider_id="H2", region="990100"),
        "insured": create_key(engine, "insured", "the person", person_id=pid),
        "insured_other": create_key(engine, "insured", "someone else", person_id="P-other"),
    }
    yield Api(client, keys, pid, engine)
    engine.dispose()
