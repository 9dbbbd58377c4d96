"""DIP: catalogue and scores (1:2:7), case factors, point values, prepayment, liquidation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from yibao.errors import InputError
from yibao.payment.dip import (
    DipCase,
    DipParams,
    YearStats,
    build_catalogue,
    case_points,
    liquidate,
    per_capita,
    settlement_point_value,
)
from yibao.payment.dip.liquidation import pay, prepayment
from yibao.payment.sharing import SharingRule, share_balance

FIX: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "dip.yaml").read_text(encoding="utf-8")
)


def history() -> list[YearStats]:
    out = []
    for y in FIX["history"]:
        long = y.get("long_stay", {"cases": 0, "days": 0, "cost": 0})
        cells = {(c[0], c[1]): (c[2], c[3]) for c in y["cells"]}
        out.append(YearStats(y["year"], cells, long["cases"], long["days"], long["cost"]))
    return out


def year_cases() -> list[DipCase]:
    return [DipCase(*row) for row in FIX["year"]["cases"]]


def params(**kw: Any) -> DipParams:
    return DipParams(
        budget=FIX["year"]["budget"], reserve_ratio=Decimal(FIX["year"]["reserve_ratio"]), **kw
    )


def test_catalogue_scores_weighted_1_2_7() -> None:
    cat = build_catalogue(history(), min_cases=FIX["min_cases"])
    expected = FIX["expected_catalogue"]
    assert set(cat.groups) == set(expected["groups"])
    for key, e in expected["groups"].items():
        g = cat.groups[key]
        assert (g.kind, g.mean_cost, g.score) == (e["kind"], e["mean_cost"], Decimal(e["score"]))
    assert cat.day_score == Decimal(expected["day_score"])
    assert cat.budget_point_value > 0


def test_case_points_and_factors() -> None:
    cat = build_catalogue(history(), min_cases=FIX["min_cases"])
    for case in year_cases():
        p = case_points(case, cat, params())
        e = FIX["expected_points"][case.case_id]
        assert (p.kind, p.factor_units, p.points) == (e["kind"], e["factor"], e["points"]), case


def test_liquidation_identity_and_residual() -> None:
    cat = build_catalogue(history(), min_cases=FIX["min_cases"])
    liq = liquidate(year_cases(), cat, params())
    assert liq.reserve == 250_000 and liq.by_item == 7_000
    total = sum(e["points"] for e in FIX["expected_points"].values())
    assert liq.total_points == total
    assert liq.point_value == settlement_point_value(5_000_000 - 250_000 - 7_000, total)
    assert liq.check() == []
    assert sum(h.value for h in liq.hospitals) + liq.reserve + liq.residual == liq.budget
    assert abs(liq.residual) <= len(year_cases())  # at most about half a fen a case


def test_point_value_and_payment_rounding() -> None:
    assert settlement_point_value(1_000, 3 * 10_000) == 33_333  # 333.33 fen a point
    assert pay(10_000, 33_333) == 333  # one point
    assert pay(15_000, 100) == 2  # 1.5 points × 1 fen = 1.5 → 2 (half-up)
    with pytest.raises(InputError):
        settlement_point_value(0, 10)


def test_prepayment_and_per_capita() -> None:
    # 10 points at 50 fen = 500 fen; by item 100; others paid 200 → fund 400 × 0.85 = 340
    assert prepayment(100_000, 100, 200, 5_000, Decimal("0.85")) == 340
    assert prepayment(100_000, 0, 9_999, 5_000, Decimal("0.85")) == 0
    assert per_capita({"H2": 2, "H1": 5}, 30_000) == {"H1": 150_000, "H2": 60_000}


def test_budget_must_be_positive() -> None:
    with pytest.raises(InputError, match="budget must be positive"):
        DipParams(budget=0)


def test_sharing_rule() -> None:
    rule = SharingRule(Decimal("0.7"), Decimal("0.5"), Decimal("0.1"))
    assert share_balance(10_000, 9_000, rule) == -300  # keep 700 of a 1 000 surplus
    assert share_balance(10_000, 10_500, rule) == 250  # fund bears half the 500 overspend
    assert share_balance(10_000, 13_000, rule) == 500  # only up to 10 % of the value
    assert share_balance(10_000, 10_000, rule) == 0


def test_year_weights_follow_the_year_not_the_position() -> None:
    # history 2022 and 2024 only (2023 missing): weights 1 and 7, not 2 and 7
    years = [history()[0], history()[2]]
    by_year = build_catalogue(years, min_cases=1, year_weights=[1, 7])
    by_position = build_catalogue(years, min_cases=1)
    k80 = "K80.100/51.2301"
    # K80 means 10 000 (2022) and 13 000 (2024): (1·10 000 + 7·13 000) / 8 = 12 625
    assert by_year.groups[k80].mean_cost == 12_625
    assert by_position.groups[k80].mean_cost == 12_333  # (2·10 000 + 7·13 000) / 9
    with pytest.raises(InputError):
        build_catalogue(years, year_weights=[1])


K80 = "K80.100/51.2301"


def levelled_history(level_min_cases: int = 1) -> Any:
    """The fixture history with the prior year (2024) split by level: K80's one case at L2."""
    years = history()
    y = years[2]
    levels = {
        (K80, "K80:S", "L2"): (1, 13_000),
        ("J18.900/", "J18:C", "L3"): (1, 6_000),
        ("J18.000/", "J18:C", "L3"): (1, 2_000),
    }
    years[2] = YearStats(y.year, y.cells, y.long_stay_cases, y.long_stay_days, y.long_stay_cost,
                         levels)  # fmt: skip
    return build_catalogue(years, min_cases=FIX["min_cases"], level_min_cases=level_min_cases)


def test_case_factor_against_the_prior_year_same_level_mean() -> None:
    cat = levelled_history()
    assert cat.level_means[(K80, "L2")] == 13_000 and cat.level_year == 2024
    assert (K80, "L3") not in cat.level_means
    # c3 at an L2 hospital: 30 000 ÷ 13 000 (same level, 2024) = 2.3077 → (2.3077 − 2) + 1
    c3 = next(c for c in year_cases() if c.case_id == "c3")
    p = case_points(c3, cat, params())
    assert (p.kind, p.factor_units, p.standard, p.basis) == ("high_cost", 13_077, 13_000, "level")
    # 174.4186 × 1.3077 = 228.0872 (half-up), × 0.92 = 209.8402
    assert p.points == 2_098_402
    # c1 at an L3 hospital: no L3 mean for K80 in 2024 → the all-level mean 12 500, stated
    c1 = next(c for c in year_cases() if c.case_id == "c1")
    p1 = case_points(c1, cat, params())
    assert (p1.kind, p1.standard, p1.basis) == ("normal", 12_500, "all_levels")
    # a low-cost case against the same-level mean: 5 000 ÷ 13 000 = 0.3846
    low = DipCase("x", "H2", "L2", 1, K80, "K80:S", 5_000, 3)
    assert case_points(low, cat, params()).factor_units == 3_846
    # with too few cases at the level, the fallback is used
    strict = levelled_history(level_min_cases=2)
    assert case_points(c3, strict, params()).basis == "all_levels"


def test_extreme_cases_go_to_expert_review_and_are_paid_by_the_rule() -> None:
    cat = build_catalogue(history(), min_cases=FIX["min_cases"])
    at_five = DipCase("e5", "H1", "L3", 6, K80, "K80:S", 62_500, 8)  # exactly 5 × 12 500
    extreme = DipCase("e6", "H1", "L3", 6, K80, "K80:S", 70_000, 8)  # 5.6 ×
    assert case_points(at_five, cat, params()).kind == "high_cost"
    p = case_points(extreme, cat, params())
    assert (p.kind, p.factor_units, p.points, p.standard) == ("extreme", 0, 0, 12_500)
    liq = liquidate([*year_cases(), extreme], cat, params())
    assert liq.by_item == 7_000 + 70_000  # by item, outside the point total (the default)
    assert dict((q.case_id, v) for q, v in liq.cases)["e6"] == 70_000
    assert liq.check() == []
    # the other rule: the high-cost factor (5.6 − 2) + 1 = 4.6, inside the point total
    by_points = params(extreme_rule="points")
    q = case_points(extreme, cat, by_points)
    # 174.4186 × 4.6 = 802.32556 → 802.3256 (L3 coefficient 1)
    assert (q.kind, q.factor_units, q.points) == ("extreme", 46_000, 8_023_256)
    liq2 = liquidate([*year_cases(), extreme], cat, by_points)
    assert liq2.by_item == 7_000 and liq2.total_points == liq.total_points + q.points
    with pytest.raises(InputError, match="extreme-case rule"):
        params(extreme_rule="review")
    with pytest.raises(InputError, match="below the high-cost"):
        params(extreme_multiple=Decimal("1.5"))


def test_largest_remainder_shares_add_up_exactly() -> None:
    from yibao.payment.dip.liquidation import largest_remainder

    assert largest_remainder(100, [1, 2, 3], ["a", "b", "c"]) == [17, 33, 50]
    assert largest_remainder(1, [1, 1], ["b", "a"]) == [0, 1]  # a tie goes to the first key
    assert largest_remainder(0, [5, 7], ["a", "b"]) == [0, 0]
    assert sum(largest_remainder(999_999_937, [3, 7, 11, 13], list("abcd"))) == 999_999_937
    with pytest.raises(InputError):
        largest_remainder(5, [0, 0], ["a", "b"])


def test_liquidation_shares_the_residual_out() -> None:
    cat = build_catalogue(history(), min_cases=FIX["min_cases"])
    liq = liquidate(year_cases(), cat, params())
    assert sum(h.payment for h in liq.hospitals) + liq.reserve == liq.budget  # no residual line
    assert sum(h.rounding for h in liq.hospitals) == liq.residual
    for h in liq.hospitals:
        assert h.fund_due == h.payment - h.patient_paid - h.other_funds
        assert h.balance == h.payment - h.cost
    # breaking a share is caught by the explicit identity check
    h0 = liq.hospitals[0]
    bad = liq.__class__(**{**liq.__dict__, "hospitals": (
        h0.__class__(**{k: getattr(h0, k) for k in h0.__slots__} | {"rounding": h0.rounding + 1}),
        *liq.hospitals[1:],
    )})  # fmt: skip
    assert any("hospital payments" in v for v in bad.check())
