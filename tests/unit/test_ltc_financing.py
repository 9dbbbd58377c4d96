"""LTC financing: Qingdao 2018, facts §8 example 8 (0.2 % of a 3 750 base ≈ 7.5 a month)."""

from __future__ import annotations

from datetime import date

from yibao.ledger.checks import journals_balance_per_fund
from yibao.ledger.model import Account, Fund, Kind
from yibao.ltc.financing import QINGDAO_2018, financing_journal


class _View:
    def __init__(self, journals: list[object]) -> None:
        self.journals = journals


def test_qingdao_month_transfers_balance_per_fund() -> None:
    j = financing_journal("f1", "qingdao", date(2025, 5, 1), QINGDAO_2018, {"P1": 375000})
    amounts = {p.account: p.amount for p in j.postings}
    ltc_bank = Account("qingdao", Fund.LONG_TERM_CARE, Kind.BANK)
    # 0.5 % × 3 750 = 18.75; 0.2 % × 3 750 = 7.50; 30 ÷ 12 = 2.50
    assert amounts[ltc_bank] == 1875 + 750 + 250
    assert amounts[Account("qingdao", Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", "P1")] == 750
    assert list(journals_balance_per_fund(_View([j]))) == []  # type: ignore[arg-type]
