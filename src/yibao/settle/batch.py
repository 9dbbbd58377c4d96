"""Splitting the claim lines of a table by the catalogue (批量费用分割), as Ibis expressions.

The per-line rules are those of ``split.py`` on columns: the restriction is the one function
of ``policy.restriction`` and every rounding is ``money.round_at`` at its stage, so DuckDB
gives the scalar split's fen. The settlement of the split claims is the kernel
(``table.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from yibao.errors import InputError
from yibao.money import Stage, ratio_units, round_at
from yibao.policy.registry import PackRegistry
from yibao.policy.restriction import NONE, restriction, visits_key


def _min(a: Any, b: Any) -> Any:
    return ibis.least(a, b)


@dataclass(frozen=True)
class Periods:
    """Dates at which some parameter changes inside the year: claims map to a period index."""

    starts: tuple[date, ...]

    def index(self, day: date) -> int:
        return bisect.bisect_right(self.starts, day) - 1

    def expr(self, col: ir.DateValue) -> ir.IntegerValue:
        out: Any = ibis.literal(0)
        for i, start in enumerate(self.starts[1:], start=1):
            out = (col >= ibis.literal(start)).ifelse(i, out)
        return out


def policy_periods(registry: PackRegistry, pack_ids: Iterable[str], year: int) -> Periods:
    """Every start of a version (and day after an end) inside ``year`` in the given chains."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    starts = {first}
    for pid in pack_ids:
        for pack in registry.chain(pid).packs:
            for versions in pack.leaves.values():
                for v in versions:
                    for d in (v.start, v.end + timedelta(days=1) if v.end else None):
                        if d is not None and first < d <= last:
                            starts.add(d)
    return Periods(tuple(sorted(starts)))


def _age(birth: Any, day: Any) -> Any:
    years = day.year() - birth.year()
    before = (day.month() < birth.month()) | (
        (day.month() == birth.month()) & (day.day() < birth.day())
    )
    return years - before.ifelse(1, 0)


# The columns of a claim-lines table for :func:`split_lines`.
LINE_COLUMNS = ("claim_id", "item_code", "quantity", "unit_price_fen", "amount_fen")


def catalogue_table(items: Iterable[Any]) -> ir.Table:
    """A catalogue as a memtable: ratios in units, restrictions as plain columns."""
    rows = [
        {
            "item_code": it.code,
            "item_class": str(it.item_class),
            "own_preself": None if it.preself_ratio is None else ratio_units(it.preself_ratio),
            "price_cap": it.price_cap,
            "r_sex": None if it.sex is None else str(it.sex),
            "min_age": it.min_age,
            "max_age": it.max_age,
            "r_visits": visits_key(it.visit_types),
            "fund_units": None if it.fund_ratio is None else ratio_units(it.fund_ratio),
        }
        for it in items
    ]
    schema = {
        "item_code": "string",
        "item_class": "string",
        "own_preself": "int64",
        "price_cap": "int64",
        "r_sex": "string",
        "min_age": "int64",
        "max_age": "int64",
        "r_visits": "string",
        "fund_units": "int64",
    }
    return ibis.memtable(rows, schema=schema)


def class_b_table(
    registry: PackRegistry, treatment_packs: Iterable[str], schemes: Iterable[str], periods: Periods
) -> ir.Table:
    """The treatment region's class-B pre-self-pay ratio per scheme and period (就医地目录)."""
    rows = []
    for pid in treatment_packs:
        chain = registry.chain(pid)
        for scheme in schemes:
            for i, start in enumerate(periods.starts):
                value = chain.get(f"{scheme}.class_b_preself_ratio", start).value
                assert isinstance(value, Decimal)
                rows.append(
                    {
                        "treatment_pack": pid,
                        "scheme": scheme,
                        "period": i,
                        "b_units": ratio_units(value),
                    }
                )
    return ibis.memtable(rows)


def split_lines(
    con: Any,
    lines: ir.Table,
    claims: ir.Table,
    catalogue: ir.Table,
    registry: PackRegistry,
    year: int,
) -> ir.Table:
    """Split every line by the catalogue and sum per claim (as ``split.split_bill``).

    ``claims`` needs claim_id, admit_date, settle_date, visit_type, sex, birth_date, scheme
    and treatment_pack. Returns claim_id with total, full_selfpay, over_limit, preself,
    item_fund and item_fund_scope.
    """
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise InputError(f"claim lines lack column(s): {', '.join(missing)}")
    if "admit_date" not in claims.columns:
        raise InputError("claims table lacks column admit_date (catalogue ages are at admission)")
    unknown = lines.anti_join(catalogue, "item_code").select("claim_id", "item_code").limit(3)
    bad = con.execute(unknown).to_dict("records")
    if bad:
        shown = ", ".join(f"{r['item_code']!r} (claim {r['claim_id']})" for r in bad)
        raise InputError(f"unknown catalogue code(s): {shown}")
    negative = con.execute(lines.filter((lines.amount_fen < 0) | (lines.quantity <= 0)).count())
    if negative:
        raise InputError(f"{negative} claim line(s) have a negative amount or a quantity below 1")
    packs = [
        r[0]
        for r in con.execute(claims.select("treatment_pack").distinct()).itertuples(index=False)
    ]
    schemes = [
        r[0] for r in con.execute(claims.select("scheme").distinct()).itertuples(index=False)
    ]
    periods = policy_periods(registry, packs, year)
    meta = claims.select(
        "claim_id",
        "visit_type",
        "sex",
        "scheme",
        "treatment_pack",
        age=_age(claims.birth_date, claims.admit_date),  # at admission (policy.restriction)
        period=periods.expr(claims.settle_date),
    )
    meta = meta.join(
        class_b_table(registry, packs, schemes, periods), ["treatment_pack", "scheme", "period"]
    )
    t = lines.join(meta, "claim_id").join(catalogue, "item_code")
    broken = restriction(t.r_sex, t.min_age, t.max_age, t.r_visits, t.sex, t.age, t.visit_type)
    restricted = broken != NONE
    self_paid = (t.item_class == "C") | restricted
    over_price = t.price_cap.notnull() & (t.unit_price_fen > t.price_cap)
    over = over_price.ifelse(_min(t.amount_fen, (t.unit_price_fen - t.price_cap) * t.quantity), 0)
    rate = t.own_preself.fill_null((t.item_class == "B").ifelse(t.b_units, 0))
    t = t.mutate(
        l_full=self_paid.ifelse(t.amount_fen, 0),
        l_over=self_paid.ifelse(0, over),
    )
    t = t.mutate(l_allowed=self_paid.ifelse(0, t.amount_fen - t.l_over))
    t = t.mutate(l_pre=round_at(Stage.PRESELF, t.l_allowed * rate))
    t = t.mutate(l_scope=t.l_allowed - t.l_pre)
    outside = t.fund_units.notnull() & ~self_paid
    t = t.mutate(
        l_ifund=outside.ifelse(
            round_at(Stage.ITEM_FUND_SHARE, t.l_scope * t.fund_units.fill_null(0)), 0
        ),
        l_iscope=outside.ifelse(t.l_scope, 0),
    )
    return t.group_by("claim_id").aggregate(
        total=t.amount_fen.sum(),
        full_selfpay=t.l_full.sum(),
        over_limit=t.l_over.sum(),
        preself=t.l_pre.sum(),
        item_fund=t.l_ifund.sum(),
        item_fund_scope=t.l_iscope.sum(),
    )
