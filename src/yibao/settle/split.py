"""Splitting a bill by the catalogue (费用分割): full self-pay, over-limit, pre-self-pay, scope.

The treatment region's catalogue decides each line (就医地目录): class C items and items
used outside their restriction (sex, age, visit type) are full self-pay; the part of a price
above the payment standard is over-limit self-pay; class-B items and special items pay a
pre-self-pay share; the rest is in policy scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from yibao.errors import InputError
from yibao.money import Fen, Stage, apply_ratio, format_yuan
from yibao.settle.model import Line, PreSplit
from yibao.types import ItemClass, Sex, VisitType


class CatalogueEntry(Protocol):
    """What the split needs of a catalogue item (see ``yibao.policy.catalogue``)."""

    @property
    def item_class(self) -> ItemClass: ...
    @property
    def preself_ratio(self) -> Decimal | None: ...
    @property
    def price_cap(self) -> Fen | None: ...
    @property
    def fund_ratio(self) -> Decimal | None: ...
    def covered_for(self, sex: Sex, age: int, visit: VisitType) -> str | None: ...


class ItemLookup(Protocol):
    """A catalogue: code → entry, raising :class:`InputError` for an unknown code."""

    def item(self, code: str) -> CatalogueEntry: ...


@dataclass(frozen=True, slots=True)
class LineSplit:
    """How one line was split, and why."""

    code: str
    amount: Fen
    full_selfpay: Fen
    over_limit: Fen
    preself: Fen
    scope: Fen
    item_fund: Fen
    outside_schedule: bool  # the fund pays this item at its own ratio, not by the segments
    reason: str


@dataclass(frozen=True, slots=True)
class _InlineItem:
    item_class: ItemClass
    preself_ratio: Decimal | None
    price_cap: Fen | None
    fund_ratio: Decimal | None

    def covered_for(self, sex: Sex, age: int, visit: VisitType) -> str | None:
        return None


def _entry(line: Line, catalogue: ItemLookup | None) -> CatalogueEntry:
    if line.item_class is not None:
        return _InlineItem(line.item_class, line.preself_ratio, line.price_cap, line.fund_ratio)
    if catalogue is None:
        raise InputError(f"line {line.code!r} gives no class and no catalogue is loaded")
    return catalogue.item(line.code)


def split_line(
    line: Line,
    entry: CatalogueEntry,
    class_b_ratio: Decimal,
    sex: Sex,
    age: int,
    visit: VisitType,
) -> LineSplit:
    """Split one line; amounts round half-up per line at the named stages."""
    if line.amount < 0 or line.quantity <= 0:
        raise InputError(
            f"line {line.code!r}: amount {line.amount} and quantity {line.quantity} must be positive"
        )
    restriction = entry.covered_for(sex, age, visit)
    if entry.item_class is ItemClass.C or restriction is not None:
        why = restriction or "class C: outside the catalogue"
        return LineSplit(line.code, line.amount, line.amount, 0, 0, 0, 0, False, why)
    over = 0
    if (
        entry.price_cap is not None
        and line.unit_price is not None
        and line.unit_price > entry.price_cap
    ):
        over = min(line.amount, (line.unit_price - entry.price_cap) * line.quantity)
    allowed = line.amount - over
    own = entry.preself_ratio
    r = (
        own
        if own is not None
        else (class_b_ratio if entry.item_class is ItemClass.B else Decimal(0))
    )
    preself = apply_ratio(allowed, r, Stage.PRESELF)
    scope = allowed - preself
    item_fund = (
        0
        if entry.fund_ratio is None
        else apply_ratio(scope, entry.fund_ratio, Stage.ITEM_FUND_SHARE)
    )
    reason = f"class {entry.item_class}" + (f", pre-self-pay {r}" if r else "")
    if over:
        reason += f", price above the payment standard {format_yuan(entry.price_cap or 0)}"
    if entry.fund_ratio is not None:
        reason += f", fund pays {entry.fund_ratio} outside the schedule"
    outside = entry.fund_ratio is not None
    return LineSplit(line.code, line.amount, 0, over, preself, scope, item_fund, outside, reason)


@dataclass(frozen=True, slots=True)
class BillSplit:
    """The claim's totals by catalogue part, with the per-line detail."""

    presplit: PreSplit
    lines: tuple[LineSplit, ...]


def split_bill(
    lines: tuple[Line, ...],
    catalogue: ItemLookup | None,
    class_b_ratio: Decimal,
    sex: Sex,
    age: int,
    visit: VisitType,
) -> BillSplit:
    """Split every line and sum the parts."""
    done = tuple(
        split_line(ln, _entry(ln, catalogue), class_b_ratio, sex, age, visit) for ln in lines
    )
    fund_lines = [s for s in done if s.outside_schedule]
    return BillSplit(
        PreSplit(
            total=sum(s.amount for s in done),
            full_selfpay=sum(s.full_selfpay for s in done),
            over_limit=sum(s.over_limit for s in done),
            preself=sum(s.preself for s in done),
            item_fund=sum(s.item_fund for s in fund_lines),
            item_fund_scope=sum(s.scope for s in fund_lines),
        ),
        done,
    )
