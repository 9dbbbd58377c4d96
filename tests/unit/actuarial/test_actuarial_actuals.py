"""Actuals read from the fund ledger feed the warning indicators."""

from __future__ import annotations

from datetime import date

from yibao.actuarial.actuals import fund_years, year_to_date
from yibao.actuarial.warning import DEFAULT_THRESHOLDS, Level, warn_all
from yibao.ledger.model import Account, Fund, Journal, Kind, journal

BANK = Account("990100", Fund.EMPLOYEE_POOLED, Kind.BANK)
INCOME = Account("990100", Fund.EMPLOYEE_POOLED, Kind.INCOME, "contribution")
EXPENSE = Account("990100", Fund.EMPLOYEE_POOLED, Kind.EXPENDITURE, "inpatient")
IA = Account("990100", Fund.INDIVIDUAL_ACCOUNTS, Kind.INCOME, "contribution")


def contribution(day: date, fen: int) -> Journal:
    return journal(f"c{day}", day, "contribution", "run", "", [(BANK, fen), (INCOME, -fen)])


def benefit(day: date, fen: int) -> Journal:
    return journal(f"b{day}", day, "settlement", "claim", "", [(EXPENSE, fen), (BANK, -fen)])


def test_fund_years_and_warning_from_journals() -> None:
    js = [
        contribution(date(2023, 3, 1), 1200_00),
        benefit(date(2023, 6, 1), 1000_00),
        contribution(date(2024, 3, 1), 1200_00),
        benefit(date(2024, 6, 1), 1100_00),
        journal("ia", date(2024, 3, 1), "contribution", "run", "", [(BANK, 5), (IA, -5)]),
    ]
    years = fund_years(js, {("990100", "employee_pooled"): 100_00})
    assert [(y.year, y.income, y.expenditure, y.balance) for y in years] == [
        (2023, 1200_00, 1000_00, 300_00),
        (2024, 1200_00, 1100_00, 400_00),
    ]
    rows = warn_all(years, [], 2025, DEFAULT_THRESHOLDS)
    actual = rows[0]
    # 400 ÷ (1100 / 12) = 4.36 → 4.4 months: orange (3–6)
    assert actual.basis == "actual" and str(actual.months) == "4.4"
    assert actual.level is Level.ORANGE and not actual.prepayment_allowed


def test_year_to_date_counts_only_the_first_months() -> None:
    js = [benefit(date(2025, 2, 1), 10_00), benefit(date(2025, 8, 1), 99_00)]
    (ytd,) = year_to_date(js, 2025, 6)
    assert ytd.expenditure == 10_00 and ytd.income == 0 and ytd.months == 6
