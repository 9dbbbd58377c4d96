"""The FHIR R4B facade: Claim → ClaimResponse, ExplanationOfBenefit, Coverage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from conftest import Api

from yibao.api.fhir import LEVEL_EXT


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
    eob = api.client.get("/fhir/ExplanationOfBenefit/H1/F1", headers=api.h("insured"))
    assert eob.status_code == 200
    balances = {b["category"]["coding"][0]["code"]: b for b in eob.json()["benefitBalance"]}
    assert "pool.inpatient.scope" in balances and "account_balance" in balances


def test_fhir_claim_errors_and_denials(api: Api) -> None:
    bad = fhir_claim(api.person_id)
    bad["extension"] = []
    r = api.client.post("/fhir/Claim", json=bad, headers=api.h("provider"))
    assert r.status_code == 400 and "hospital level" in r.json()["message"]
    r = api.client.post("/fhir/Claim", json={"resourceType": "Patient"}, headers=api.h("provider"))
    assert r.status_code == 400 and "resourceType" in r.json()["message"]
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
