"""Ledger invariants as a registry of pure checks (不变量检查).

Each check takes the journals (and what else it needs through :class:`LedgerView`) and
returns violations as data; nothing raises. ``yibao ledger check`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from yibao.ledger.model import Journal, Kind, balances


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant: which check, about what, and why."""

    check: str
    subject: str
    message: str


@dataclass(frozen=True)
class LedgerView:
    """What the checks look at: the journals, and anything a check needs besides them."""

    journals: tuple[Journal, ...]
    extra: dict[str, object] = field(default_factory=dict)


Check = Callable[[LedgerView], Iterable[Violation]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under ``name``."""

    def add(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return add


@check("journals_balance")
def journals_balance(view: LedgerView) -> Iterable[Violation]:
    """Every journal's postings sum to zero (借贷平衡)."""
    for j in view.journals:
        if not j.is_balanced():
            yield Violation("journals_balance", j.journal_id, f"postings sum to {j.total()}, not 0")


@check("unique_journal_ids")
def unique_journal_ids(view: LedgerView) -> Iterable[Violation]:
    """No journal id appears twice (nothing applied twice)."""
    seen: set[str] = set()
    for j in view.journals:
        if j.journal_id in seen:
            yield Violation("unique_journal_ids", j.journal_id, "journal id used twice")
        seen.add(j.journal_id)


@check("no_negative_individual_account")
def no_negative_individual_account(view: LedgerView) -> Iterable[Violation]:
    """No person's individual account is overdrawn (a liability: credit-normal)."""
    for account, amount in balances(view.journals).items():
        if account.kind is Kind.PERSONAL and amount > 0:
            yield Violation(
                "no_negative_individual_account", str(account), f"overdrawn by {amount} fen"
            )


def run_checks(view: LedgerView, only: Iterable[str] | None = None) -> list[Violation]:
    """Every registered check (or the named ones) over ``view``."""
    names = list(only) if only is not None else list(CHECKS)
    out: list[Violation] = []
    for name in names:
        out.extend(CHECKS[name](view))
    return out
