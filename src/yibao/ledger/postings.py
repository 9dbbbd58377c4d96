"""Posting rules (记账规则): what a settlement or a contribution writes to the ledger. Pure.

Conventions (debit positive, credit negative; see :mod:`yibao.ledger.model`):

* settlement (结算): Dr the expenditure of each fund that paid, Dr the person's individual
  account (the liability shrinks); Cr the payable of each fund to the provider, or for
  cross-region care (异地就医) to the treatment region, which pays the provider and is
  cleared monthly.
* contribution (缴费): Dr bank (or receivable when unpaid — arrears), Cr income of the pool;
  the individual account share: Dr the accounts fund's bank, Cr the person's account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen
from yibao.types import Scheme

POOLED_FUND: dict[Scheme, Fund] = {
    Scheme.EMPLOYEE: Fund.EMPLOYEE_POOLED,
    Scheme.RESIDENT: Fund.RESIDENT_POOLED,
}


@dataclass(frozen=True, slots=True)
class SettlementFacts:
    """What the posting rule needs to know of a settlement (its parts in fen)."""

    ref: str  # provider/claim number
    day: date
    scheme: Scheme
    insured_region: str
    treatment_region: str
    person_id: str
    provider_id: str
    visit: str
    pooled_fund: Fen
    large_amount: Fen
    critical_illness: Fen
    assistance: Fen
    account: Fen


def payee(f: SettlementFacts) -> tuple[str, str]:
    """(item, sub) of the payable: the provider locally, the treatment region across regions."""
    if f.treatment_region and f.treatment_region != f.insured_region:
        return "clearing", f.treatment_region
    return "provider", f.provider_id


def fund_payments(f: SettlementFacts) -> tuple[tuple[Fund, Fen], ...]:
    """Each paying fund and its amount (the individual account included)."""
    return (
        (POOLED_FUND[f.scheme], f.pooled_fund),
        (Fund.LARGE_AMOUNT, f.large_amount),
        (Fund.CRITICAL_ILLNESS, f.critical_illness),
        (Fund.MEDICAL_ASSISTANCE, f.assistance),
        (Fund.INDIVIDUAL_ACCOUNTS, f.account),
    )


def settlement_journal(journal_id: str, f: SettlementFacts) -> Journal:
    """The journal of one settlement."""
    r = f.insured_region
    item, sub = payee(f)
    lines: list[tuple[Account, Fen]] = []
    for fund, amount in fund_payments(f):
        if fund is Fund.INDIVIDUAL_ACCOUNTS:
            lines.append((Account(r, fund, Kind.PERSONAL, "", f.person_id), amount))
        else:
            lines.append((Account(r, fund, Kind.EXPENDITURE, f.visit), amount))
        lines.append((Account(r, fund, Kind.PAYABLE, item, sub), -amount))
    return journal(journal_id, f.day, "settlement", f.ref, f"settlement {f.ref}", lines)


@dataclass(frozen=True, slots=True)
class EmployeeContributionFacts:
    """One month of one employee's contribution as posted."""

    ref: str
    day: date
    region: str
    person_id: str
    employer_id: str
    employer: Fen
    employee: Fen
    to_account: Fen
    paid: bool  # False: the employer is in arrears (欠费), the fund holds a receivable


def employee_contribution_journal(journal_id: str, f: EmployeeContributionFacts) -> Journal:
    """Pool share: Dr bank/receivable, Cr income; account share: Dr accounts bank, Cr the
    person's account. The account share is credited even in arrears only when paid."""
    r = f.region
    kind = Kind.BANK if f.paid else Kind.RECEIVABLE
    sub = "" if f.paid else f.employer_id
    pooled = f.employer + f.employee - (f.to_account if f.paid else 0)
    lines: list[tuple[Account, Fen]] = [
        (Account(r, Fund.EMPLOYEE_POOLED, kind, "contribution", sub), pooled),
        (Account(r, Fund.EMPLOYEE_POOLED, Kind.INCOME, "employer"), -f.employer),
        (
            Account(r, Fund.EMPLOYEE_POOLED, Kind.INCOME, "employee"),
            -(f.employee - (f.to_account if f.paid else 0)),
        ),
    ]
    if f.paid and f.to_account:
        lines += [
            (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK, "contribution"), f.to_account),
            (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", f.person_id), -f.to_account),
        ]
    return journal(journal_id, f.day, "contribution", f.ref, f"contribution {f.ref}", lines)


def retiree_credit_journal(
    journal_id: str, day: date, ref: str, region: str, person_id: str, amount: Fen
) -> Journal:
    """The pooled fund pays the retiree's fixed monthly credit (国办发〔2021〕14号)."""
    lines = [
        (Account(region, Fund.EMPLOYEE_POOLED, Kind.EXPENDITURE, "account_credit"), amount),
        (Account(region, Fund.EMPLOYEE_POOLED, Kind.BANK, "transfer"), -amount),
        (Account(region, Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK, "transfer"), amount),
        (Account(region, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", person_id), -amount),
    ]
    return journal(journal_id, day, "contribution", ref, f"retiree credit {ref}", lines)


@dataclass(frozen=True, slots=True)
class ResidentContributionFacts:
    ref: str
    day: date
    region: str
    by_person: Fen
    by_assistance: Fen
    central: Fen
    local: Fen


def resident_contribution_journal(journal_id: str, f: ResidentContributionFacts) -> Journal:
    """Person's share to bank; assistance's share is an assistance expenditure; the fiscal
    subsidy is a receivable until the treasury pays it."""
    r, pool = f.region, Fund.RESIDENT_POOLED
    lines: list[tuple[Account, Fen]] = [
        (Account(r, pool, Kind.BANK, "contribution"), f.by_person + f.by_assistance),
        (Account(r, pool, Kind.INCOME, "individual"), -(f.by_person + f.by_assistance)),
        (Account(r, pool, Kind.RECEIVABLE, "subsidy", "central"), f.central),
        (Account(r, pool, Kind.RECEIVABLE, "subsidy", "local"), f.local),
        (Account(r, pool, Kind.INCOME, "subsidy"), -(f.central + f.local)),
        (
            Account(r, Fund.MEDICAL_ASSISTANCE, Kind.EXPENDITURE, "contribution_aid"),
            f.by_assistance,
        ),
        (Account(r, Fund.MEDICAL_ASSISTANCE, Kind.BANK, "contribution_aid"), -f.by_assistance),
    ]
    return journal(journal_id, f.day, "contribution", f.ref, f"resident {f.ref}", lines)


def reversal(journal_id: str, original: Journal, day: date, kind: str = "reversal") -> Journal:
    """The opposite journal (冲正 / 退费) of ``original``."""
    j = original.reversed(journal_id, day)
    return Journal(
        j.journal_id, j.day, kind, original.ref, f"{kind} of {original.journal_id}", j.postings
    )


def fund_movement(journals: Iterable[Journal], region: str, fund: Fund) -> dict[str, Fen]:
    """Income and expenditure of one region × fund by item (收支), income positive."""
    out: dict[str, Fen] = {}
    for j in journals:
        for p in j.postings:
            a = p.account
            if a.region != region or a.fund is not fund:
                continue
            if a.kind is Kind.INCOME:
                key = f"income:{a.item}"
                out[key] = out.get(key, 0) - p.amount
            elif a.kind is Kind.EXPENDITURE:
                key = f"expenditure:{a.item}"
                out[key] = out.get(key, 0) + p.amount
    return out
