"""The behavioural response: arc-elasticity use factors and rescaled claim lines; the
reform's effect on months payable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from yibao.actuarial.warning import DEFAULT_THRESHOLDS, FundYear
from yibao.reform.behaviour import claim_factors, scale_lines, use_factors
from yibao.reform.funds import fund_effects

START = date(2025, 7, 1)


def deltas() -> pa.Table:
    # P1 pays 100 → 50 after the start (a price cut), P2 50 → 100 (a rise), P3 unchanged,
    # P4's only change is before the start.
    return pa.table(
        {
            "claim_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "person_id": ["P1", "P1", "P2", "P3", "P4", "P4"],
            "settle_date": [date(2025, 3, 1), START, date(2025, 9, 1), START, date(2025, 1, 5), START],
            "oop_base": [70, 100, 50, 30, 80, 10],
            "oop_reform": [70, 50, 100, 30, 40, 10],
        }
    )  # fmt: skip


def arc_factor(o0: int, o1: int, e: Fraction) -> Fraction:
    """The RAND arc-elasticity factor, straight from the definition (rates share a total)."""
    k = e * Fraction(o1 - o0) / (Fraction(o1 + o0) / 2)
    return (2 + k) / (2 - k)


def test_factors_follow_the_arc_elasticity_from_the_start_on() -> None:
    f = {
        r["person_id"]: r["factor_units"]
        for r in use_factors(deltas(), START, Decimal("-0.2")).to_pylist()
    }
    assert set(f) == {"P1", "P2"}  # P3 unchanged, P4 changed only before the start
    for person, (o0, o1) in {"P1": (100, 50), "P2": (50, 100)}.items():
        exact = arc_factor(o0, o1, Fraction(-2, 10)) * 10_000
        assert f[person] == int(exact + Fraction(1, 2))  # half-up to four places
    assert f["P1"] == 11429 and f["P2"] == 8750  # cheaper: more use; dearer: less


def test_only_the_rescaled_persons_claims_from_the_start_are_scaled() -> None:
    factors = use_factors(deltas(), START, Decimal("-0.2"))
    claims = {
        r["claim_id"]: r["factor_units"]
        for r in claim_factors(deltas(), factors, START).to_pylist()
    }
    assert claims == {"C2": 11429, "C3": 8750}
    lines = pa.table(
        {
            "claim_id": ["C1", "C2", "C2", "C3"],
            "line_no": [1, 1, 2, 1],
            "item_code": ["X", "X", "Y", "X"],
            "quantity": [1, 2, 1, 1],
            "unit_price_fen": [333, 175, 3, 100],
            "amount_fen": [333, 350, 3, 100],
        }
    )
    out = scale_lines(lines, claim_factors(deltas(), factors, START))
    assert out.column_names == lines.column_names
    out = out.sort_by([("claim_id", "ascending"), ("line_no", "ascending")])
    # 350 × 1.1429 = 400.015 → 400; 3 × 1.1429 = 3.4287 → 3; 100 × 0.875 = 87.5 → 88 (half-up)
    assert out["amount_fen"].to_pylist() == [333, 400, 3, 88]
    # more or less care at the same prices
    assert out.drop_columns(["amount_fen"]) == lines.drop_columns(["amount_fen"])


def test_months_payable_move_with_the_pooled_outlay() -> None:
    # 12 months of balance at last year's spending; the reform adds 10 % to this year's outlay
    history = [
        FundYear("990100", "resident_pooled", 2023, 1_000_00, 1_000_00, 1_000_00),
        FundYear("990100", "resident_pooled", 2024, 1_000_00, 1_000_00, 1_000_00),
    ]
    (e,) = fund_effects([("990100", "resident", 300_00, 330_00)], history, DEFAULT_THRESHOLDS, 2025)
    assert e.before is not None and e.after is not None
    assert (e.before.expenditure, e.after.expenditure) == (1_000_00, 1_100_00)
    assert (e.before.months, e.after.months) == (Decimal("12.0"), Decimal("9.8"))
    assert e.after.surplus == -100_00 and "current-year deficit" in e.after.notes
    (none,) = fund_effects([("990200", "employee", 1, 2)], history, DEFAULT_THRESHOLDS, 2025)
    assert none.before is None and none.fund == "employee_pooled"
