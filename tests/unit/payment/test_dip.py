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
