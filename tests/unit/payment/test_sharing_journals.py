"""Sharing adjustments (结余留用 / 超支分担) as journals: balanced, on the provider payable
the settlement journals use, and Σ expenditure = Σ adjustments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yibao.ledger.model import Account, Fund, Kind, balances
from yibao.ledger.postings import SettlementFacts, payee, settlement_journal
from yibao.payment.dip.liquidation import HospitalLine, Liquidation
from yibao.payment.journals import liquidation_journals, sharing_journals
from yibao.payment.sharing import SharingRule, share_balance
from yibao.types import Scheme

REGION, FUND = "990100", Fund.EMPLOYEE_POOLED


def test_sharing_journals_balance_and_use_the_settlement_payable() -> None:
    rule = SharingRule(Decimal("0.6"), Decimal("0.5"))
    adj = [
        ("H1", share_balance(10_000, 8_000, rule)),  # surplus 2 000: keeps 1 200, returns 800
        ("H2", share_balance(10_000, 13_000, rule)),  # overspend 3 000: the fund bears 1 500
        ("H3", share_balance(10_000, 10_000, rule)),  # nothing to share: no journal
    ]
    assert [a for _, a in adj] == [-800, 1_500, 0]
    journals = sharing_journals(adj, "drg", REGION, FUND, 2025, "drg-990100-2025")
    assert [j.journal_id for j in journals] == ["drg-990100-2025-share-H1",
                                                "drg-990100-2025-share-H2"]  # fmt: skip
    assert all(j.is_balanced() and j.kind == "sharing" for j in journals)
    bal = balances(journals)
    spent = {a.sub: v for a, v in bal.items() if a.kind is Kind.EXPENDITURE}
    assert spent == {"H1": -800, "H2": 1_500}
    assert all(a.item == "drg_sharing" for a in bal if a.kind is Kind.EXPENDITURE)
    # the payable is the one a local settlement at H2 credits
    facts = SettlementFacts("c1", date(2025, 3, 1), Scheme.EMPLOYEE, REGION, REGION, "p1", "H2",
                            "inpatient", 700, 0, 0, 0, 0)  # fmt: skip
    settled = settlement_journal("s1", facts)
    payable = Account(REGION, FUND, Kind.PAYABLE, *payee(facts))
    assert any(p.account == payable for p in settled.postings)
    assert bal[payable] == -1_500  # the fund owes H2 its share of the overspend
    assert bal[Account(REGION, FUND, Kind.PAYABLE, "provider", "H1")] == 800  # H1 owes back


def test_dip_liquidation_posts_the_sharing_too() -> None:
    lines = (
        HospitalLine("H1", 3, 30_000, 9_000, 8_000, 2_000, 500, 6_500, 5_000, 1_500, 1_000, -200),
        HospitalLine("H2", 1, 10_000, 3_000, 4_000, 1_000, 0, 2_000, 2_400, -400, -1_000, 500),
    )
    liq = Liquidation(12_500, 500, 0, 40_000, 30_000, 30_000, 0, lines)
    journals = liquidation_journals(liq, REGION, FUND, 2025, "run1")
    assert all(j.is_balanced() for j in journals)
    bal = balances(journals)
    sharing = {a.sub: v for a, v in bal.items() if a.item == "dip_sharing"}
    assert sharing == {"H1": -200, "H2": 500}
    dip = sum(v for a, v in bal.items() if a.kind is Kind.EXPENDITURE and a.item == "dip")
    assert dip == sum(h.fund_due for h in lines)
    payable = {a.sub: v for a, v in bal.items() if a.kind is Kind.PAYABLE}
    assert payable == {"H1": -1_500 + 200, "H2": 400 - 500}
