"""Issue 11 §1: staff of one region must not charge another region's fund. Every region a
write touches — the person's, each enrollment's, the provider's — must be in the caller's
scope; a refused write writes nothing."""

from __future__ import annotations

import pytest
from sec_helpers import Api, person_body, provider_body


def test_staff_cannot_enroll_a_new_person_in_another_region(api: Api) -> None:
    body = person_body("990100")
    body["enrollment"]["region"] = "990200"
    before = api.counts()
    r = api.client.post("/persons", json=body, headers=api.h("staff"))
    assert r.status_code == 403 and "990200" in r.json()["message"], r.text
    assert api.counts() == before


def test_staff_cannot_add_an_enrollment_in_another_region(api: Api) -> None:
    body = {"scheme": "resident", "type": "adult", "region": "990200", "from": "2026-01-01"}
    before = api.counts()
    r = api.client.post(f"/persons/{api.person_id}/enrollments", json=body, headers=api.h("staff"))
    assert r.status_code == 403 and "990200" in r.json()["message"], r.text
    assert api.counts() == before


def test_staff_may_enroll_within_their_region(api: Api) -> None:
    first = person_body("990100")
    first["enrollment"]["to"] = "2025-12-31"
    pid = api.client.post("/persons", json=first, headers=api.h("staff")).json()["person_id"]
    body = {"scheme": "resident", "type": "adult", "region": "990100", "from": "2026-01-01"}
    r = api.client.post(f"/persons/{pid}/enrollments", json=body, headers=api.h("staff"))
    assert r.status_code == 201, r.text


def test_admin_may_write_across_regions(api: Api) -> None:
    body = person_body("990100")
    body["enrollment"]["region"] = "990200"
    assert api.client.post("/persons", json=body, headers=api.h("admin")).status_code == 201


@pytest.mark.parametrize("role", ["staff_south", "provider", "auditor", "insured"])
def test_other_scopes_cannot_write_on_the_person(api: Api, role: str) -> None:
    before = api.counts()
    enrol = {"scheme": "resident", "type": "adult", "region": "990200", "from": "2030-01-01"}
    filing = {"treatment_region": "990200", "from": "2025-01-01"}
    for path, body in (("enrollments", enrol), ("filings", filing)):
        r = api.client.post(f"/persons/{api.person_id}/{path}", json=body, headers=api.h(role))
        assert r.status_code in (403, 404), r.text
    assert api.counts() == before


def test_staff_cannot_register_a_provider_elsewhere(api: Api) -> None:
    r = api.client.post("/providers", json=provider_body("X9", "990200"), headers=api.h("staff"))
    assert r.status_code == 403, r.text


def test_staff_cannot_run_contributions_elsewhere(api: Api) -> None:
    before = api.counts()
    body = {"region": "990200", "month": "2025-06"}
    r = api.client.post("/contributions/runs", json=body, headers=api.h("staff"))
    assert r.status_code == 403, r.text
    assert api.counts() == before
