"""DRG payment over a table of cases, as Ibis expressions (DuckDB by default, or Spark).

The same rules as :func:`yibao.payment.drg_pay.pay.pay_cases`. The payment standards of
every (DRG, hospital level) pair are computed in Python (the rate, RW and coefficient are
Decimals) and joined back; the batch only compares, multiplies, adds and ranks integers.
The high-cost cap ranks each hospital's high-cost cases by ⌊cost × 10⁶ ÷ standard⌋ then
case id, as the scalar code does (the numerator stays below 2⁵³ for costs under 9 × 10⁹ fen).

Input columns: :data:`CASE_COLUMNS`, and :data:`READMISSION_COLUMNS` for the readmission
rule (without them no case is halved). The next admission of the patient in the same DRG is
found with a window (``lead``) and the gap taken in whole days.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from yibao.errors import InputError
from yibao.formula import where
from yibao.money import Fen, ratio_units
from yibao.payment.drg_pay.pay import (
    DrgParams,
    allowed_outliers,
    extremity,
    kind_formula,
    payment_standard,
    value_formula,
)

CASE_COLUMNS = (
    "case_id",
    "provider_id",
    "level",
    "drg",
    "cost",
    "patient_paid",
    "other_funds",
)
READMISSION_COLUMNS = ("person_id", "admit_date", "discharge_date")


def standards_table(weights: Mapping[str, Decimal], rate: Fen, params: DrgParams) -> ir.Table:
    """One row per (DRG, level): the payment standard and the outlier thresholds' ratios."""
    rows: dict[str, list[Any]] = {"s_drg": [], "s_level": [], "standard": [], "high_u": []}
    for level, coefficient in sorted(params.coefficients.items()):
        multiple = params.high_multiple.get(level)
        if multiple is None:
            raise InputError(f"DRG payment: no high-cost multiple for hospital level {level!r}")
        for drg, rw in sorted(weights.items()):
            rows["s_drg"].append(drg)
            rows["s_level"].append(level)
            rows["standard"].append(payment_standard(rate, rw, coefficient))
            rows["high_u"].append(ratio_units(multiple))
    return ibis.memtable(
        pa.table(
            {
                "s_drg": pa.array(rows["s_drg"], pa.string()),
                "s_level": pa.array(rows["s_level"], pa.string()),
                "standard": pa.array(rows["standard"], pa.int64()),
                "high_u": pa.array(rows["high_u"], pa.int64()),
            }
        )
    )


def pay_table(
    con: Any,
    cases: ir.Table,
    weights: Mapping[str, Decimal],
    rate: Fen,
    params: DrgParams | None = None,
) -> ir.Table:
    """Every case with ``kind``, ``standard``, ``value``, ``fund_to_hospital`` and
    ``readmission`` (the value halved by the readmission rule)."""
    params = params or DrgParams()
    missing = [c for c in CASE_COLUMNS if c not in cases.columns]
    if missing:
        raise InputError(f"DRG cases: missing column(s) {', '.join(missing)}")
    levels = con.to_pyarrow(cases.select("level").distinct()).column(0).to_pylist()
    unknown = sorted(str(v) for v in levels if v not in params.coefficients)
    if unknown:
        raise InputError(f"DRG payment: no coefficient for hospital level {unknown[0]!r}")
    std = standards_table(weights, rate, params)
    c = cases.left_join(std, (cases.drg == std.s_drg) & (cases.level == std.s_level))
    grouped = kind_formula(
        c.cost.cast("int64"), c.standard, c.high_u, ratio_units(params.low_fraction)
    )
    kind = where(c.standard.isnull(), "ungrouped", grouped)
    c = c.mutate(kind=kind, standard=c.standard.fill_null(0))
    discharges = ibis.window(group_by=c.provider_id)
    c = c.mutate(discharges=c.count().over(discharges))
    is_high = c.kind == "high_cost"
    key = is_high.ifelse(extremity(c.cost.cast("int64"), c.standard), -1).cast("int64")
    rank_w = ibis.window(group_by=[c.provider_id, is_high], order_by=[ibis.desc(key), c.case_id])
    c = c.mutate(_rank=ibis.row_number().over(rank_w))
    allowed = allowed_outliers(c.discharges, params.high_cap)
    kind2 = (is_high & (c._rank >= allowed)).ifelse("high_cost_over_cap", c.kind)
    c = c.mutate(kind2=kind2)
    halve = ibis.literal(False)
    days = params.readmission_days
    if days > 0 and all(col in c.columns for col in READMISSION_COLUMNS):
        nxt = ibis.window(group_by=[c.person_id, c.drg], order_by=[c.admit_date, c.case_id])
        gap = c.admit_date.lead().over(nxt).delta(c.discharge_date, unit="day")
        halve = (
            (c.kind2 != "ungrouped") & (c.person_id != "") & (gap >= 0) & (gap <= days)
        ).fill_null(False)
    c = c.mutate(readmission=halve)
    value = value_formula(c.kind2, c.standard, c.cost.cast("int64"), c.readmission)
    return c.select(
        *CASE_COLUMNS,
        kind=c.kind2,
        standard=c.standard,
        value=value,
        fund_to_hospital=value - c.patient_paid - c.other_funds,
        readmission=c.readmission,
    )
