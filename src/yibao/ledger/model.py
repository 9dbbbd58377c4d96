"""Accounts, postings and journals of the fund ledger (记账凭证).

A journal is a balanced set of postings: debits are positive, credits negative, and every
journal sums to zero. Journals are never changed: a correction is a new, opposite journal.
An account is a region × fund × kind, with an optional sub-account (a person's individual
account, a provider's payable, an employer's receivable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from yibao.money import Fen


class Fund(StrEnum):
    """The funds an agency keeps apart (险种基金)."""

    EMPLOYEE_POOLED = "employee_pooled"  # 职工基本医疗保险统筹基金
    INDIVIDUAL_ACCOUNTS = "individual_accounts"  # 职工个人账户
    RESIDENT_POOLED = "resident_pooled"  # 城乡居民基本医疗保险基金
    LARGE_AMOUNT = "large_amount"  # 职工大额医疗费用补助
    CRITICAL_ILLNESS = "critical_illness"  # 城乡居民大病保险
    MEDICAL_ASSISTANCE = "medical_assistance"  # 医疗救助基金
    ADJUSTMENT = "adjustment"  # 省级调剂金
    LONG_TERM_CARE = "long_term_care"  # 长期护理保险基金 (单独建账)
    CIVIL_SERVANT_SUBSIDY = "civil_servant_subsidy"  # 公务员医疗补助 (same-level budget)
    ENTERPRISE_SUPPLEMENT = "enterprise_supplement"  # 企业补充医疗保险 (the employer's plan)
    COMMERCIAL = "commercial"  # 惠民保 and other commercial insurers: settled with, not public
    EPIDEMIC_FISCAL = "epidemic_fiscal"  # 重大疫情医疗费用财政专项补助


class Kind(StrEnum):
    """What an account is; its normal side follows from the kind."""

    BANK = "bank"  # asset: the fund's deposit (收入户 / 支出户 taken together)
    RECEIVABLE = "receivable"  # asset: owed to the fund (employer arrears, subsidies due)
    PAYABLE = "payable"  # liability: owed by the fund (to providers, to other regions)
    PERSONAL = "personal"  # liability: a person's individual account balance
    INCOME = "income"  # contributions, subsidies, interest, transfers in
    EXPENDITURE = "expenditure"  # benefits paid, transfers out
    BALANCE = "balance"  # the fund's accumulated balance (累计结余)


DEBIT_NORMAL = frozenset({Kind.BANK, Kind.RECEIVABLE, Kind.EXPENDITURE})


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """One ledger account; ``sub`` names a person, provider, employer or region when needed."""

    region: str
    fund: Fund
    kind: Kind
    item: str = ""  # what within the kind: "contribution", "inpatient", "clawback" …
    sub: str = ""

    def __str__(self) -> str:
        parts = [self.region, self.fund.value, self.kind.value, self.item, self.sub]
        return ":".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Posting:
    """An amount on an account: positive is a debit, negative a credit."""

    account: Account
    amount: Fen


@dataclass(frozen=True, slots=True)
class Journal:
    """A balanced, dated set of postings with what caused it (a claim, a contribution run …)."""

    journal_id: str
    day: date
    kind: str  # settlement, reversal, contribution, transfer, clawback, prepayment …
    ref: str  # the business key it belongs to (claim number, run id, case id)
    memo: str
    postings: tuple[Posting, ...]

    def total(self) -> Fen:
        return sum(p.amount for p in self.postings)

    def is_balanced(self) -> bool:
        return self.total() == 0 and bool(self.postings)

    def reversed(self, journal_id: str, day: date, memo: str = "") -> Journal:
        """The opposite journal (冲正): every posting negated, referring to this one."""
        return Journal(
            journal_id,
            day,
            "reversal",
            self.journal_id,
            memo or f"reversal of {self.journal_id}",
            tuple(Posting(p.account, -p.amount) for p in self.postings),
        )


def journal(
    journal_id: str, day: date, kind: str, ref: str, memo: str, lines: Iterable[tuple[Account, Fen]]
) -> Journal:
    """A journal from (account, amount) pairs, dropping zero amounts and merging repeats."""
    merged: dict[Account, Fen] = {}
    for account, amount in lines:
        merged[account] = merged.get(account, 0) + amount
    postings = tuple(Posting(a, v) for a, v in merged.items() if v != 0)
    return Journal(journal_id, day, kind, ref, memo, postings)


def balances(journals: Iterable[Journal]) -> Mapping[Account, Fen]:
    """The balance of every account touched (debit positive)."""
    out: dict[Account, Fen] = {}
    for j in journals:
        for p in j.postings:
            out[p.account] = out.get(p.account, 0) + p.amount
    return out
