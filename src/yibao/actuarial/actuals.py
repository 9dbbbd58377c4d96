"""Actuals for the budget and early warning read from the fund ledger (从基金账簿取数).

Where a ledger exists, the yearly income and expenditure of each region × pooled fund are the
sums of its income and expenditure postings (credits on income accounts, debits on expenditure
accounts, :mod:`yibao.ledger.model`), and the accumulated balance is the opening balance plus the
running surplus. In-year actuals are the same sums over the first months of a year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from yibao.actuarial.warning import FundYear, YearToDate
from yibao.ledger.model import Fund, Journal, Kind
from yibao.money import Fen

POOLED_FUNDS = {Fund.EMPLOYEE_POOLED: "employee_pooled", Fund.RESIDENT_POOLED: "resident_pooled"}


def _sums(journals: Iterable[Journal]) -> dict[tuple[str, str, int], list[Fen]]:
    out: dict[tuple[str, str, int], list[Fen]] = {}
    for j in journals:
        for p in j.postings:
            fund = POOLED_FUNDS.get(p.account.fund)
            if fund is None or p.account.kind not in (Kind.INCOME, Kind.EXPENDITURE):
                continue
            row = out.setdefault((p.account.region, fund, j.day.year), [0, 0])
            if p.account.kind is Kind.INCOME:
                row[0] -= p.amount  # income is a credit (negative posting)
            else:
                row[1] += p.amount
    return out


def fund_years(
    journals: Iterable[Journal], opening: Mapping[tuple[str, str], Fen] | None = None
) -> list[FundYear]:
    """Final accounts per region × pooled fund × year from the journals."""
    sums = _sums(journals)
    balance: dict[tuple[str, str], Fen] = dict(opening or {})
    out: list[FundYear] = []
    for (region, fund, year), (income, expenditure) in sorted(sums.items()):
        key = (region, fund)
        balance[key] = balance.get(key, 0) + income - expenditure
        out.append(FundYear(region, fund, year, income, expenditure, balance[key]))
    return out


def year_to_date(journals: Iterable[Journal], year: int, months: int) -> list[YearToDate]:
    """In-year actuals of the first ``months`` months of ``year``."""
    if not 1 <= months <= 12:
        raise ValueError(f"months must be 1 to 12, got {months}")
    journals = [j for j in journals if j.day.year == year and j.day.month <= months]
    return [
        YearToDate(region, fund, y, months, income, expenditure)
        for (region, fund, y), (income, expenditure) in sorted(_sums(journals).items())
    ]
