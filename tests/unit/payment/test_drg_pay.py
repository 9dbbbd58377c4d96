"""DRG payment: weights, base rate, standards, outliers and the hospital-side identity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from yibao.errors import InputError
from yibao.money import yuan_to_fen
from yibao.payment.drg_pay import (
    CaseKind,
    DrgClaim,
    DrgParams,
    base_rate,
    classify,
    fund_to_hospital,
    pay_cases,
    payment_standard,
    relative_weights,
)

FIX: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "drg_payment.yaml").read_text(encoding="utf-8")
)


def test_sb11_hospital_settlement_to_the_fen() -> None:
    f = FIX["sb11"]
    std, cost = yuan_to_fen(f["standard"]), yuan_to_fen(f["cost"])
    assert classify(cost, std, f["level"], DrgParams()) == CaseKind(f["expected_kind"])
    paid, other = yuan_to_fen(f["patient_paid"]), yuan_to_fen(f["other_funds"])
    assert fund_to_hospital(std, paid, other) == yuan_to_fen(f["expected_fund_to_hospital"])
    assert fund_to_hospital(cost, paid, other) == yuan_to_fen(f["expected_fee_for_service_fund"])
    # through pay_cases: a rate and RW that give exactly the published standard
    claim = DrgClaim("sb11", "H", "L3", "SB11", cost, paid, other)
    [p] = pay_cases([claim], {"SB11": Decimal(1)}, std)
    assert (p.kind, p.value, p.fund_to_hospital) == (CaseKind.NORMAL, std, -1453123)


def test_trimmed_weights() -> None:
    f = FIX["weights"]
    w = relative_weights(f["costs_fen"])
    for group, expected in f["expected"].items():
        assert (w[group].kept, w[group].rw) == (expected["kept"], Decimal(expected["rw"]))
    assert w["A"].cases == 6


def test_base_rate_and_standard() -> None:
    f = FIX["base_rate"]
    weights = {k: Decimal(v) for k, v in f["weights"].items()}
    assert base_rate(f["budget_fen"], f["expected"], weights) == f["expected_rate_fen"]
    assert payment_standard(66667, Decimal("2"), Decimal("0.92")) == 122667  # 122 667.28
    with pytest.raises(InputError, match="budget must be positive"):
        base_rate(0, f["expected"], weights)


@pytest.mark.parametrize("case", FIX["outliers"]["cases"])
def test_outlier_thresholds(case: dict[str, Any]) -> None:
    std = FIX["outliers"]["standard_fen"]
    assert classify(case["cost_fen"], std, case["level"], DrgParams()) == CaseKind(case["kind"])


def test_high_cost_cap_keeps_the_most_extreme() -> None:
    # 40 discharges at one L3 hospital, 3 high-cost: the 5 % cap allows 2 by item
    claims = [DrgClaim(f"n{i:02}", "H", "L3", "X", 10_000) for i in range(37)]
    claims += [
        DrgClaim("h1", "H", "L3", "X", 40_000),
        DrgClaim("h2", "H", "L3", "X", 90_000),
        DrgClaim("h3", "H", "L3", "X", 50_000),
    ]
    paid = {p.case_id: p for p in pay_cases(claims, {"X": Decimal(1)}, 10_000)}
    assert paid["h2"].kind is CaseKind.HIGH_COST and paid["h2"].value == 90_000
    assert paid["h3"].kind is CaseKind.HIGH_COST
    assert paid["h1"].kind is CaseKind.HIGH_COST_OVER_CAP and paid["h1"].value == 10_000


def test_ungrouped_case_is_paid_by_item() -> None:
    [p] = pay_cases([DrgClaim("u", "H", "L2", "0000", 5_000, 1_000)], {"X": Decimal(1)}, 100)
    assert p.kind is CaseKind.UNGROUPED and p.value == 5_000 and p.fund_to_hospital == 4_000


def test_readmission_in_the_same_drg_halves_the_earlier_case() -> None:
    from datetime import date

    def stay(cid: str, drg: str, admit: int, out: int, person: str = "p1") -> DrgClaim:
        return DrgClaim(cid, "H", "L3", drg, 9_000, 1_000, 0, person,
                        date(2025, 3, admit), date(2025, 3, out))  # fmt: skip

    claims = [
        stay("a", "X", 1, 5),
        stay("b", "Y", 8, 9),  # another DRG between: a is still compared with c
        stay("c", "X", 20, 22),  # 15 days after a's discharge: a is halved
        stay("d", "X", 31, 31),  # 9 days after c: c is halved; d has no later stay
        stay("e", "X", 21, 23, person="p2"),  # another patient: never compared with p1
    ]
    paid = {p.case_id: p for p in pay_cases(claims, {"X": Decimal(1), "Y": Decimal(1)}, 10_001)}
    assert {k for k, p in paid.items() if p.readmission} == {"a", "c"}
    assert paid["a"].value == 5_001 and paid["a"].fund_to_hospital == 4_001  # 10 001 ÷ 2 half-up
    assert paid["d"].value == paid["b"].value == 10_001
    # 14 days: a is no longer halved, c still is
    short = pay_cases(claims, {"X": Decimal(1), "Y": Decimal(1)}, 10_001,
                      DrgParams(readmission_days=14))  # fmt: skip
    assert {p.case_id for p in short if p.readmission} == {"c"}
    with pytest.raises(InputError, match="readmission days"):
        DrgParams(readmission_days=-1)
