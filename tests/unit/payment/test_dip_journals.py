"""The liquidation posted as journals: balanced, and expenditure = Σ fund due."""

from __future__ import annotations

from yibao.ledger.model import Fund, Kind, balances
from yibao.payment.dip.liquidation import HospitalLine, Liquidation
from yibao.payment.journals import liquidation_journals


def test_journals_balance_and_match_the_liquidation() -> None:
    lines = (
        HospitalLine("H1", 3, 30_000, 9_000, 8_000, 2_000, 500, 6_500, 5_000, 1_500, 1_000, 0),
        HospitalLine("H2", 1, 10_000, 3_000, 4_000, 1_000, 0, 2_000, 2_400, -400, -1_000, 0),
    )
    liq = Liquidation(12_500, 500, 0, 40_000, 30_000, 30_000, 0, lines)
    journals = liquidation_journals(liq, "990100", Fund.EMPLOYEE_POOLED, 2025, "run1")
    assert all(j.is_balanced() for j in journals)
    bal = balances(journals)
    spent = sum(v for a, v in bal.items() if a.kind is Kind.EXPENDITURE)
    assert spent == sum(h.fund_due for h in lines)
    prepaid = {a.sub: v for a, v in bal.items() if a.item == "dip_prepaid"}
    assert prepaid == {} or set(prepaid.values()) == {0}  # advances cleared
    payable = {a.sub: v for a, v in bal.items() if a.kind is Kind.PAYABLE}
    assert payable == {"H1": -1_500, "H2": 400}  # H2 owes 400 back (a debit)
    bank = sum(v for a, v in bal.items() if a.kind is Kind.BANK)
    assert bank == -(5_000 + 2_400)
