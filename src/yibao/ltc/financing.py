"""LTC financing (筹资): the month's transfers into the LTC fund, as one journal.

Qingdao 2018 (安徽工人日报 2018-05-08, policy-facts-2 §1.3 [N]): 0.5 % of the total contribution
base moved monthly from the employee pooled fund, 0.2 % of the individual base withheld from the
individual-account inflow, and a fiscal 30 yuan per person per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen, Stage, apply_ratio, div_half_up


@dataclass(frozen=True, slots=True)
class FinancingRule:
    pooled_rate: Decimal  # share of the contribution base from the employee pooled fund
    account_rate: Decimal  # share of the individual base withheld from the individual account
    fiscal_per_person_year: Fen
    source: str


QINGDAO_2018 = FinancingRule(
    Decimal("0.005"), Decimal("0.002"), 3000, "安徽工人日报 2018-05-08 (Qingdao 2018)"
)


def financing_journal(
    journal_id: str, region: str, day: date, rule: FinancingRule, bases: dict[str, Fen]
) -> Journal:
    """Pooled-fund transfer, account withholdings per person and the fiscal subsidy of a month."""
    r = region
    pooled: Fen = sum(apply_ratio(b, rule.pooled_rate, Stage.LTC_FINANCING) for b in bases.values())
    fiscal = div_half_up(rule.fiscal_per_person_year * len(bases), 12)
    lines: list[tuple[Account, Fen]] = [
        (Account(r, Fund.EMPLOYEE_POOLED, Kind.EXPENDITURE, "ltc_transfer"), pooled),
        (Account(r, Fund.EMPLOYEE_POOLED, Kind.BANK), -pooled),
        (Account(r, Fund.LONG_TERM_CARE, Kind.BANK), pooled + fiscal),
        (Account(r, Fund.LONG_TERM_CARE, Kind.INCOME, "pooled_transfer"), -pooled),
        (Account(r, Fund.LONG_TERM_CARE, Kind.INCOME, "fiscal_subsidy"), -fiscal),
    ]
    for person, base in sorted(bases.items()):
        withheld = apply_ratio(base, rule.account_rate, Stage.LTC_FINANCING)
        lines += [
            (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", person), withheld),
            (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK), -withheld),
            (Account(r, Fund.LONG_TERM_CARE, Kind.BANK), withheld),
            (Account(r, Fund.LONG_TERM_CARE, Kind.INCOME, "account_withholding"), -withheld),
        ]
    return journal(journal_id, day, "ltc_financing", journal_id, rule.source, lines)


RULES: dict[str, FinancingRule] = {"qingdao": QINGDAO_2018}
"""Financing rules by LTC region; only Qingdao's is complete in the facts (§1.3)."""


def rule_for(region: str) -> FinancingRule:
    from yibao.errors import InputError

    if region not in RULES:
        raise InputError(f"no LTC financing rule for region '{region}' (known: {sorted(RULES)})")
    return RULES[region]
