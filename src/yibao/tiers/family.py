"""Family mutual aid of the employee individual account (职工医保个人账户家庭共济).

国办发〔2021〕14号: the employee's individual account may pay, for the spouse, parents and
children who are insured, their self-pay at designated providers and their resident
contributions. July 2024 (State Council General Office): widened to near relatives (近亲属):
siblings, grandparents and grandchildren too. All provinces allow mutual aid across pooling
areas within the province; cross-province mutual aid was only planned for 2025 (Xinhua
2024-11-26, policy-facts-2 §7.3), so it is refused here.

The account pays what the member still owes in cash, up to the balance; a resident
contribution is paid whole or not at all. Reversal restores the account (the opposite journal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen, format_yuan


class Relation(StrEnum):
    """Relationship of the member to the account holder (closed list)."""

    SPOUSE = "spouse"  # 配偶
    PARENT = "parent"  # 父母
    CHILD = "child"  # 子女
    SIBLING = "sibling"  # 兄弟姐妹
    GRANDPARENT = "grandparent"  # 祖父母、外祖父母
    GRANDCHILD = "grandchild"  # 孙子女、外孙子女


CLOSE = frozenset({Relation.SPOUSE, Relation.PARENT, Relation.CHILD})
NEAR = CLOSE | {Relation.SIBLING, Relation.GRANDPARENT, Relation.GRANDCHILD}


@dataclass(frozen=True, slots=True)
class FamilyRule:
    """When each circle of relatives may be bound, as a region applies the national rules."""

    close_from: date
    near_from: date | None
    source: str


NATIONAL = FamilyRule(
    # 14号 is of 2021 (policy-facts §1.1 [T]); its day 2021-04-13 is from memory [M].
    # Near relatives from July 2024 (Xinhua 2024-11-26 [N]); the day of the month is ours.
    date(2021, 4, 13),
    date(2024, 7, 1),
    "国办发〔2021〕14号 (2021 [T], day [M]); near relatives July 2024 (Xinhua 2024-11-26 [N])",
)


@dataclass(frozen=True, slots=True)
class Binding:
    """An employee's account bound to a family member (亲情账户 binding)."""

    owner_id: str
    owner_region: str  # 6-digit region code of the account's pooling area
    member_id: str
    member_region: str
    relation: Relation
    bound_from: date


@dataclass(frozen=True, slots=True)
class FamilyPayment:
    amount: Fen
    balance_after: Fen
    member_cash_after: Fen
    trace: str


def check_binding(rule: FamilyRule, b: Binding, day: date) -> None:
    """Refuse a binding that does not hold on ``day`` with one line naming why."""
    if b.owner_id == b.member_id:
        raise InputError(f"binding {b.owner_id}: an account cannot be bound to its holder")
    if day < b.bound_from:
        raise InputError(f"binding {b.owner_id}→{b.member_id}: not bound until {b.bound_from}")
    if b.relation in CLOSE:
        start: date | None = rule.close_from
    else:
        start = rule.near_from
    if start is None or day < start:
        when = f"from {start}" if start else "not in this region"
        raise InputError(
            f"binding {b.owner_id}→{b.member_id}: {b.relation.value} may draw on the account "
            f"{when} ({rule.source})"
        )
    if b.owner_region[:2] != b.member_region[:2]:
        raise InputError(
            f"binding {b.owner_id}→{b.member_id}: cross-province mutual aid "
            f"({b.owner_region} → {b.member_region}) is not in force"
        )


def pay_claim(
    rule: FamilyRule, b: Binding, balance: Fen, member_cash: Fen, day: date
) -> FamilyPayment:
    """The holder's account pays the member's remaining cash share, up to the balance."""
    check_binding(rule, b, day)
    if balance < 0 or member_cash < 0:
        raise InputError("balance and member cash must not be negative")
    amount = min(balance, member_cash)
    trace = (
        f"family mutual aid: {b.owner_id}'s account ({format_yuan(balance)}) pays "
        f"{format_yuan(amount)} of {b.relation.value} {b.member_id}'s {format_yuan(member_cash)} "
        f"[{rule.source}]"
    )
    return FamilyPayment(amount, balance - amount, member_cash - amount, trace)


def pay_contribution(
    rule: FamilyRule, b: Binding, balance: Fen, contribution: Fen, day: date
) -> FamilyPayment:
    """The holder's account pays the member's resident contribution, whole."""
    check_binding(rule, b, day)
    if contribution > balance:
        raise InputError(
            f"binding {b.owner_id}→{b.member_id}: account balance {format_yuan(balance)} is "
            f"short of the contribution {format_yuan(contribution)}"
        )
    trace = (
        f"family mutual aid: {b.owner_id}'s account pays {b.relation.value} {b.member_id}'s "
        f"resident contribution {format_yuan(contribution)} [{rule.source}]"
    )
    return FamilyPayment(contribution, balance - contribution, 0, trace)


def claim_journal(
    journal_id: str, b: Binding, day: date, claim_ref: str, provider_id: str, amount: Fen
) -> Journal:
    """Dr the holder's account (the liability shrinks), Cr the accounts fund's payable."""
    r = b.owner_region
    lines = [
        (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", b.owner_id), amount),
        (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.PAYABLE, "family", provider_id), -amount),
    ]
    return journal(journal_id, day, "family_aid", claim_ref, f"family aid for {b.member_id}", lines)


def contribution_journal(journal_id: str, b: Binding, day: date, amount: Fen) -> Journal:
    """The holder's account pays the member's resident contribution into the resident fund."""
    r, m = b.owner_region, b.member_region
    lines = [
        (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", b.owner_id), amount),
        (Account(r, Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK), -amount),
        (Account(m, Fund.RESIDENT_POOLED, Kind.BANK, "contribution"), amount),
        (Account(m, Fund.RESIDENT_POOLED, Kind.INCOME, "individual"), -amount),
    ]
    ref = f"{b.member_id}/{day.year}"
    return journal(journal_id, day, "family_contribution", ref, f"paid by {b.owner_id}", lines)
