"""Adjustment-fund transfers as balanced ledger journals (调剂金上解与下拨凭证).

Each transfer touches two funds: the prefecture's pooled fund and the provincial adjustment fund
(:class:`~yibao.ledger.model.Fund` ``ADJUSTMENT``), kept per fund kind as Shaanxi keeps employee
and resident accounts apart (§9). A remittance (上解) is, in the prefecture, an expenditure out of
its bank and, in the province, income into the adjustment fund's bank; a grant (下拨) is the
reverse. Amounts arrive as integer fen (rounded at the named stage ``adjustment_transfer`` by the
caller), so every journal sums to zero exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen

POOLED = {"employee_pooled": Fund.EMPLOYEE_POOLED, "resident_pooled": Fund.RESIDENT_POOLED}
TRANSFER_KINDS = ("remittance", "grant", "emergency", "repayment")


@dataclass(frozen=True, slots=True)
class Transfer:
    """One yearly transfer between a prefecture fund and the provincial adjustment fund."""

    year: int
    prefecture: str
    fund: str  # employee_pooled or resident_pooled
    kind: str  # remittance (上解), grant (常规调剂), emergency (应急调剂), repayment
    amount: Fen


def province_of(prefecture: str) -> str:
    """The province code of a prefecture code (first two digits + 0000)."""
    return prefecture[:2] + "0000"


def transfer_journal(t: Transfer, seq: int) -> Journal:
    """The balanced journal of one transfer."""
    if t.kind not in TRANSFER_KINDS:
        raise ValueError(f"unknown transfer kind {t.kind!r}")
    if t.amount < 0:
        raise ValueError(f"transfer amount must not be negative, got {t.amount}")
    local = POOLED[t.fund]
    prov = province_of(t.prefecture)
    item = f"{t.fund}:{t.kind}"
    outward = t.kind in ("remittance", "repayment")  # prefecture → province
    sign = 1 if outward else -1
    lines = [
        (
            Account(t.prefecture, local, Kind.EXPENDITURE if outward else Kind.INCOME, t.kind),
            sign * t.amount,
        ),
        (Account(t.prefecture, local, Kind.BANK), -sign * t.amount),
        (Account(prov, Fund.ADJUSTMENT, Kind.BANK, "", t.fund), sign * t.amount),
        (
            Account(
                prov,
                Fund.ADJUSTMENT,
                Kind.INCOME if outward else Kind.EXPENDITURE,
                item,
                t.prefecture,
            ),
            -sign * t.amount,
        ),
    ]
    return journal(
        f"adj-{t.year}-{seq:05d}",
        date(t.year, 12, 31),
        "transfer",
        f"{t.prefecture}:{t.fund}:{t.year}",
        f"adjustment fund {t.kind} {t.year}",
        lines,
    )


def journals(transfers: Iterable[Transfer]) -> list[Journal]:
    """Journals for the non-zero transfers, numbered in order."""
    return [transfer_journal(t, i) for i, t in enumerate(x for x in transfers if x.amount)]
