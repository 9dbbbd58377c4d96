"""DIP liquidation over a table of cases, as Ibis expressions (DuckDB by default, or Spark).

The same rules as :mod:`yibao.payment.dip.liquidation`, written once as relational
expressions. Only integers are added, multiplied and divided-and-rounded half-up; the two
divisions that need a fraction (the settlement point value, the sharing rule) are done in
Python on the small aggregate and joined back as literals (DESIGN.md, "Money"). Every
integer division has a numerator below 2⁵³, so engines that divide in double precision
(Spark's ``FLOOR(a / b)``) still give the exact quotient.

The input table has the columns of :data:`CASE_COLUMNS`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from yibao.errors import InputError
from yibao.money import Stage, ratio_units, round_at
from yibao.payment.dip.catalogue import Catalogue
from yibao.payment.dip.liquidation import (
    PAY_DIVISOR,
    DipParams,
    HospitalSums,
    Liquidation,
    hospital_lines,
    points_formula,
    pv_units,
    settlement_point_value,
)

CASE_COLUMNS = (
    "case_id",
    "provider_id",
    "level",
    "month",
    "core_key",
    "comp_key",
    "cost",
    "los_days",
    "patient_paid",
    "other_funds",
)


def _groups_table(cat: Catalogue, kind: str, prefix: str) -> ir.Table:
    rows = [g for g in cat.groups.values() if g.kind == kind and g.mean_cost > 0]
    return ibis.memtable(
        pa.table(
            {
                f"{prefix}_key": pa.array([g.key for g in rows], pa.string()),
                f"{prefix}_mean": pa.array([g.mean_cost for g in rows], pa.int64()),
                f"{prefix}_score": pa.array([ratio_units(g.score) for g in rows], pa.int64()),
            }
        )
    )


def _level_means_table(cat: Catalogue) -> ir.Table:
    items = sorted(cat.level_means.items())
    return ibis.memtable(
        pa.table(
            {
                "lm_group": pa.array([g for (g, _), _ in items], pa.string()),
                "lm_level": pa.array([lv for (_, lv), _ in items], pa.string()),
                "lm_mean": pa.array([m for _, m in items], pa.int64()),
            }
        )
    )


def _by_item(kind: Any, params: DipParams) -> Any:
    """The batch form of :meth:`DipParams.by_item`."""
    if params.extreme_rule == "by_item":
        return (kind == "by_item") | (kind == "extreme")
    return kind == "by_item"


def check_columns(cases: ir.Table) -> None:
    missing = [c for c in CASE_COLUMNS if c not in cases.columns]
    if missing:
        raise InputError(f"DIP cases: missing column(s) {', '.join(missing)}")


def case_points_expr(
    cases: ir.Table, cat: Catalogue, params: DipParams, con: Any = None
) -> ir.Table:
    """Each case with its group, kind, factor and points (1/10 000 point), like
    :func:`yibao.payment.dip.liquidation.case_points`. With ``con`` the lookup tables are
    registered as views on it, so that the result can be cached on any backend."""
    check_columns(cases)
    coefs = ibis.memtable(
        pa.table(
            {
                "coef_level": pa.array(list(params.coefficients), pa.string()),
                "coef": pa.array(
                    [ratio_units(v) for v in params.coefficients.values()], pa.int64()
                ),
            }
        )
    )
    core, comp = _groups_table(cat, "core", "core"), _groups_table(cat, "comprehensive", "comp")
    lm = _level_means_table(cat)
    if con is not None:
        tag = uuid.uuid4().hex[:12]  # one set of views per call: runs never share them
        coefs = con.create_view(f"_dip_coefficients_{tag}", coefs, overwrite=True)
        core = con.create_view(f"_dip_core_groups_{tag}", core, overwrite=True)
        comp = con.create_view(f"_dip_comprehensive_groups_{tag}", comp, overwrite=True)
        lm = con.create_view(f"_dip_level_means_{tag}", lm, overwrite=True)
    c = cases.left_join(core, cases.core_key == core.core_key).drop("core_key_right")
    c = c.left_join(comp, c.comp_key == comp.comp_key).drop("comp_key_right")
    c = c.left_join(coefs, c.level == coefs.coef_level)
    use_core = c.core_mean.notnull()
    c = c.mutate(
        _group=use_core.ifelse(c.core_key, c.comp_mean.notnull().ifelse(c.comp_key, "")),
        _all_mean=use_core.ifelse(c.core_mean, c.comp_mean),
        _score=use_core.ifelse(c.core_score, c.comp_score),
    )
    c = c.left_join(lm, (c._group == lm.lm_group) & (c.level == lm.lm_level))
    mean = c.lm_mean.notnull().ifelse(c.lm_mean, c._all_mean)
    no_group = c._all_mean.isnull()
    day_units = ratio_units(cat.day_score)
    kind, factor, points = points_formula(
        c.cost.cast("int64"),
        c.los_days.cast("int64"),
        mean,
        c._score.cast("int64"),
        c.coef,
        no_group,
        day_units,
        params,
    )
    long_stay = (c.los_days >= params.long_stay_days) & (day_units > 0)
    group = c._group
    grouped = ~long_stay & ~no_group
    return c.select(
        *CASE_COLUMNS,
        group=long_stay.ifelse("bed-day", group),
        kind=kind,
        factor=factor.cast("int64"),
        points=points.cast("int64"),
        coef=c.coef,
        standard=grouped.ifelse(mean, 0).cast("int64"),
        basis=grouped.ifelse(c.lm_mean.notnull().ifelse("level", "all_levels"), ""),
    )


@dataclass(frozen=True)
class BatchLiquidation:
    """The liquidation (same figures as the scalar one) and the per-case table expression."""

    liquidation: Liquidation
    cases: ir.Table  # case_id, provider_id, group, kind, factor, points, payment, …


def liquidate_table(
    con: Any, cases: ir.Table, cat: Catalogue, params: DipParams
) -> BatchLiquidation:
    """Year-end liquidation of a table of cases on the backend ``con``."""
    pts = case_points_expr(cases, cat, params, con)
    if getattr(con, "name", "") != "duckdb":
        # Spark would re-plan the joins for each of the queries below; DuckDB recomputes
        # them faster than it writes 5 million rows to a temporary table.
        pts = pts.cache()
    levels = con.to_pyarrow(pts.filter(pts.coef.isnull()).select("level").distinct().limit(1))
    if levels.num_rows:
        raise InputError(f"DIP: no coefficient for hospital level {levels.column(0)[0]}")
    item = _by_item(pts.kind, params)
    totals = con.to_pyarrow(
        pts.aggregate(
            n=pts.count(),
            points=pts.points.sum(),
            by_item=item.ifelse(pts.cost, 0).sum(),
        )
    ).to_pylist()[0]
    if not totals["n"]:
        raise InputError("DIP: the year has no inpatient cases")
    reserve = round_at(Stage.DIP_RESERVE, params.budget * ratio_units(params.reserve_ratio))
    by_item = int(totals["by_item"] or 0)
    total_points = int(totals["points"] or 0)
    distributable = params.budget - reserve - by_item
    pv = settlement_point_value(distributable, total_points)
    bpv = pv_units(cat.budget_point_value)
    paid = pts.mutate(
        payment=item.ifelse(
            pts.cost.cast("int64"), round_at(Stage.DIP_PAYMENT, pts.points * pv, PAY_DIVISOR)
        )
    )
    paid_item = _by_item(paid.kind, params)
    by_month = paid.group_by(["provider_id", "month"]).aggregate(
        points=paid.points.sum(),
        by_item=paid_item.ifelse(paid.cost, 0).sum().cast("int64"),
        others=(paid.patient_paid + paid.other_funds).sum().cast("int64"),
    )
    fund = ibis.greatest(
        0,
        round_at(Stage.DIP_PAYMENT, by_month.points * bpv, PAY_DIVISOR)
        + by_month.by_item
        - by_month.others,
    )
    prepay = by_month.mutate(
        prepaid=round_at(Stage.PREPAYMENT, fund * ratio_units(params.prepay_ratio))
    )
    prepaid = prepay.group_by("provider_id").aggregate(prepaid=prepay.prepaid.sum())
    hosp = paid.group_by("provider_id").aggregate(
        cases=paid.count(),
        points=paid.points.sum(),
        value=paid.payment.sum(),
        by_item=paid_item.ifelse(paid.cost, 0).sum().cast("int64"),
        cost=paid.cost.sum(),
        patient_paid=paid.patient_paid.sum(),
        other_funds=paid.other_funds.sum(),
    )
    hosp = hosp.join(prepaid, "provider_id").order_by("provider_id")
    sums = [
        HospitalSums(
            r["provider_id"],
            int(r["cases"]),
            int(r["points"]),
            int(r["value"]),
            int(r["by_item"]),
            int(r["cost"]),
            int(r["patient_paid"]),
            int(r["other_funds"]),
            int(r["prepaid"]),
        )
        for r in con.to_pyarrow(hosp).to_pylist()
    ]
    # the largest-remainder shares, on the small per-hospital aggregate, in Python
    lines = hospital_lines(sums, distributable, total_points, params.sharing)
    residual = params.budget - reserve - sum(h.value for h in lines)
    result = Liquidation(params.budget, reserve, by_item, total_points, pv, bpv, residual, lines)
    return BatchLiquidation(result, paid)


def with_keys(cases: ir.Table, operations: frozenset[str]) -> ir.Table:
    """Add ``core_key`` and ``comp_key`` (as :func:`core_key` / :func:`comprehensive_key`)
    to a table with ``main_dx`` and ``procedures``."""
    ops = ibis.memtable(pa.table({"op_code": pa.array(sorted(operations), pa.string())}))
    procs = cases.procedures.fill_null("")
    main = procs.split("|")[0]
    t = cases.mutate(core_key=cases.main_dx.concat("/", procs), _main_proc=main)
    t = t.left_join(ops, t._main_proc == ops.op_code)
    kind = ibis.cases((t._main_proc == "", "C"), (t.op_code.notnull(), "S"), else_="P")
    return t.mutate(comp_key=t.main_dx.substr(0, 3).concat(":", kind)).drop("_main_proc", "op_code")


def year_stats(con: Any, cases: ir.Table, year: int, long_stay_days: int) -> Any:
    """Aggregate one history year of keyed cases (``cost``, ``los_days`` and, when present,
    ``level``) into :class:`YearStats` (the catalogue is built from these small aggregates)."""
    from yibao.payment.dip.catalogue import YearStats

    short = cases.filter(cases.los_days < long_stay_days)
    has_level = "level" in cases.columns
    keys = ["core_key", "comp_key", *(["level"] if has_level else [])]
    rows = con.to_pyarrow(
        short.group_by(keys).aggregate(n=short.count(), cost=short.cost.sum().cast("int64"))
    ).to_pylist()
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    level_cells: dict[tuple[str, str, str], tuple[int, int]] = {}
    for r in rows:
        n, cost = int(r["n"]), int(r["cost"])
        n0, c0 = cells.get((r["core_key"], r["comp_key"]), (0, 0))
        cells[(r["core_key"], r["comp_key"])] = (n0 + n, c0 + cost)
        if has_level:
            level_cells[(r["core_key"], r["comp_key"], str(r["level"]))] = (n, cost)
    long = cases.filter(cases.los_days >= long_stay_days)
    lt = con.to_pyarrow(
        long.aggregate(
            n=long.count(),
            days=long.los_days.sum().cast("int64"),
            cost=long.cost.sum().cast("int64"),
        )
    ).to_pylist()[0]
    return YearStats(
        year,
        cells,
        int(lt["n"] or 0),
        int(lt["days"] or 0),
        int(lt["cost"] or 0),
        level_cells,
    )
