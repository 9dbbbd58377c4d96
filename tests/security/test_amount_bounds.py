"""Issue 11 §2 and §8 (amounts): every amount, quantity and price has a documented bound
(:mod:`yibao.limits`); outside it, or written other than as ASCII decimal, the request is a
400 naming the field and nothing is written; the ledger's sums never overflow."""

from __future__ import annotations

from typing import Any

import pytest
from sec_helpers import Api, claim_body, person_body

from yibao.errors import InputError
from yibao.io.records import money, read_claim


@pytest.mark.parametrize(
    "text",
    ["１００", "١٠٠", "1_000", "1e21", "1e30", "NaN", "Infinity", "0x10", "1.005", " 1 000", "+-1"],
)
def test_money_text_is_ascii_decimal_only(text: str) -> None:
    with pytest.raises(InputError, match=r"^lines\[1\]\.amount: "):
        money(text, "lines[1].amount")


def test_money_bounds() -> None:
    assert money("10000000.00", "x", maximum=10**9) == 10**9
    for over in ("10000000.01", str(2**63), 2**63, "92233720368547758.07"):
        with pytest.raises(InputError, match=r"^x: exceeds the limit"):
            money(over, "x", maximum=10**9)


def _post_person(api: Api, **fields: Any) -> Any:
    body = person_body()
    enrollment = fields.pop("enrollment", {})
    body.update(fields)
    body["enrollment"].update(enrollment)
    return api.client.post("/persons", json=body, headers=api.h("admin"))


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"account_balance": "92233720368547758.07"}, "account_balance"),
        ({"account_balance": 2**63}, "account_balance"),
        ({"account_balance": "1e21"}, "account_balance"),
        ({"account_balance": "１００"}, "account_balance"),
        ({"enrollment": {"wage": "1_000"}}, "wage"),
        ({"enrollment": {"wage": "١٠٠"}}, "wage"),
        ({"enrollment": {"wage": "99999999999.00"}}, "wage"),
    ],
)
def test_person_amounts_out_of_bounds_are_400(api: Api, fields: Any, named: str) -> None:
    before = api.counts()
    r = _post_person(api, **fields)
    assert r.status_code == 400 and named in r.json()["message"], r.text
    assert api.counts() == before


def _line(**extra: Any) -> dict[str, Any]:
    return {"code": "X1", "class": "A", **extra}


@pytest.mark.parametrize(
    ("claim", "named"),
    [
        ({"presplit": {"total": "1e21"}}, "total"),
        ({"presplit": {"total": "1e30"}}, "total"),
        ({"presplit": {"total": 2**63}}, "total"),
        ({"presplit": {"total": "100000000.01"}}, "total"),
        ({"presplit": None, "lines": [_line(amount="1.00", quantity=10**18)]}, "quantity"),
        ({"presplit": None, "lines": [_line(unit_price="9999999.00", quantity=99999)]}, "quantity"),
        ({"presplit": None, "lines": [_line(amount="10000000.01")]}, "amount"),
        ({"presplit": None, "lines": [_line(amount="9000000.00")] * 12}, "lines"),
        ({"presplit": None, "lines": [_line(amount="１００")]}, "amount"),
    ],
)
def test_claim_amounts_out_of_bounds_are_400(api: Api, claim: Any, named: str) -> None:
    body = claim_body(api.person_id)
    body["claim"].update(claim)
    before = api.counts()
    for path in ("/claims/settle", "/claims/pre-settle"):
        r = api.client.post(path, json=body, headers=api.h("admin"))
        assert r.status_code == 400 and named in r.json()["message"], (path, r.text)
    assert api.counts() == before


def test_the_largest_accepted_amounts_keep_the_ledger_summable(api: Api) -> None:
    for _ in range(3):
        r = _post_person(api, account_balance="10000000.00")
        assert r.status_code == 201, r.text
    body = claim_body(api.person_id)
    body["claim"]["presplit"] = {"total": "100000000.00"}
    r = api.client.post("/claims/settle", json=body, headers=api.h("admin"))
    assert r.status_code == 201, r.text
    tb = api.client.get("/funds/990100/trial-balance", headers=api.h("admin"))
    assert tb.status_code == 200, tb.text
    check = api.client.get("/ledger/check", headers=api.h("admin"))
    assert check.status_code == 200 and check.json() == {"violations": []}


def test_claim_reader_is_shared_by_the_command_line() -> None:
    """The CLI reads claim files with the same reader: the same refusal."""
    raw = {
        "id": "C1",
        "level": "L3",
        "visit": "inpatient",
        "date": "2025-06-07",
        "presplit": {"total": "1e21"},
    }
    with pytest.raises(InputError, match=r"claim\.json: presplit\.total: "):
        read_claim(raw, "claim.json")


@pytest.mark.parametrize("day", ["20250607", "2025-6-7", "２０２５-06-07", "2025-06-07T00:00"])
def test_dates_are_strict_yyyy_mm_dd(api: Api, day: str) -> None:
    body = claim_body(api.person_id)
    body["claim"]["discharge_date"] = day
    r = api.client.post("/claims/settle", json=body, headers=api.h("admin"))
    assert r.status_code == 400 and "discharge_date" in r.json()["message"], r.text
    assert api.counts()["settlements"] == 0
