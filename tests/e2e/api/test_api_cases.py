"""Supervision cases through the API: every role, the denials, bad input naming the field
with nothing written, the clawback journal of a confirmed case, the provider credit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from api_helpers import provider_body
from conftest import Api
from sqlalchemy import func, select

from yibao.store import tables as t

ROLES = ("admin", "auditor", "staff", "staff_south", "provider", "provider2", "insured")


def hits() -> list[dict[str, Any]]:
    return [
        {"rule_code": "DUP_BILLING", "claim_id": "C1", "provider_id": "H1", "amount_fen": 30_000},
        {"rule_code": "OVER_LIMIT", "claim_id": "C2", "provider_id": "H1", "amount_fen": 20_000},
        {"rule_code": "DUP_BILLING", "claim_id": "C3", "provider_id": "H2", "amount_fen": 9_000},
    ]


def snapshot(api: Api) -> tuple[int, ...]:
    with api.engine.connect() as c:
        return tuple(
            int(c.execute(select(func.count()).select_from(x)).scalar_one())
            for x in (t.supervision_cases, t.supervision_case_events, t.journals, t.postings)
        )


def open_cases(api: Api, rows: list[dict[str, Any]] | None = None) -> dict[str, str]:
    r = api.client.post(
        "/cases/import", json={"hits": rows or hits(), "day": "2026-03-01"}, headers=api.h("admin")
    )
    assert r.status_code == 201, r.text
    return {c["provider_id"]: c["case_id"] for c in r.json()["opened"]}


def decision(**extra: Any) -> dict[str, Any]:
    return {"reviewer": "稽核员甲", "reason": "checked the records", **extra}


@pytest.fixture
def south(api: Api) -> str:
    """A provider of 990200 with an open case; returns the case id."""
    r = api.client.post("/providers", json=provider_body("S1", "990200"), headers=api.h("admin"))
    assert r.status_code == 201, r.text
    rows = [{"rule_code": "R1", "claim_id": "C9", "provider_id": "S1", "amount_fen": 100}]
    return open_cases(api, rows)["S1"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 201),
        ("staff", 201),  # H1 and H2 are in its region
        ("staff_south", 403),
        ("auditor", 403),
        ("provider", 403),
        ("insured", 403),
    ],
)
def test_import(api: Api, role: str, status: int) -> None:
    before = snapshot(api)
    r = api.client.post("/cases/import", json={"hits": hits()}, headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 201:
        opened = r.json()["opened"]
        assert [(c["provider_id"], c["flagged"], c["status"]) for c in opened] == [
            ("H1", "500.00", "open"),
            ("H2", "90.00", "open"),
        ]
        assert snapshot(api)[:2] == (before[0] + 2, before[1] + 2)
    else:
        assert snapshot(api) == before


def test_import_from_a_server_path_is_for_admin_only(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "hits.parquet"
    pq.write_table(pa.Table.from_pylist(hits()), path)
    r = api.client.post("/cases/import", json={"path": str(path)}, headers=api.h("staff"))
    assert r.status_code == 403, r.text
    assert snapshot(api)[0] == 0
    r = api.client.post("/cases/import", json={"path": str(path)}, headers=api.h("admin"))
    assert r.status_code == 201, r.text
    assert len(r.json()["opened"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "hits and path"),
        ({"hits": []}, 400, "hits"),
        ({"hits": [{"provider_id": "H1", "amount_fen": 1}]}, 400, "hits[0].rule_code"),
        ({"hits": [{"rule_code": "R", "provider_id": "H1", "amount_fen": -5}]}, 400, "amount_fen"),
        ({"hits": [{"rule_code": "R", "provider_id": "H404", "amount_fen": 1}]}, 404, "H404"),
        ({"hits": hits(), "fund": "lottery"}, 400, "fund"),
        ({"hits": hits(), "day": "soon"}, 400, "day"),
        ({"hits": hits(), "min_amount": "-1"}, 400, "min_amount"),
        ({"hits": hits(), "colour": "red"}, 400, "colour"),
        ({"path": "/nonexistent/hits.parquet"}, 400, "no such file"),
    ],
)
def test_import_bad_input(api: Api, body: dict[str, Any], status: int, field: str) -> None:
    before = snapshot(api)
    r = api.client.post("/cases/import", json=body, headers=api.h("admin"))
    assert r.status_code == status, r.text
    assert field in r.json()["message"]
    assert snapshot(api) == before


def test_staff_cannot_open_cases_in_another_region(api: Api, south: str) -> None:
    before = snapshot(api)
    rows = [*hits(), {"rule_code": "R", "provider_id": "S1", "amount_fen": 1}]
    r = api.client.post("/cases/import", json={"hits": rows}, headers=api.h("staff"))
    assert r.status_code == 403 and "S1" in r.json()["message"], r.text
    assert snapshot(api) == before


def test_list_cases(api: Api, south: str) -> None:
    by = open_cases(api)
    seen = {
        role: sorted(c["case_id"] for c in r.json()) if r.status_code == 200 else r.status_code
        for role in ROLES
        for r in [api.client.get("/cases", headers=api.h(role))]
    }
    assert seen == {
        "admin": sorted([by["H1"], by["H2"], south]),
        "auditor": sorted([by["H1"], by["H2"], south]),
        "staff": sorted([by["H1"], by["H2"]]),
        "staff_south": [south],
        "provider": [by["H1"]],
        "provider2": [by["H2"]],
        "insured": 403,
    }
    other = api.client.get("/cases", params={"region": "990200"}, headers=api.h("staff"))
    assert other.status_code == 403
    other = api.client.get("/cases", params={"provider_id": "H2"}, headers=api.h("provider"))
    assert other.status_code == 403
    r = api.client.get("/cases", params={"status": "closed"}, headers=api.h("admin"))
    assert r.status_code == 400 and "status" in r.json()["message"]
    r = api.client.get("/cases", params={"status": "open"}, headers=api.h("admin"))
    assert len(r.json()) == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("staff", 200),
        ("provider", 200),  # its own case
        ("staff_south", 403),
        ("provider2", 403),
        ("insured", 403),
    ],
)
def test_read_case(api: Api, role: str, status: int) -> None:
    case_id = open_cases(api)["H1"]
    r = api.client.get(f"/cases/{case_id}", headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        body = r.json()
        assert body["provider_id"] == "H1" and body["claim_ids"] == ["C1", "C2"]
        assert [e["to"] for e in body["events"]] == ["open"]


def test_read_unknown_case_is_404(api: Api) -> None:
    r = api.client.get("/cases/CASE-nope", headers=api.h("admin"))
    assert r.status_code == 404 and "case_id" in r.json()["message"]


@pytest.mark.parametrize("action", ["review", "dismiss"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("staff_south", 403),
        ("auditor", 403),
        ("provider", 403),
        ("insured", 403),
    ],
)
def test_decide_roles(api: Api, action: str, role: str, status: int) -> None:
    case_id = open_cases(api)["H1"]
    before = snapshot(api)
    r = api.client.post(f"/cases/{case_id}/{action}", json=decision(), headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["status"] == {"review": "under_review", "dismiss": "dismissed"}[action]
        assert snapshot(api) == (before[0], before[1] + 1, before[2], before[3])
    else:
        assert snapshot(api) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("staff_south", 403),
        ("auditor", 403),
        ("provider", 403),
        ("insured", 403),
    ],
)
def test_confirm_roles(api: Api, role: str, status: int) -> None:
    case_id = open_cases(api)["H1"]
    api.client.post(f"/cases/{case_id}/review", json=decision(), headers=api.h("admin"))
    before = snapshot(api)
    r = api.client.post(f"/cases/{case_id}/confirm", json=decision(), headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["journal_id"] == f"clawback:{case_id}"
        assert snapshot(api) == (before[0], before[1] + 1, before[2] + 1, before[3] + 2)
    else:
        assert snapshot(api) == before


def test_confirm_posts_the_clawback_once(api: Api) -> None:
    case_id = open_cases(api)["H1"]
    api.client.post(f"/cases/{case_id}/review", json=decision(), headers=api.h("staff"))
    r = api.client.post(
        f"/cases/{case_id}/confirm", json=decision(recovered="300.00"), headers=api.h("staff")
    )
    assert r.status_code == 200, r.text
    assert r.json()["recovered"] == "300.00"
    before = snapshot(api)
    again = api.client.post(f"/cases/{case_id}/confirm", json=decision(), headers=api.h("admin"))
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert snapshot(api) == before
    check = api.client.get("/ledger/check", headers=api.h("auditor"))
    assert check.status_code == 200 and check.json() == {"violations": []}
    tb = api.client.get("/funds/990100/trial-balance", headers=api.h("auditor")).json()
    income = [x for x in tb if x["item"] == "clawback_recovered"]
    assert len(income) == 1 and income[0]["kind"] == "income", tb
    late = api.client.post(f"/cases/{case_id}/dismiss", json=decision(), headers=api.h("admin"))
    assert late.status_code == 409
    assert "confirmed" in late.json()["message"] and "dismissed" in late.json()["message"]
    assert snapshot(api) == before


@pytest.mark.parametrize(
    ("action", "body", "status", "field"),
    [
        ("confirm", decision(), 409, "from open to confirmed"),
        ("review", {"reason": "x"}, 400, "reviewer"),
        ("review", decision(reason=""), 400, "reason"),
        ("review", decision(colour="red"), 400, "colour"),
        ("dismiss", decision(day="tomorrow"), 400, "day"),
        ("review", decision(recovered="1.00"), 400, "recovered"),
    ],
)
def test_decide_bad_input(
    api: Api, action: str, body: dict[str, Any], status: int, field: str
) -> None:
    case_id = open_cases(api)["H1"]
    before = snapshot(api)
    r = api.client.post(f"/cases/{case_id}/{action}", json=body, headers=api.h("admin"))
    assert r.status_code == status, r.text
    assert field in r.json()["message"]
    assert snapshot(api) == before


@pytest.mark.parametrize("recovered", ["500.01", "0", "-3", "1.001", "lots"])
def test_confirm_bad_amount(api: Api, recovered: str) -> None:
    case_id = open_cases(api)["H1"]
    api.client.post(f"/cases/{case_id}/review", json=decision(), headers=api.h("admin"))
    before = snapshot(api)
    r = api.client.post(
        f"/cases/{case_id}/confirm", json=decision(recovered=recovered), headers=api.h("admin")
    )
    assert r.status_code == 400 and "recovered" in r.json()["message"], r.text
    assert snapshot(api) == before


def test_decide_unknown_case_is_404(api: Api) -> None:
    r = api.client.post("/cases/CASE-nope/review", json=decision(), headers=api.h("admin"))
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("staff", 200),
        ("provider", 200),  # its own score
        ("provider2", 403),
        ("staff_south", 403),
        ("insured", 403),
    ],
)
def test_provider_credit(api: Api, role: str, status: int) -> None:
    by = open_cases(api)
    for case_id in (by["H1"],):
        api.client.post(f"/cases/{case_id}/review", json=decision(), headers=api.h("admin"))
        api.client.post(f"/cases/{case_id}/confirm", json=decision(), headers=api.h("admin"))
    api.client.post(f"/cases/{by['H2']}/dismiss", json=decision(), headers=api.h("admin"))
    r = api.client.get("/providers/H1/credit", headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json() == {
            "provider_id": "H1",
            "score": 90,
            "grade": "A",
            "confirmed": 1,
            "dismissed": 0,
            "recovered": "500.00",
        }


def test_credit_of_unknown_provider_is_404(api: Api) -> None:
    assert api.client.get("/providers/H404/credit", headers=api.h("admin")).status_code == 404
    clean = api.client.get("/providers/H2/credit", headers=api.h("admin")).json()
    assert clean["score"] == 100 and clean["grade"] == "A"
