"""Ledger invariants as a registry of pure checks (不变量检查).

Each check takes the journals (and what else it needs through :class:`LedgerView`) and
returns violations as data; nothing raises. ``yibao ledger check`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from yibao.ledger.model import Account, Fund, Journal, Kind, balances
from yibao.ledger.postings import SettlementFacts, settlement_journal
from yibao.money import Fen

_NET_ASSET_KINDS = frozenset({Kind.BANK, Kind.RECEIVABLE, Kind.PAYABLE, Kind.PERSONAL})


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
    # settlement facts by the journal id that posted them (结算记录)
    settlements: Mapping[str, SettlementFacts] = field(default_factory=dict)
    # individual account balances as the registry holds them, by person id
    account_balances: Mapping[str, Fen] = field(default_factory=dict)
    # net assets (基金结余) of region × fund at the start, and as reported at the end
    openings: Mapping[tuple[str, Fund], Fen] = field(default_factory=dict)
    closings: Mapping[tuple[str, Fund], Fen] = field(default_factory=dict)


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


@check("journals_balance_per_fund")
def journals_balance_per_fund(view: LedgerView) -> Iterable[Violation]:
    """Each fund keeps its own books: a journal balances within every region × fund."""
    for j in view.journals:
        sums: dict[tuple[str, Fund], Fen] = {}
        for p in j.postings:
            key = (p.account.region, p.account.fund)
            sums[key] = sums.get(key, 0) + p.amount
        for (region, fund), total in sorted(sums.items()):
            if total != 0:
                yield Violation(
                    "journals_balance_per_fund",
                    j.journal_id,
                    f"{region}:{fund.value} postings sum to {total}, not 0",
                )


@check("settlement_parts_equal_postings")
def settlement_parts_equal_postings(view: LedgerView) -> Iterable[Violation]:
    """Each stored settlement's parts are exactly what its journal posted, and every
    settlement journal belongs to a stored settlement."""
    by_id = {j.journal_id: j for j in view.journals}
    for jid, facts in sorted(view.settlements.items()):
        j = by_id.get(jid)
        if j is None:
            yield Violation("settlement_parts_equal_postings", facts.ref, f"journal {jid} missing")
            continue
        want = {p.account: p.amount for p in settlement_journal(jid, facts).postings}
        got: dict[Account, Fen] = {}
        for p in j.postings:
            got[p.account] = got.get(p.account, 0) + p.amount
        if want != got:
            diff = sorted(str(a) for a in set(want) | set(got) if want.get(a, 0) != got.get(a, 0))
            yield Violation(
                "settlement_parts_equal_postings",
                facts.ref,
                f"journal {jid} differs from the parts on {', '.join(diff)}",
            )
    for j in view.journals:
        if j.kind == "settlement" and j.journal_id not in view.settlements:
            yield Violation(
                "settlement_parts_equal_postings",
                j.journal_id,
                "settlement journal without a settlement",
            )


@check("account_registry_matches_ledger")
def account_registry_matches_ledger(view: LedgerView) -> Iterable[Violation]:
    """The individual account balance the registry holds equals the ledger's (no money
    spent that the ledger did not see: a double spend shows here)."""
    ledger: dict[str, Fen] = {}
    for account, amount in balances(view.journals).items():
        if account.kind is Kind.PERSONAL:
            ledger[account.sub] = ledger.get(account.sub, 0) - amount
    for person, held in sorted(view.account_balances.items()):
        if ledger.get(person, 0) != held:
            yield Violation(
                "account_registry_matches_ledger",
                person,
                f"registry balance {held} != ledger balance {ledger.get(person, 0)}",
            )


LTC_KINDS = frozenset({"ltc_settlement", "ltc_financing", "reversal"})
SUPPLEMENTARY_FUNDS = frozenset(
    {Fund.CIVIL_SERVANT_SUBSIDY, Fund.ENTERPRISE_SUPPLEMENT, Fund.COMMERCIAL}
)


@check("ltc_fund_kept_apart")
def ltc_fund_kept_apart(view: LedgerView) -> Iterable[Violation]:
    """The LTC fund is booked apart (医保发〔2020〕37号 单独建账): only LTC settlements, LTC
    financing and reversals touch it, and a care settlement touches nothing else."""
    for j in view.journals:
        funds = {p.account.fund for p in j.postings}
        if Fund.LONG_TERM_CARE in funds and j.kind not in LTC_KINDS:
            yield Violation("ltc_fund_kept_apart", j.journal_id, f"{j.kind} journal posts to LTC")
        if j.kind == "ltc_settlement" and funds != {Fund.LONG_TERM_CARE}:
            other = sorted(f.value for f in funds - {Fund.LONG_TERM_CARE})
            yield Violation(
                "ltc_fund_kept_apart", j.journal_id, f"care settlement posts to {', '.join(other)}"
            )


@check("supplementary_payers_apart")
def supplementary_payers_apart(view: LedgerView) -> Iterable[Violation]:
    """Supplementary payers (civil-servant subsidy, enterprise plans, commercial insurers) are
    not public funds: their journals touch only them, and no other journal touches them."""
    for j in view.journals:
        funds = {p.account.fund for p in j.postings}
        if j.kind == "supplementary" and not funds <= SUPPLEMENTARY_FUNDS:
            other = sorted(f.value for f in funds - SUPPLEMENTARY_FUNDS)
            yield Violation(
                "supplementary_payers_apart", j.journal_id, f"posts to {', '.join(other)}"
            )
        if j.kind not in ("supplementary", "reversal") and funds & SUPPLEMENTARY_FUNDS:
            yield Violation(
                "supplementary_payers_apart", j.journal_id, f"{j.kind} journal posts to a tier"
            )


def net_assets(journals: Iterable[Journal]) -> dict[tuple[str, Fund], Fen]:
    """Net assets of every region × fund moved by the journals (debit positive)."""
    out: dict[tuple[str, Fund], Fen] = {}
    for j in journals:
        for p in j.postings:
            if p.account.kind in _NET_ASSET_KINDS:
                key = (p.account.region, p.account.fund)
                out[key] = out.get(key, 0) + p.amount
    return out


@check("fund_balance_equals_opening_plus_postings")
def fund_balance_equals_opening_plus_postings(view: LedgerView) -> Iterable[Violation]:
    """A reported fund balance equals its opening balance plus the postings (期末 = 期初 + 发生)."""
    moved = net_assets(view.journals)
    for key, closing in sorted(view.closings.items()):
        expected = view.openings.get(key, 0) + moved.get(key, 0)
        if closing != expected:
            yield Violation(
                "fund_balance_equals_opening_plus_postings",
                f"{key[0]}:{key[1].value}",
                f"reported {closing} != opening {view.openings.get(key, 0)} + postings "
                f"{moved.get(key, 0)}",
            )


def run_checks(view: LedgerView, only: Iterable[str] | None = None) -> list[Violation]:
    """Every registered check (or the named ones) over ``view``."""
    names = list(only) if only is not None else list(CHECKS)
    out: list[Violation] = []
    for name in names:
        out.extend(CHECKS[name](view))
    return out
