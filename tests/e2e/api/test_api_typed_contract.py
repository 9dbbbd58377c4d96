"""The typed contract: walk the running app's /openapi.json and refuse an untyped body, an
operation without a typed 2xx response, a create without 201 and a body without examples;
then check real answers against the documented response schemas."""

from __future__ import annotations

from typing import Any

from api_helpers import claim_body, person_body
from conftest import Api
from pydantic import BaseModel

from yibao.api import contract, schemas

CREATES = {
    ("post", "/persons"),
    ("post", "/persons/{person_id}/enrollments"),
    ("post", "/persons/{person_id}/filings"),
    ("post", "/providers"),
    ("post", "/claims/settle"),
    ("post", "/cases/import"),
    ("post", "/fhir/Claim"),
}


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, op) for path, item in doc["paths"].items() for m, op in item.items()]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _untyped(schema: Any, where: str) -> list[str]:
    """Every object schema below ``schema`` that says nothing about its fields."""
    found: list[str] = []
    if isinstance(schema, dict):
        free = schema.get("additionalProperties") is True or (
            schema.get("type") == "object" and "additionalProperties" not in schema
        )
        if schema.get("type") == "object" and free and not schema.get("properties"):
            found.append(where)
        for key, sub in schema.items():
            if key not in ("examples", "example"):
                found += _untyped(sub, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            found += _untyped(sub, f"{where}[{i}]")
    return found


def test_no_untyped_object_anywhere(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert _untyped(doc["paths"], "paths") == []
    assert _untyped(doc["components"]["schemas"], "schemas") == []


def test_every_body_is_a_model_with_properties_and_examples(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    bodies = 0
    for path, method, op in _operations(doc):
        if "requestBody" not in op:
            continue
        bodies += 1
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        if "anyOf" in schema:  # an optional body: the model or nothing
            schema = next(s for s in schema["anyOf"] if "$ref" in s)
        model = _resolve(doc, schema)
        assert model.get("properties"), (method, path)
        assert model.get("examples"), (method, path, "no examples")
    assert bodies >= 12


def test_every_operation_has_a_typed_success_and_the_right_status(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    for path, method, op in _operations(doc):
        ok = sorted(s for s in op["responses"] if s.startswith("2"))
        expected = "201" if (method, path) in CREATES else "200"
        assert expected in ok, (method, path, ok)
        for status in ok:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            target = schema.get("items", schema)
            model = _resolve(doc, target)
            assert model.get("properties"), (method, path, status)
        assert {"bearer": []} in op["security"] and {"apiKey": []} in op["security"]


def _check(doc: dict[str, Any], path: str, method: str, status: str, answer: Any) -> None:
    """``answer`` validates against the model the document names for (path, status)."""
    schema = doc["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    name = schema["$ref"].rsplit("/", 1)[-1]
    model: type[BaseModel] = getattr(schemas, name, None) or getattr(contract, name)
    model.model_validate(answer)
    required = _resolve(doc, schema).get("required", [])
    assert required and set(required) <= set(answer), (path, status, required)


def test_answers_match_their_documented_schemas(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    r = api.client.post("/persons", json=person_body(), headers=api.h("admin"))
    assert r.status_code == 201
    _check(doc, "/persons", "post", "201", r.json())
    r = api.client.post("/claims/settle", json=claim_body(api.person_id), headers=api.h("admin"))
    assert r.status_code == 201, r.text
    _check(doc, "/claims/settle", "post", "201", r.json())
    assert r.json()["parts"]["pooled_fund"]["code"] == "hifp_pay"
    again = api.client.post(
        "/claims/settle", json=claim_body(api.person_id), headers=api.h("admin")
    )
    assert again.status_code == 200
    _check(doc, "/claims/settle", "post", "200", again.json())
    r = api.client.get("/persons/NOPE", headers=api.h("admin"))
    assert r.status_code == 404
    _check(doc, "/persons/{person_id}", "get", "404", r.json())


def test_bad_bodies_answer_400_with_the_field(api: Api) -> None:
    cases = [
        ({**person_body(), "colour": "red"}, "colour"),
        ({**person_body(), "account_balance": 12.5}, "account_balance"),
        ({k: v for k, v in person_body().items() if k != "name"}, "name"),
    ]
    for body, field in cases:
        r = api.client.post("/persons", json=body, headers=api.h("admin"))
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "bad_request"
        assert r.json()["field"] == field, r.json()
    bad_line = claim_body(api.person_id)
    bad_line["claim"].pop("presplit")
    bad_line["claim"]["lines"] = [{"code": "X", "amount": "1.00", "klass": "A"}]
    r = api.client.post("/claims/settle", json=bad_line, headers=api.h("admin"))
    assert r.status_code == 400 and r.json()["field"] == "claim.lines[0].klass", r.text
    r = api.client.post("/persons", content=b"{not json", headers=api.h("admin"))
    assert r.status_code == 400, r.text


def test_amounts_go_through_the_one_money_reader(api: Api) -> None:
    # a sub-fen amount passes the schema (text) and is refused by the money reader
    body = person_body(account_balance="1.005")
    r = api.client.post("/persons", json=body, headers=api.h("admin"))
    assert r.status_code == 400, r.text
    assert "account_balance" in r.json()["message"], r.text
