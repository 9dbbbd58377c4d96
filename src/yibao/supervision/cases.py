"""Supervision cases (稽核案件) and the provider credit score (信用评价).

A case is opened from rule hits (or an anomaly flag) against one provider and moves through
a pure state machine::

    open ──start_review──► under_review ──confirm──► confirmed  (clawback journal)
                                     └────dismiss──► dismissed

Every transition is a new immutable :class:`Case` with the event appended (who, when, why);
a transition not allowed from the current state is a :class:`CaseError`. Confirming a case
fixes the amount to recover (追回金额) in fen and produces a clawback journal: the fund
deducts it from the provider's next payment (《医疗保障基金使用监督管理条例》(国务院令第735号,
2021) art. 38: 责令退回 — ordered to return the money).

The clawback journal (kind ``clawback``), for a recovered amount A::

    Dr  payable:provider_settlement:<provider>   A   (the fund owes the provider A less)
    Cr  income:clawback_recovered                A   (追回基金收入)

Why income and not a credit to expenditure: recovered money is reported separately from
benefit expenditure in fund accounts (追回 / 其他收入), so the year's benefit expenditure
stays what was settled and the recovery is visible on its own line. This follows the
practice in 《社会保险基金会计制度》(财会〔2017〕28号) of booking recoveries as other income
[M] verify; a region booking them as reduced expenditure changes only the credit account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen


class CaseError(ValueError):
    """A transition not allowed from the case's current state, or a bad amount."""


class State(StrEnum):
    OPEN = "open"  # 立案
    UNDER_REVIEW = "under_review"  # 核查中
    CONFIRMED = "confirmed"  # 认定违规
    DISMISSED = "dismissed"  # 排除


_ALLOWED: Mapping[State, frozenset[State]] = {
    State.OPEN: frozenset({State.UNDER_REVIEW, State.DISMISSED}),
    State.UNDER_REVIEW: frozenset({State.CONFIRMED, State.DISMISSED}),
    State.CONFIRMED: frozenset(),
    State.DISMISSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Event:
    """One transition: to which state, by whom, when and why."""

    state: State
    actor: str
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class Case:
    """A case against one provider, from the hits that opened it."""

    case_id: str
    provider_id: str
    region: str
    fund: Fund
    rule_codes: tuple[str, ...]
    claim_ids: tuple[str, ...]
    flagged_fen: Fen  # the amount the hits put in question
    state: State = State.OPEN
    recovered_fen: Fen = 0  # fixed on confirmation
    events: tuple[Event, ...] = ()

    @property
    def closed(self) -> bool:
        return self.state in (State.CONFIRMED, State.DISMISSED)


def open_case(
    case_id: str,
    provider_id: str,
    region: str,
    fund: Fund,
    rule_codes: Sequence[str],
    claim_ids: Sequence[str],
    flagged_fen: Fen,
    actor: str,
    day: date,
    reason: str,
) -> Case:
    """A new case in state ``open``."""
    if flagged_fen < 0:
        raise CaseError(f"case {case_id}: flagged amount must not be negative")
    return Case(
        case_id,
        provider_id,
        region,
        fund,
        tuple(rule_codes),
        tuple(claim_ids),
        flagged_fen,
        events=(Event(State.OPEN, actor, day, reason),),
    )


def _move(case: Case, to: State, actor: str, day: date, reason: str) -> Case:
    if to not in _ALLOWED[case.state]:
        raise CaseError(f"case {case.case_id}: cannot go from {case.state} to {to}")
    if not actor.strip():
        raise CaseError(f"case {case.case_id}: a reviewer must be named")
    if not reason.strip():
        raise CaseError(f"case {case.case_id}: a reason must be given")
    return replace(case, state=to, events=(*case.events, Event(to, actor, day, reason)))


def start_review(case: Case, reviewer: str, day: date, reason: str = "review started") -> Case:
    return _move(case, State.UNDER_REVIEW, reviewer, day, reason)


def dismiss(case: Case, reviewer: str, day: date, reason: str) -> Case:
    return _move(case, State.DISMISSED, reviewer, day, reason)


def confirm(case: Case, reviewer: str, day: date, reason: str, recovered_fen: Fen) -> Case:
    """Confirm the violation and fix the amount to recover (0 < amount ≤ flagged)."""
    if not 0 < recovered_fen <= case.flagged_fen:
        raise CaseError(
            f"case {case.case_id}: recovered amount {recovered_fen} fen must be above 0 and "
            f"at most the flagged {case.flagged_fen} fen"
        )
    moved = _move(case, State.CONFIRMED, reviewer, day, reason)
    return replace(moved, recovered_fen=recovered_fen)


def provider_payable(region: str, fund: Fund, provider_id: str) -> Account:
    return Account(region, fund, Kind.PAYABLE, "provider_settlement", provider_id)


def recovery_income(region: str, fund: Fund) -> Account:
    return Account(region, fund, Kind.INCOME, "clawback_recovered")


def clawback_journal(case: Case, journal_id: str, day: date) -> Journal:
    """The deduction from the provider's next payment for a confirmed case (see module doc)."""
    if case.state is not State.CONFIRMED:
        raise CaseError(f"case {case.case_id}: only a confirmed case is clawed back")
    amount = case.recovered_fen
    return journal(
        journal_id,
        day,
        "clawback",
        case.case_id,
        f"clawback for case {case.case_id} ({', '.join(case.rule_codes)}) 追回医保基金",
        [
            (provider_payable(case.region, case.fund, case.provider_id), amount),
            (recovery_income(case.region, case.fund), -amount),
        ],
    )


# -- credit score ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credit:
    """A provider's credit score (信用评价) 0–100 and grade A–D, with what lowered it."""

    provider_id: str
    score: int
    grade: str
    confirmed: int
    dismissed: int
    recovered_fen: Fen


# Deductions per confirmed case and per 1,000 yuan recovered; grades by score. The national
# credit system (《医疗保障基金使用信用管理办法》 draft / 医保发〔2024〕? ) [M] verify sets
# the principle (A good … D severe); these numbers are demo values.
CASE_POINTS = 10
POINTS_PER_1000_YUAN = 1
MAX_AMOUNT_POINTS = 30
GRADES = ((90, "A"), (75, "B"), (60, "C"), (0, "D"))


def credit_scores(cases: Iterable[Case], providers: Iterable[str]) -> dict[str, Credit]:
    """Every provider's credit from its closed cases (a provider with none scores 100, A)."""
    confirmed: dict[str, int] = {}
    dismissed: dict[str, int] = {}
    recovered: dict[str, Fen] = {}
    for c in cases:
        if c.state is State.CONFIRMED:
            confirmed[c.provider_id] = confirmed.get(c.provider_id, 0) + 1
            recovered[c.provider_id] = recovered.get(c.provider_id, 0) + c.recovered_fen
        elif c.state is State.DISMISSED:
            dismissed[c.provider_id] = dismissed.get(c.provider_id, 0) + 1
    out = {}
    for p in sorted({*providers, *confirmed, *dismissed}):
        n, fen = confirmed.get(p, 0), recovered.get(p, 0)
        amount_points = min(MAX_AMOUNT_POINTS, fen // 100_000 * POINTS_PER_1000_YUAN)
        score = max(0, 100 - CASE_POINTS * n - amount_points)
        grade = next(g for floor, g in GRADES if score >= floor)
        out[p] = Credit(p, score, grade, n, dismissed.get(p, 0), fen)
    return out


def cases_from_hits(
    hits: Iterable[Mapping[str, object]],
    region: str,
    fund: Fund,
    day: date,
    *,
    min_amount_fen: Fen = 0,
    prefix: str = "CASE",
) -> list[Case]:
    """One open case per provider from rule-hit rows (``rule_code``, ``claim_id``,
    ``provider_id``, ``amount_fen``), skipping providers flagged below ``min_amount_fen``."""
    rules: dict[str, set[str]] = {}
    claims: dict[str, set[str]] = {}
    amount: dict[str, Fen] = {}
    for h in hits:
        p = str(h["provider_id"])
        rules.setdefault(p, set()).add(str(h["rule_code"]))
        if h.get("claim_id") is not None:
            claims.setdefault(p, set()).add(str(h["claim_id"]))
        value = h.get("amount_fen")
        amount[p] = amount.get(p, 0) + (value if isinstance(value, int) else 0)
    out = []
    for i, p in enumerate(sorted(rules), start=1):
        if amount[p] < min_amount_fen:
            continue
        out.append(
            open_case(
                f"{prefix}-{day:%Y%m%d}-{i:05d}",
                p,
                region,
                fund,
                sorted(rules[p]),
                sorted(claims.get(p, ())),
                amount[p],
                "screening",
                day,
                f"{len(rules[p])} rules hit on {len(claims.get(p, ()))} claims",
            )
        )
    return out
