"""The HL7 FHIR R4B facade: Claim → our claim; settlement → ClaimResponse and
ExplanationOfBenefit (accumulators as benefitBalance); enrollment → Coverage.

A settlement's ClaimResponse and ExplanationOfBenefit share its id (the stored settlement
number), read at ``/fhir/ClaimResponse/{id}`` and ``/fhir/ExplanationOfBenefit/{id}``. The
adjudication is given for the claim (every part, by national interface code) and per line
(``item.adjudication``: the line's amount and its split by the catalogue). Errors are
OperationOutcome resources; ``/fhir/metadata`` is the CapabilityStatement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError

from yibao.errors import InputError
from yibao.settle.parts import INTERFACE_CODES

LEVEL_EXT = "https://yibao.dev/fhir/StructureDefinition/hospital-level"
PART_SYSTEM = "https://yibao.dev/fhir/CodeSystem/settlement-part"  # national interface codes
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
_VISITS = {
    "institutional": "inpatient",
    "professional": "outpatient_general",
    "pharmacy": "pharmacy",
}
_TYPES = {v: k for k, v in _VISITS.items()} | {"outpatient_chronic": "professional"}
# the parts reported as adjudication, in settlement order
_ADJUDICATED = (
    "total",
    "full_selfpay",
    "over_limit",
    "preself",
    "scope",
    "deductible",
    "pooled_fund",
    "large_amount",
    "critical_illness",
    "assistance",
    "account",
    "cash",
)


def _dump(resource: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(resource.model_dump_json())
    return out


def _ref_id(ref: Any, prefix: str, where: str) -> str:
    text = getattr(ref, "reference", None) or ""
    if not text.startswith(prefix + "/") or len(text) == len(prefix) + 1:
        raise InputError(f"{where}: expected a reference {prefix}/<id>, got {text!r}")
    return str(text[len(prefix) + 1 :])


def read_fhir_claim(body: object) -> dict[str, Any]:
    """A FHIR Claim as our settle request ``{person_id, claim}``."""
    if not isinstance(body, Mapping) or body.get("resourceType") != "Claim":
        raise InputError("resourceType: expected 'Claim'")
    try:
        c = FhirClaim.model_validate(dict(body))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"Claim.{loc}: {first['msg']}") from None
    if not c.identifier or not c.identifier[0].value:
        raise InputError("Claim.identifier: the claim number is required")
    coding = c.type.coding[0] if c.type and c.type.coding else None
    visit = _VISITS.get(getattr(coding, "code", "") or "")
    if visit is None:
        raise InputError(f"Claim.type: expected one of {', '.join(_VISITS)}")
    level = next((x.valueCode for x in (c.extension or []) if x.url == LEVEL_EXT), None)
    if not level:
        raise InputError(f"Claim.extension: the hospital level ({LEVEL_EXT}) is required")
    if c.billablePeriod is None or c.billablePeriod.end is None:
        raise InputError("Claim.billablePeriod.end: the discharge date is required")
    end = c.billablePeriod.end
    start = c.billablePeriod.start or end
    lines = []
    for i, item in enumerate(c.item or [], 1):
        code = item.productOrService.coding[0] if item.productOrService.coding else None
        if code is None or not code.code:
            raise InputError(f"Claim.item[{i}].productOrService: a code is required")
        if item.net is None or item.net.value is None:
            raise InputError(f"Claim.item[{i}].net: the amount is required")
        line: dict[str, Any] = {"code": code.code, "amount": str(item.net.value)}
        if item.quantity is not None and item.quantity.value is not None:
            q = item.quantity.value
            if q != int(q):
                raise InputError(f"Claim.item[{i}].quantity: must be a whole number")
            line["quantity"] = int(q)
        lines.append(line)
    if not lines:
        raise InputError("Claim.item: at least one item is required")
    return {
        "person_id": _ref_id(c.patient, "Patient", "Claim.patient"),
        "claim": {
            "id": c.identifier[0].value,
            "provider": _ref_id(c.provider, "Organization", "Claim.provider"),
            "level": level,
            "visit": visit,
            "admit_date": str(start)[:10],
            "discharge_date": str(end)[:10],
            "lines": lines,
        },
    }


def _money(yuan: str) -> dict[str, Any]:
    return {"value": Decimal(yuan), "currency": "CNY"}


def _adjudication(parts: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "category": {
                "coding": [{"system": PART_SYSTEM, "code": INTERFACE_CODES[name], "display": name}]
            },
            "amount": _money(parts[name]["yuan"]),
        }
        for name in _ADJUDICATED
    ]


# a line's split (national interface codes where one exists): amount, full self-pay,
# over-limit self-pay, class-B pre-self-pay, policy scope
_LINE_PARTS = (
    ("amount", "det_item_fee_sumamt"),
    ("full_selfpay", "fulamt_ownpay_amt"),
    ("over_limit", "overlmt_selfpay"),
    ("preself", "preselfpay_amt"),
    ("scope", "inscp_scp_amt"),
)


def _items(s: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Line-level adjudication: one item per bill line, in line order (sequence from 1)."""
    out = []
    for seq, line in enumerate(s.get("lines") or [], 1):
        adjudication = [
            {
                "category": {"coding": [{"system": PART_SYSTEM, "code": code, "display": name}]},
                "amount": _money(line[name]),
            }
            for name, code in _LINE_PARTS
        ]
        if line.get("reason"):
            adjudication[0]["reason"] = {"text": str(line["reason"])}
        out.append({"itemSequence": seq, "adjudication": adjudication})
    return out


def claim_response(
    s: Mapping[str, Any], insurer_region: str, resource_id: str | None = None
) -> dict[str, Any]:
    """ClaimResponse with the settlement parts as adjudication (by national interface code)
    and each line's split as item adjudication."""
    parts = s["parts"]
    visit_type = _TYPES.get(str(s.get("visit", "")), "institutional")
    items = _items(s)
    cr = ClaimResponse.model_validate(
        {
            "resourceType": "ClaimResponse",
            **({"id": resource_id} if resource_id else {}),
            **({"item": items} if items else {}),
            "status": "active",
            "type": {"coding": [{"system": CLAIM_TYPE, "code": visit_type}]},
            "use": "preauthorization" if s.get("status") == "pre-settled" else "claim",
            "patient": {"reference": f"Patient/{s['person_id']}"},
            "created": s["settle_date"],
            "insurer": {"display": f"医保经办机构 {insurer_region}"},
            "requestor": {"reference": f"Organization/{s['provider_id']}"},
            "identifier": [{"system": "https://yibao.dev/claim-no", "value": s["claim_no"]}],
            "outcome": "complete",
            "disposition": str(s.get("status", "settled")),
            "adjudication": _adjudication(parts),
            "total": [
                {
                    "category": {"coding": [{"code": "submitted"}]},
                    "amount": _money(parts["total"]["yuan"]),
                },
                {
                    "category": {"coding": [{"code": "benefit"}]},
                    "amount": _money(parts["fund_total"]["yuan"]),
                },
            ],
        }
    )
    return _dump(cr)


def _balance(name: str, allowed: str, used: str | None = None) -> dict[str, Any]:
    fin: dict[str, Any] = {
        "type": {"coding": [{"code": "benefit"}]},
        "allowedMoney": _money(allowed),
    }
    if used is not None:
        fin["usedMoney"] = _money(used)
    return {"category": {"coding": [{"system": PART_SYSTEM, "code": name}]}, "financial": [fin]}


def explanation_of_benefit(
    s: Mapping[str, Any], insurer_region: str, resource_id: str | None = None
) -> dict[str, Any]:
    """EOB: the adjudication per part and per line, and the year's accumulators after the
    claim as benefitBalance (amounts used so far; the account balance as allowed money)."""
    after = s["after"]
    balances = (
        [_balance(f"pool.{visit}.scope", "0", p["scope"]) for visit, p in after["pools"].items()]
        + [_balance(f"ceiling_fund.{g}", "0", v) for g, v in after["ceiling_fund"].items()]
        + [_balance(k, "0", after[k]) for k in ("large_amount_paid", "ci_paid", "assistance_paid")]
        + [_balance("account_balance", after["account_balance"])]
    )
    visit_type = _TYPES.get(str(s.get("visit", "")), "institutional")
    items = [
        {
            "sequence": it["itemSequence"],
            "productOrService": {"coding": [{"code": line["code"]}]},
            "net": _money(line["amount"]),
            "adjudication": it["adjudication"],
        }
        for it, line in zip(_items(s), s.get("lines") or [], strict=True)
    ]
    eob = ExplanationOfBenefit.model_validate(
        {
            "resourceType": "ExplanationOfBenefit",
            **({"id": resource_id} if resource_id else {}),
            **({"item": items} if items else {}),
            "status": "active" if s.get("status") == "settled" else "cancelled",
            "type": {"coding": [{"system": CLAIM_TYPE, "code": visit_type}]},
            "use": "claim",
            "patient": {"reference": f"Patient/{s['person_id']}"},
            "created": s["settle_date"],
            "insurer": {"display": f"医保经办机构 {insurer_region}"},
            "provider": {"reference": f"Organization/{s['provider_id']}"},
            "outcome": "complete",
            "identifier": [{"system": "https://yibao.dev/claim-no", "value": s["claim_no"]}],
            "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/{s['person_id']}"}}],
            "adjudication": _adjudication(s["parts"]),
            "benefitBalance": balances,
        }
    )
    return _dump(eob)


def coverage(
    person: Mapping[str, Any], enrollment: Mapping[str, Any], today: date
) -> dict[str, Any]:
    end = enrollment.get("to")
    active = end is None or date.fromisoformat(str(end)) >= today
    period = {"start": enrollment["from"]} | ({"end": end} if end else {})
    cov = Coverage.model_validate(
        {
            "resourceType": "Coverage",
            "id": str(person["person_id"]),
            "status": "active" if active else "cancelled",
            "type": {
                "coding": [
                    {
                        "system": "https://yibao.dev/fhir/CodeSystem/scheme",
                        "code": enrollment["scheme"],
                    }
                ]
            },
            "beneficiary": {"reference": f"Patient/{person['person_id']}"},
            "payor": [{"display": f"医保经办机构 {enrollment['region']}"}],
            "period": period,
            "class": [{"type": {"coding": [{"code": "plan"}]}, "value": enrollment["type"]}],
        }
    )
    return _dump(cov)


# HTTP status → OperationOutcome issue type (http://hl7.org/fhir/issue-type)
_ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
}


def operation_outcome(status: int, message: str, field: str | None) -> dict[str, Any]:
    """An error as a FHIR OperationOutcome: one issue, its type from the HTTP status."""
    issue: dict[str, Any] = {
        "severity": "error",
        "code": _ISSUE_TYPES.get(status, "exception"),
        "diagnostics": message,
    }
    if field:
        issue["expression"] = [field]
    return _dump(
        OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": [issue]})
    )


def capability_statement(version: str, today: date) -> dict[str, Any]:
    """What the facade serves (``/fhir/metadata``): resources, interactions, searches."""
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    def resource(kind: str, interactions: list[str], search: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": kind,
            "interaction": [{"code": code} for code in interactions],
        }
        if search:
            out["searchParam"] = [{"name": n, "type": "reference"} for n in search]
        return out

    cs = CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": today.isoformat(),
            "kind": "instance",
            "software": {"name": "yibao", "version": version},
            "implementation": {"description": "yibao FHIR R4B facade (医保结算)"},
            "fhirVersion": "4.3.0",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "an API key as a bearer token or in X-API-Key",
                    },
                    "resource": [
                        resource("Claim", ["create"], []),
                        resource("ClaimResponse", ["read", "search-type"], ["patient"]),
                        resource("ExplanationOfBenefit", ["read", "search-type"], ["patient"]),
                        resource("Coverage", ["read"], []),
                    ],
                }
            ],
        }
    )
    return _dump(cs)
