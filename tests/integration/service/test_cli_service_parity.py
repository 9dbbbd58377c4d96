"""The CLI path (files → io.request) and the service path settle a claim the same way,
cross-region care included: the treatment region's policy and catalogue, the insured
region's policy, the route from filings (none in files: unfiled)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from svc_helpers import claim

from yibao.io.request import read_request, settle_request
from yibao.policy.registry import shipped_packs
from yibao.service import settlement
from yibao.service.context import Context

Person = Callable[..., dict[str, object]]


def _cli(person: dict[str, object], claim_data: dict[str, object]) -> dict[str, str]:
    packs = shipped_packs()
    chain = packs.chain(packs.by_region("990100").id)
    sex = int(str(person["id_number"])[16]) % 2
    data = {
        "id": person["person_id"],
        "scheme": "employee",
        "type": "active",
        "sex": "male" if sex else "female",
        "birth_date": "1980-01-01",
        "region": "990100",
        "enrolled_from": "2025-01-01",
        "account_balance": "500.00",
    }
    s = settle_request(read_request(data, claim_data), chain, packs)
    return {k: v["yuan"] for k, v in settlement.settlement_to_data(s)["parts"].items()}


@pytest.mark.parametrize(
    ("provider", "region", "lines"),
    [
        ("H1", "990100", None),
        ("S1", "990200", None),
        (
            "S1",
            "990200",
            [{"code": "XD0001", "amount": "300.00"}, {"code": "XS0001", "amount": "90.00"}],
        ),
    ],
)
def test_cli_and_service_agree(
    ctx: Context,
    new_person: Person,
    provider: str,
    region: str,
    lines: list[dict[str, str]] | None,
) -> None:
    p = new_person()
    body = claim(provider=provider, region=region)
    if lines is not None:
        body.pop("presplit")
        body["lines"] = lines
    served = settlement.settle_claim(
        ctx, settlement.read_settle_request({"person_id": p["person_id"], "claim": body})
    )
    stored = {k: v["yuan"] for k, v in served.data["parts"].items()}
    assert _cli(p, body) == stored
