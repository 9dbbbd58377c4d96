"""The integration contract: the OpenAPI document declares the security schemes, the error
body and the statuses the API answers; /docs and /redoc load their assets from the app."""

from __future__ import annotations

import re
from typing import Any

from conftest import Api

ERRORS = {"400", "401", "403", "404", "409"}


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, op) for path, item in doc["paths"].items() for m, op in item.items()]


def test_security_schemes_and_error_body_are_declared(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "an API key yb_<id>_<secret> as a bearer token",
    }
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    body = doc["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "field", "message"}
    for path, method, op in _operations(doc):
        responses = set(op["responses"])
        assert "422" not in responses, (method, path)
        assert responses >= ERRORS, (method, path, responses)
        ref = op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
        body = "/OperationOutcome" if path.startswith("/fhir/") else "/ErrorBody"
        assert ref.endswith(body), (method, path, ref)
        assert {"bearer": []} in op.get("security", []), (method, path)


def test_errors_have_code_field_and_message(api: Api) -> None:
    r = api.client.get("/persons/NOPE", headers=api.h("admin"))
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "field": "person_id",
        "message": "person_id: unknown person 'NOPE'",
    }
    r = api.client.get("/persons/NOPE")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    r = api.client.get("/persons/x/accumulators/notayear", headers=api.h("admin"))
    assert r.status_code == 400 and r.json()["field"] == "year", r.text


def test_docs_and_redoc_work_offline(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        html = api.client.get(page).text
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        urls += re.findall(r"""url: ?['"]([^'"]+)['"]""", html)
        assert urls, page
        external = [u for u in urls if u.startswith(("http:", "https:", "//"))]
        assert external == [], (page, external)
        for u in urls:
            if u.startswith("/docs-assets/"):
                got = api.client.get(u)
                assert got.status_code == 200 and len(got.content) > 500, u
