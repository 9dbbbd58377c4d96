"""Warning levels at the thresholds (policy-facts.md §7), budget trend, prepayment, in-year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yibao.actuarial.warning import (
    DEFAULT_THRESHOLDS,
    FundYear,
    Level,
    YearToDate,
    budget,
    indicators,
    level,
    months_payable,
    warn_all,
)

EMP = DEFAULT_THRESHOLDS["employee_pooled"]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ("0", Level.RED),
        ("2.9", Level.RED),
        ("3", Level.ORANGE),  # 3 is no longer insufficient
        ("5.9", Level.ORANGE),
        ("6", Level.NORMAL),  # the 6–9 guideline range includes both ends
        ("9", Level.NORMAL),
        ("9.1", Level.AMPLE),
        ("15", Level.AMPLE),
        ("15.1", Level.EXCESS),  # over 15 months = 结余过多
    ],
)
def test_levels_at_the_thresholds(months: str, expected: Level) -> None:
    assert level(Decimal(months), EMP) is expected


def test_months_payable_matches_the_2024_bulletin() -> None:
    # employee pooled fund 2024: 30,445.50亿 ÷ (13,222.71亿 / 12) ≈ 27.6 months (§7)
    assert months_payable(3_044_550, 1_322_271) == Decimal("27.6")
    assert months_payable(100, 0) is None


def fy(
    year: int, income: int, expenditure: int, balance: int, fund: str = "employee_pooled"
) -> FundYear:
    return FundYear("990100", fund, year, income, expenditure, balance, 300, 100)


def test_budget_follows_the_three_year_trend() -> None:
    hist = [
        fy(2021, 1000, 800, 0),
        fy(2022, 1100, 880, 0),
        fy(2023, 1210, 968, 0),
        fy(2024, 1331, 1064, 5000),
    ]
    b = budget(hist, 2025)
    assert b.income_growth == Decimal("0.1000")
    assert b.income == 1464  # 1331 × 1.1 = 1464.1
    assert b.expenditure == round(1064 * (1 + float(b.expenditure_growth)))
    assert b.balance == 5000 + b.income - b.expenditure


def test_prepayment_needs_12_months_employee_6_resident_and_no_deficit() -> None:
    prev = fy(2024, 1200, 1000, 0)
    # employee: 12.0 months allows prepayment, 11.9 does not
    ok = indicators(
        "990100", "employee_pooled", 2025, "actual", 1200, 1200, 1200, prev, DEFAULT_THRESHOLDS
    )
    assert ok.months == Decimal("12.0") and ok.prepayment_allowed
    short = indicators(
        "990100", "employee_pooled", 2025, "actual", 1200, 1200, 1190, prev, DEFAULT_THRESHOLDS
    )
    assert not short.prepayment_allowed
    res = indicators(
        "990100", "resident_pooled", 2025, "actual", 1200, 1200, 600, prev, DEFAULT_THRESHOLDS
    )
    assert res.prepayment_allowed
    # a deficit last year forbids prepayment whatever the balance (2024 notice)
    deficit_prev = fy(2024, 900, 1000, 0)
    no = indicators(
        "990100",
        "employee_pooled",
        2025,
        "actual",
        1200,
        1000,
        99999,
        deficit_prev,
        DEFAULT_THRESHOLDS,
    )
    assert not no.prepayment_allowed and "deficit last year: no prepayment" in no.notes


def test_dependency_ratio_and_growth_note() -> None:
    prev = fy(2024, 1000, 1000, 0)
    i = indicators(
        "990100",
        "employee_pooled",
        2025,
        "actual",
        1050,
        1100,
        5000,
        prev,
        DEFAULT_THRESHOLDS,
        263,
        100,
    )
    assert i.dependency_ratio == Decimal("2.63")
    assert "expenditure grows faster than income" in i.notes
    assert i.surplus == -50 and "current-year deficit" in i.notes


def test_warn_all_gives_actual_budget_and_in_year_rows() -> None:
    hist = [fy(2023, 1000, 900, 4000), fy(2024, 1050, 990, 4060)]
    ytd = [YearToDate("990100", "employee_pooled", 2025, 6, 540, 600)]
    rows = warn_all(hist, ytd, 2025, DEFAULT_THRESHOLDS)
    assert [r.basis for r in rows] == ["actual", "budget", "in-year"]
    in_year = rows[2]
    assert in_year.expenditure == 1200 and in_year.income == 1080
    assert any("of budget after 6 months" in n for n in in_year.notes)
