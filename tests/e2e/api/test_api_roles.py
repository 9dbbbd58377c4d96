"""Every endpoint with every role, including the denials; masking; audit; bad input."""

from __future__ import annotations

import pytest
from api_helpers import claim_body, person_body
from conftest import Api
from sqlalchemy import func, select

from yibao.store import tables as t


def rows(api: Api, table: t.Table) -> int:
    with api.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_no_or_bad_key_is_401(api: Api) -> None:
    assert api.client.get(f"/persons/{api.person_id}").status_code == 401
    bad = {"Authorization": "Bearer yb_000000000000_nope"}
    assert api.client.get(f"/persons/{api.person_id}", headers=bad).status_code == 401
    forged = api.keys["admin"][:-2] + "xx"
    assert api.client.get("/ledger/check", headers={"X-API-Key": forged}).status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("staff", 200),
        ("insured", 200),
        ("staff_south", 404),  # outside their scope: as an unknown person
        ("provider", 403),
        ("insured_other", 404),
    ],
)
def test_read_person(api: Api, role: str, status: int) -> None:
    r = api.client.get(f"/persons/{api.person_id}", headers=api.h(role))
    assert r.status_code == status, r.text
    if status == 200:
        body = r.json()
        assert "********" in body["id_number"] and body["name"] == "赵*"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 201),
        ("staff", 201),
        ("staff_south", 403),
        ("auditor", 403),
        ("provider", 403),
        ("insured", 403),
    ],
)
def test_create_person(api: Api, role: str, status: int) -> None:
    before = rows(api, t.persons)
    r = api.client.post("/persons", json=person_body(), headers=api.h(role))
    assert r.status_code == status, r.text
    assert rows(api, t.persons) == before + (status == 201)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 201),
        ("provider", 201),
        ("staff", 201),
        ("provider2", 403),
        ("staff_south", 404),  # the person is outside their scope: as unknown
        ("auditor", 403),
        ("insured", 403),
    ],
)
def test_settle_claim(api: Api, role: str, status: int) -> None:
    r = api.client.post("/claims/settle", json=claim_body(api.person_id), headers=api.h(role))
    assert r.status_code == status, r.text
    assert rows(api, t.settlements) == (status == 201)


def test_settle_resend_pre_settle_read_reverse_flow(api: Api) -> None:
    prov, body = api.h("provider"), claim_body(api.person_id)
    with api.engine.connect() as c:  # the card read at admission
        q = select(t.persons.c.id_number).where(t.persons.c.person_id == api.person_id)
        card = c.execute(q).scalar_one()
    pre = api.client.post("/claims/pre-settle", json={**body, "id_number": card}, headers=prov)
    assert pre.status_code == 200 and rows(api, t.settlements) == 0
    first = api.client.post("/claims/settle", json=body, headers=prov)
    again = api.client.post("/claims/settle", json=body, headers=prov)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["parts"] == pre.json()["parts"]
    # reads
    for role, status in [
        ("provider", 200),
        ("insured", 200),
        ("staff", 200),
        ("auditor", 200),
        ("provider2", 404),  # outside the caller's scope: as an unknown claim
        ("insured_other", 404),
        ("staff_south", 404),
    ]:
        r = api.client.get("/claims/H1/C1", headers=api.h(role))
        assert r.status_code == status, (role, r.text)
    # reversal: auditor and insured may not write; others see no such claim
    for role, status in (
        ("auditor", 403),
        ("insured", 403),
        ("provider2", 404),
        ("staff_south", 404),
    ):
        r = api.client.post("/claims/H1/C1/reverse", headers=api.h(role))
        assert r.status_code == status, (role, r.text)
    r = api.client.post("/claims/H1/C1/reverse", headers=prov)
    assert r.status_code == 200 and r.json()["status"] == "reversed"
    assert api.client.post("/claims/H1/C1/reverse", headers=prov).status_code == 409
    assert api.client.get("/claims/H1/nope", headers=prov).status_code == 404
    check = api.client.get("/ledger/check", headers=api.h("auditor"))
    assert check.json() == {"violations": []}


def test_accumulators_and_settlements_of_a_person(api: Api) -> None:
    api.client.post("/claims/settle", json=claim_body(api.person_id), headers=api.h("provider"))
    for role, status in [
        ("insured", 200),
        ("staff", 200),
        ("auditor", 200),
        ("insured_other", 404),
        ("provider", 403),
    ]:
        r = api.client.get(f"/persons/{api.person_id}/accumulators/2025", headers=api.h(role))
        assert r.status_code == status
    acc = api.client.get(f"/persons/{api.person_id}/accumulators/2025", headers=api.h("insured"))
    assert acc.json()["pools"]["inpatient"]["admissions"] == 1
    s = api.client.get(f"/persons/{api.person_id}/settlements", headers=api.h("insured"))
    assert [x["claim_no"] for x in s.json()] == ["C1"]


@pytest.mark.parametrize(
    ("mutate", "status", "field"),
    [
        (lambda b: b["claim"].update(level="L9"), 400, "level"),
        (lambda b: b["claim"]["presplit"].update(total="-5.00"), 400, "total"),
        (lambda b: b["claim"].update(visit=3), 400, "visit"),
        (lambda b: b.update(person_id="P-nobody"), 404, "person_id"),
        (lambda b: b["claim"].update(region="990200"), 403, "region"),
        (lambda b: b["claim"].update(surprise=True), 400, "surprise"),
        (lambda b: b["claim"]["presplit"].update(total=1.5), 400, "total"),
    ],
)
def test_bad_input_is_4xx_naming_the_field_and_writes_nothing(
    api: Api, mutate: object, status: int, field: str
) -> None:
    body = claim_body(api.person_id)
    mutate(body)  # type: ignore[operator]
    journals = rows(api, t.journals)
    r = api.client.post("/claims/settle", json=body, headers=api.h("provider"))
    assert r.status_code == status, r.text
    assert field in r.json()["message"]
    assert rows(api, t.settlements) == 0 and rows(api, t.journals) == journals


def test_malformed_json_is_400_with_the_error_body(api: Api) -> None:
    r = api.client.post(
        "/claims/settle",
        content=b"{not json",
        headers={**api.h("provider"), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request" and "JSON" in r.json()["message"], r.text


def test_staff_cannot_settle_for_another_regions_person(api: Api) -> None:
    r = api.client.post(
        "/claims/settle", json=claim_body(api.person_id), headers=api.h("staff_south")
    )
    assert r.status_code == 404 and "unknown person" in r.json()["message"]


def test_contribution_run_and_fund_statements(api: Api) -> None:
    body = {"region": "990100", "month": "2025-01"}
    for role in ("auditor", "provider", "insured", "staff_south"):
        assert (
            api.client.post("/contributions/runs", json=body, headers=api.h(role)).status_code
            == 403
        )
    r = api.client.post("/contributions/runs", json=body, headers=api.h("staff"))
    assert r.status_code == 200 and r.json()["totals_fen"]["employer"] == 63000
    bad = api.client.post(
        "/contributions/runs", json={"region": "990100", "month": "2025-13"}, headers=api.h("staff")
    )
    assert bad.status_code == 400 and "month" in bad.json()["message"]
    st = api.client.get(
        "/funds/990100/employee_pooled/statements/2025-01", headers=api.h("auditor")
    )
    assert st.status_code == 200 and st.json()["income"] == {"employer": 63000}
    for role, status in [("staff", 200), ("staff_south", 403), ("provider", 403), ("insured", 403)]:
        r = api.client.get("/funds/990100/trial-balance", headers=api.h(role))
        assert r.status_code == status
    assert api.client.get("/clearing/2025-06", headers=api.h("provider")).status_code == 403
    assert api.client.get("/ledger/check", headers=api.h("staff")).status_code == 403


def test_enrollment_and_filing(api: Api) -> None:
    first = person_body()
    first["enrollment"]["to"] = "2025-12-31"
    pid = api.client.post("/persons", json=first, headers=api.h("staff")).json()["person_id"]
    body = {"scheme": "employee", "type": "retired", "region": "990100", "from": "2026-01-01"}
    for role, status in (
        ("auditor", 403),
        ("insured", 403),
        ("provider", 403),
        ("staff_south", 404),
    ):
        r = api.client.post(f"/persons/{pid}/enrollments", json=body, headers=api.h(role))
        assert r.status_code == status, (role, r.text)
    r = api.client.post(f"/persons/{pid}/enrollments", json=body, headers=api.h("staff"))
    assert r.status_code == 201, r.text
    overlapping = {"scheme": "resident", "type": "adult", "region": "990100", "from": "2025-06-01"}
    again = api.client.post(f"/persons/{pid}/enrollments", json=overlapping, headers=api.h("staff"))
    assert again.status_code == 409 and "overlaps" in again.json()["message"]
    f = {"treatment_region": "990200", "from": "2025-01-01"}
    r = api.client.post(f"/persons/{api.person_id}/filings", json=f, headers=api.h("staff"))
    assert r.status_code == 201


def test_every_personal_data_access_is_audited_and_masked(api: Api) -> None:
    api.client.get(f"/persons/{api.person_id}", headers=api.h("insured"))
    api.client.post("/claims/settle", json=claim_body(api.person_id), headers=api.h("provider"))
    with api.engine.connect() as c:
        log = c.execute(select(t.audit_log)).all()
        number = c.execute(select(t.persons.c.id_number)).scalars().first()
    actions = [(r.role, r.action) for r in log]
    assert ("insured", "person.read") in actions and ("provider", "claim.settle") in actions
    assert all(number not in (r.detail + r.subject) for r in log)
