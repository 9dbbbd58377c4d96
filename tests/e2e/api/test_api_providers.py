"""The provider registry through the API: every role, the denials, and settlement needing a
registered provider at its registered level and region."""

from __future__ import annotations

import pytest
from api_helpers import claim_body, provider_body
from conftest import Api
from sqlalchemy import func, select

from yibao.store import tables as t


def rows(api: Api, table: t.Table) -> int:
    with api.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(
    ("role", "region", "status"),
    [
        ("admin", "990100", 201),
        ("admin", "990200", 201),
        ("staff", "990100", 201),
        ("staff_south", "990200", 201),
        ("staff", "990200", 403),
        ("staff_south", "990100", 403),
        ("auditor", "990100", 403),
        ("provider", "990100", 403),
        ("insured", "990100", 403),
    ],
)
def test_register_provider(api: Api, role: str, region: str, status: int) -> None:
    before = rows(api, t.providers)
    r = api.client.post("/providers", json=provider_body("H9", region), headers=api.h(role))
    assert r.status_code == status, r.text
    assert rows(api, t.providers) == before + (status == 201)
    if status == 201:
        assert r.json() == {
            "provider_id": "H9",
            "name": "医院 H9",
            "level": "L3",
            "region": region,
            "kind": "hospital",
        }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (provider_body("H1"), 409, "already registered"),
        (provider_body("H9", level="L9"), 400, "level"),
        (provider_body("H9", region="123456"), 400, "region"),
        (provider_body("H9", kind="spa"), 400, "kind"),
        (provider_body("H9", beds=300), 400, "beds"),
        (provider_body("H 9"), 400, "provider_id"),
        ({"provider_id": "H9", "name": "x", "level": "L1"}, 400, "region"),
    ],
)
def test_register_provider_bad_input(
    api: Api, body: dict[str, object], status: int, field: str
) -> None:
    before = rows(api, t.providers)
    r = api.client.post("/providers", json=body, headers=api.h("admin"))
    assert r.status_code == status, r.text
    assert field in r.json()["message"]
    assert rows(api, t.providers) == before


def test_list_providers(api: Api) -> None:
    api.client.post("/providers", json=provider_body("S1", "990200"), headers=api.h("admin"))
    ids = {
        role: [x["provider_id"] for x in r.json()] if r.status_code == 200 else r.status_code
        for role in ("admin", "auditor", "staff", "staff_south", "provider", "insured")
        for r in [api.client.get("/providers", headers=api.h(role))]
    }
    assert ids == {
        "admin": ["H1", "H2", "S1"],
        "auditor": ["H1", "H2", "S1"],
        "staff": ["H1", "H2"],  # their own region by default
        "staff_south": ["S1"],
        "provider": 403,
        "insured": 403,
    }
    south = api.client.get("/providers", params={"region": "990200"}, headers=api.h("admin"))
    assert [x["provider_id"] for x in south.json()] == ["S1"]
    other = api.client.get("/providers", params={"region": "990200"}, headers=api.h("staff"))
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("staff", 200),
        ("provider", 200),  # its own entry
        ("provider2", 403),
        ("staff_south", 403),
        ("insured", 403),
    ],
)
def test_read_provider(api: Api, role: str, status: int) -> None:
    r = api.client.get("/providers/H1", headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["level"] == "L3" and r.json()["region"] == "990100"


def test_read_unknown_provider_is_404(api: Api) -> None:
    assert api.client.get("/providers/H404", headers=api.h("admin")).status_code == 404


def test_settle_needs_a_registered_provider(api: Api) -> None:
    journals = rows(api, t.journals)
    r = api.client.post(
        "/claims/settle", json=claim_body(api.person_id, provider="H404"), headers=api.h("admin")
    )
    assert r.status_code == 404 and "claim.provider" in r.json()["message"], r.text
    assert rows(api, t.settlements) == 0 and rows(api, t.journals) == journals


def test_claim_level_must_be_the_registered_level(api: Api) -> None:
    journals = rows(api, t.journals)
    for role in ("admin", "provider"):
        body = claim_body(api.person_id, level="L2")
        r = api.client.post("/claims/settle", json=body, headers=api.h(role))
        assert r.status_code == 400, r.text
        assert "claim.level" in r.json()["message"] and "L3" in r.json()["message"]
    pre = api.client.post(
        "/claims/pre-settle", json=claim_body(api.person_id, level="L2"), headers=api.h("admin")
    )
    assert pre.status_code == 400 and "claim.level" in pre.json()["message"]
    assert rows(api, t.settlements) == 0 and rows(api, t.journals) == journals


def test_claim_region_must_be_the_registered_region(api: Api) -> None:
    api.client.post("/providers", json=provider_body("S1", "990200"), headers=api.h("admin"))
    body = claim_body(api.person_id, provider="S1", region="990100")
    r = api.client.post("/claims/settle", json=body, headers=api.h("admin"))
    assert r.status_code == 400 and "claim.region" in r.json()["message"], r.text
    assert rows(api, t.settlements) == 0


def test_level_and_region_come_from_the_registry(api: Api) -> None:
    stated = claim_body(api.person_id, no="C1")
    omitted = claim_body(api.person_id, no="C2")
    del omitted["claim"]["level"]
    pre = api.client.post("/claims/pre-settle", json=stated, headers=api.h("admin"))
    r = api.client.post("/claims/settle", json=omitted, headers=api.h("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["parts"] == pre.json()["parts"]  # settled as the registered L3
    assert r.json()["treatment_region"] == "990100"
    # a provider of another region: cross-region care, cleared to that region
    api.client.post("/providers", json=provider_body("S1", "990200"), headers=api.h("admin"))
    away = claim_body(api.person_id, no="C3", provider="S1")
    del away["claim"]["level"]
    r = api.client.post("/claims/settle", json=away, headers=api.h("admin"))
    assert r.status_code == 201 and r.json()["treatment_region"] == "990200", r.text
    clearing = api.client.get("/clearing/2025-06", headers=api.h("auditor")).json()
    assert {(c["insured_region"], c["treatment_region"]) for c in clearing} == {
        ("990100", "990200")
    }
