"""The FHIR R4B facade: Claim → ClaimResponse, ExplanationOfBenefit, Coverage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from conftest import Api
from fhir.resources.R4B import get_fhir_model_class

from yibao.api.fhir import LEVEL_EXT


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` validated as its FHIR R4B type (fhir.resources); returned unchanged."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def fhir_claim(person_id: str, no: str = "F1") -> dict[str, Any]:
    return {
        "resourceType": "Claim",
        "status": "active",
        "identifier": [{"value": no}],
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "institutional",
                }
            ]
        },
        "use": "claim",
        "patient": {"reference": f"Patient/{person_id}"},
        "created": "2025-06-07",
        "provider": {"reference": "Organization/H1"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{person_id}"}}
        ],
        "extension": [{"url": LEVEL_EXT, "valueCode": "L3"}],
        "billablePeriod": {"start": "2025-06-02", "end": "2025-06-07"},
        "item": [
            {
                "sequence": 1,
                "productOrService": {"coding": [{"code": "XS0411"}]},
                "net": {"value": 2600, "currency": "CNY"},
            },
            {
                "sequence": 2,
                "productOrService": {"coding": [{"code": "XD0102"}]},
                "quantity": {"value": 10},
                "net": {"value": 385, "currency": "CNY"},
            },
        ],
    }


def test_claim_to_claim_response(api: Api) -> None:
    r = api.client.post("/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("provider"))
    assert r.status_code == 201, r.text
    cr = r.json()
    assert cr["resourceType"] == "ClaimResponse" and cr["outcome"] == "complete"
    adj = {
        a["category"]["coding"][0]["code"]: Decimal(str(a["amount"]["value"]))
        for a in cr["adjudication"]
    }
    assert adj["medfee_sumamt"] == Decimal("2985")
    payers = sum(
        adj[c]
        for c in ("hifp_pay", "hifob_pay", "hifmi_pay", "maf_pay", "acct_pay", "psn_cash_pay")
    )
    assert payers == adj["medfee_sumamt"]
    again = api.client.post(
        "/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("provider")
    )
    assert again.status_code == 200 and again.json() == cr
    valid(cr)
    assert cr["id"] and r.headers["location"] == f"/fhir/ClaimResponse/{cr['id']}"
    assert r.headers["content-type"].startswith("application/fhir+json")
    eob = api.client.get(f"/fhir/ExplanationOfBenefit/{cr['id']}", headers=api.h("insured"))
    assert eob.status_code == 200, eob.text
    assert valid(eob.json())["id"] == cr["id"]
    balances = {b["category"]["coding"][0]["code"]: b for b in eob.json()["benefitBalance"]}
    assert "pool.inpatient.scope" in balances and "account_balance" in balances
    read = api.client.get(f"/fhir/ClaimResponse/{cr['id']}", headers=api.h("insured"))
    assert read.status_code == 200 and valid(read.json()) == cr


def _line(resource: dict[str, Any], seq: int, key: str) -> dict[str, Decimal]:
    item = next(i for i in resource["item"] if i[key] == seq)
    return {
        a["category"]["coding"][0]["code"]: Decimal(str(a["amount"]["value"]))
        for a in item["adjudication"]
    }


def test_line_level_adjudication_adds_up_to_the_claim(api: Api) -> None:
    r = api.client.post("/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("provider"))
    cr = valid(r.json())
    eob = valid(
        api.client.get(f"/fhir/ExplanationOfBenefit/{cr['id']}", headers=api.h("admin")).json()
    )
    for resource, key in ((cr, "itemSequence"), (eob, "sequence")):
        assert len(resource["item"]) == 2
        first, second = _line(resource, 1, key), _line(resource, 2, key)
        # the bill's lines as sent: 2600 and 385 yuan
        assert first["det_item_fee_sumamt"] == Decimal("2600")
        assert second["det_item_fee_sumamt"] == Decimal("385")
        for line in (first, second):
            split = sum(
                line[c]
                for c in ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
            )
            assert split == line["det_item_fee_sumamt"]
        claim = {
            a["category"]["coding"][0]["code"]: Decimal(str(a["amount"]["value"]))
            for a in resource["adjudication"]
        }
        for code in ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"):
            assert first[code] + second[code] == claim[code], code


def test_search_by_patient_and_metadata(api: Api) -> None:
    api.client.post("/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("provider"))
    api.client.post("/fhir/Claim", json=fhir_claim(api.person_id, "F2"), headers=api.h("provider"))
    for kind in ("ExplanationOfBenefit", "ClaimResponse"):
        r = api.client.get(
            f"/fhir/{kind}",
            params={"patient": f"Patient/{api.person_id}"},
            headers=api.h("insured"),
        )
        bundle = valid(r.json())
        assert bundle["type"] == "searchset" and bundle["total"] == 2
        assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [kind, kind]
    r = api.client.get(
        "/fhir/ExplanationOfBenefit",
        params={"patient": "Patient/P-other"},
        headers=api.h("insured"),
    )
    # another person's records: unknown and forbidden answer alike (no enumeration)
    assert r.status_code == 404 and valid(r.json())["issue"][0]["code"] == "not-found"
    cs = valid(api.client.get("/fhir/metadata", headers=api.h("insured")).json())
    assert cs["fhirVersion"] == "4.3.0"
    served = {r["type"]: {i["code"] for i in r["interaction"]} for r in cs["rest"][0]["resource"]}
    assert served["ExplanationOfBenefit"] == {"read", "search-type"}


def test_fhir_errors_are_operation_outcomes(api: Api) -> None:
    r = api.client.get("/fhir/ExplanationOfBenefit/999999", headers=api.h("admin"))
    assert r.status_code == 404
    issue = valid(r.json())["issue"][0]
    assert issue["code"] == "not-found" and "999999" in issue["diagnostics"]
    r = api.client.get("/fhir/ExplanationOfBenefit/999999")
    assert r.status_code == 401 and valid(r.json())["issue"][0]["code"] == "login"


def test_fhir_claim_errors_and_denials(api: Api) -> None:
    bad = fhir_claim(api.person_id)
    bad["extension"] = []
    r = api.client.post("/fhir/Claim", json=bad, headers=api.h("provider"))
    assert r.status_code == 400 and "hospital level" in valid(r.json())["issue"][0]["diagnostics"]
    r = api.client.post("/fhir/Claim", json={"resourceType": "Patient"}, headers=api.h("provider"))
    issue = valid(r.json())["issue"][0]
    assert r.status_code == 400 and issue["code"] == "invalid"
    assert "resourceType" in issue["diagnostics"]
    r = api.client.post("/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("provider2"))
    assert r.status_code == 403
    r = api.client.post("/fhir/Claim", json=fhir_claim(api.person_id), headers=api.h("insured"))
    assert r.status_code == 403


def test_coverage(api: Api) -> None:
    r = api.client.get(f"/fhir/Coverage/{api.person_id}", headers=api.h("insured"))
    assert r.status_code == 200 and r.json()["resourceType"] == "Coverage"
    assert r.json()["type"]["coding"][0]["code"] == "employee"
    assert (
        api.client.get(f"/fhir/Coverage/{api.person_id}", headers=api.h("provider")).status_code
        == 403
    )
