"""Issue 11 §5: outside its scope a caller cannot tell an unknown person or claim from a
forbidden one (the same 404, the same message); a provider pre-settles only for a person in
its care, so it cannot read anyone's year-to-date figures."""

from __future__ import annotations

import pytest
from sec_helpers import Api, claim_body, person_body
from sqlalchemy import select

from yibao.store import tables as t


def _id_number(api: Api) -> str:
    with api.engine.connect() as c:
        q = select(t.persons.c.id_number).where(t.persons.c.person_id == api.person_id)
        return str(c.execute(q).scalar_one())


@pytest.mark.parametrize("role", ["staff_south", "insured"])
def test_unknown_and_foreign_person_answer_alike(api: Api, role: str) -> None:
    r = api.client.post("/persons", json=person_body("990200"), headers=api.h("admin"))
    other = r.json()["person_id"]
    target = api.person_id if role == "staff_south" else other
    for path in ("", "/settlements", "/accumulators/2025"):
        known = api.client.get(f"/persons/{target}{path}", headers=api.h(role))
        unknown = api.client.get(f"/persons/P-nobody{path}", headers=api.h(role))
        assert known.status_code == unknown.status_code == 404, (path, known.text)
        k, u = known.json(), unknown.json()
        assert k["message"].replace(target, "?") == u["message"].replace("P-nobody", "?")


def test_staff_settling_outside_scope_is_as_unknown(api: Api) -> None:
    known = api.client.post(
        "/claims/settle", json=claim_body(api.person_id), headers=api.h("staff_south")
    )
    unknown = api.client.post(
        "/claims/settle", json=claim_body("P-nobody"), headers=api.h("staff_south")
    )
    assert known.status_code == unknown.status_code == 404, known.text
    assert api.count(t.settlements) == 0


def test_unknown_and_foreign_claim_answer_alike(api: Api) -> None:
    r = api.client.post("/claims/settle", json=claim_body(api.person_id), headers=api.h("admin"))
    assert r.status_code == 201, r.text
    for role in ("provider2", "staff_south", "provider_south"):
        known = api.client.get("/claims/H1/C1", headers=api.h(role))
        unknown = api.client.get("/claims/H1/C404", headers=api.h(role))
        assert known.status_code == unknown.status_code == 404, (role, known.text)
        rev = api.client.post("/claims/H1/C1/reverse", headers=api.h(role))
        assert rev.status_code == 404, (role, rev.text)


def test_provider_cannot_pre_settle_for_a_stranger(api: Api) -> None:
    body = claim_body(api.person_id)
    known = api.client.post("/claims/pre-settle", json=body, headers=api.h("provider"))
    unknown = api.client.post(
        "/claims/pre-settle", json=claim_body("P-nobody"), headers=api.h("provider")
    )
    assert known.status_code == unknown.status_code == 404, known.text
    assert "account_balance" not in known.text and "before" not in known.json()


def test_provider_pre_settles_with_the_card_read_at_admission(api: Api) -> None:
    body = {**claim_body(api.person_id), "id_number": _id_number(api)}
    r = api.client.post("/claims/pre-settle", json=body, headers=api.h("provider"))
    assert r.status_code == 200, r.text
    wrong = {**claim_body(api.person_id), "id_number": "990101198505051234"}
    r = api.client.post("/claims/pre-settle", json=wrong, headers=api.h("provider"))
    assert r.status_code == 404, r.text


def test_provider_pre_settles_for_its_own_patient(api: Api) -> None:
    first = api.client.post(
        "/claims/settle", json=claim_body(api.person_id), headers=api.h("provider")
    )
    assert first.status_code == 201, first.text
    again = claim_body(api.person_id, "C2")
    assert (
        api.client.post("/claims/pre-settle", json=again, headers=api.h("provider")).status_code
        == 200
    )
    # another provider has no such patient
    other = claim_body(api.person_id, "C3", provider="H2")
    assert (
        api.client.post("/claims/pre-settle", json=other, headers=api.h("provider2")).status_code
        == 404
    )


def test_provider_pre_settles_for_a_filed_patient(api: Api) -> None:
    filing = {"treatment_region": "990200", "from": "2025-01-01"}
    r = api.client.post(f"/persons/{api.person_id}/filings", json=filing, headers=api.h("staff"))
    assert r.status_code == 201, r.text
    body = claim_body(api.person_id, provider="S1")
    r = api.client.post("/claims/pre-settle", json=body, headers=api.h("provider_south"))
    assert r.status_code == 200, r.text
