"""A bounded schema-driven fuzz run (schemathesis) against the OpenAPI document: no 5xx.

The app and its SQLite database are made at import: schemathesis reads the schema when the
test is collected. The temporary directory goes when the module is unloaded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from api_helpers import claim_body, person_body, provider_body
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from yibao.api.app import create_app
from yibao.api.auth import create_key
from yibao.store.db import make_engine, upgrade

_DIR = tempfile.TemporaryDirectory(prefix="yibao-fuzz-")
_ENGINE = make_engine(f"sqlite:///{Path(_DIR.name) / 'fuzz.db'}")
upgrade(_ENGINE)
_APP = create_app(_ENGINE)
_ADMIN = {"X-API-Key": create_key(_ENGINE, "admin", "fuzz")}
_client = TestClient(_APP)
_pid = _client.post("/persons", json=person_body(person_id="P1"), headers=_ADMIN).json()
_client.post("/providers", json=provider_body("H1"), headers=_ADMIN)
_client.post("/claims/settle", json=claim_body("P1"), headers=_ADMIN)

schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: Any) -> None:
    response = case.call(headers=_ADMIN)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
