"""Request bodies shared by the API tests."""

from __future__ import annotations

from typing import Any

from yibao.enroll.idcard import check_character

_SEQ = iter(range(100, 999))


def identity() -> str:
    first = f"99010119850505{next(_SEQ):03d}"
    return first + check_character(first)


def person_body(region: str = "990100", **extra: Any) -> dict[str, Any]:
    return {
        "id_number": identity(),
        "name": "赵六",
        "region": region,
        "account_balance": "500.00",
        "enrollment": {
            "scheme": "employee",
            "type": "active",
            "region": region,
            "employer": "E1",
            "wage": "9000.00",
            "from": "2025-01-01",
        },
        **extra,
    }


def claim_body(
    person_id: str, no: str = "C1", provider: str = "H1", **extra: Any
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "claim": {
            "id": no,
            "provider": provider,
            "level": "L3",
            "visit": "inpatient",
            "admit_date": "2025-06-01",
            "discharge_date": "2025-06-07",
            "presplit": {"total": "20000.00", "full_selfpay": "1000.00"},
            **extra,
        },
    }


def provider_body(
    provider_id: str = "H1", region: str = "990100", level: str = "L3", **extra: Any
) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": f"医院 {provider_id}",
        "level": level,
        "region": region,
        "kind": "hospital",
        **extra,
    }
