"""DRG payment: the scalar rules and the Ibis batch on DuckDB agree case by case, to the fen,
including the per-hospital cap on high-cost cases paid by item."""

from __future__ import annotations

import random
from decimal import Decimal

import ibis
import pyarrow as pa

from yibao.payment.drg_pay import DrgClaim, DrgParams, base_rate, pay_cases
from yibao.payment.drg_pay.batch import CASE_COLUMNS, pay_table


def test_scalar_and_duckdb_agree() -> None:
    rng = random.Random(7)
    weights = {f"G{i:02}": Decimal(rng.randint(3_000, 40_000)) / 10_000 for i in range(40)}
    claims = []
    for i in range(4_000):
        drg = rng.choice([*weights, "0000"]) if i % 97 else "0000"
        cost = rng.choice(
            [rng.randint(5_00, 2_000_00), rng.randint(2_000_00, 30_000_00),
             rng.randint(30_000_00, 300_000_00)]
        )  # fmt: skip
        paid = cost * rng.randint(10, 70) // 100
        claims.append(
            DrgClaim(f"c{i:05}", f"H{rng.randint(1, 12):02}", rng.choice(["L1", "L2", "L3"]),
                     drg, cost, paid, cost // 20)
        )  # fmt: skip
    rate = base_rate(2_000_000_000, {g: 100 for g in weights}, weights)
    params = DrgParams(high_cap=Decimal("0.03"))
    scalar = {p.case_id: p for p in pay_cases(claims, weights, rate, params)}
    kinds = {str(p.kind) for p in scalar.values()}
    assert {"normal", "high_cost", "high_cost_over_cap", "low_cost", "ungrouped"} <= kinds
    con = ibis.duckdb.connect()
    table = con.create_table(
        "cases", pa.table({c: [getattr(x, c) for x in claims] for c in CASE_COLUMNS})
    )
    rows = con.to_pyarrow(pay_table(con, table, weights, rate, params)).to_pylist()
    assert len(rows) == len(claims)
    for r in rows:
        p = scalar[r["case_id"]]
        got = (r["kind"], r["standard"], r["value"], r["fund_to_hospital"])
        assert got == (str(p.kind), p.standard, p.value, p.fund_to_hospital), r["case_id"]


def test_readmission_halving_agrees() -> None:
    """Patients with several stays: the earlier case of a same-DRG readmission within 15
    days is halved, by the scalar rule and by the batch window alike."""
    from datetime import date, timedelta

    from yibao.payment.drg_pay.batch import READMISSION_COLUMNS

    rng = random.Random(11)
    weights = {f"G{i}": Decimal(rng.randint(5_000, 30_000)) / 10_000 for i in range(4)}
    claims = []
    for i in range(3_000):
        start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 330))
        los = rng.randint(1, 12)
        cost = rng.randint(1_000_00, 40_000_00)
        claims.append(
            DrgClaim(f"c{i:05}", f"H{rng.randint(1, 6)}", rng.choice(["L1", "L2", "L3"]),
                     rng.choice([*weights, "0000"]), cost, cost // 3, cost // 25,
                     f"p{rng.randint(1, 400):03}", start, start + timedelta(days=los))
        )  # fmt: skip
    rate = base_rate(500_000_000, {g: 100 for g in weights}, weights)
    scalar = {p.case_id: p for p in pay_cases(claims, weights, rate)}
    halved = [p for p in scalar.values() if p.readmission]
    assert len(halved) > 20 and all(p.kind != "ungrouped" for p in halved)
    con = ibis.duckdb.connect()
    cols = (*CASE_COLUMNS, *READMISSION_COLUMNS)
    table = con.create_table("cases", pa.table({c: [getattr(x, c) for x in claims] for c in cols}))
    rows = con.to_pyarrow(pay_table(con, table, weights, rate)).to_pylist()
    for r in rows:
        p = scalar[r["case_id"]]
        got = (r["kind"], r["value"], r["fund_to_hospital"], r["readmission"])
        assert got == (str(p.kind), p.value, p.fund_to_hospital, p.readmission), r["case_id"]
    off = DrgParams(readmission_days=0)
    assert not any(p.readmission for p in pay_cases(claims, weights, rate, off))
    rows_off = con.to_pyarrow(pay_table(con, table, weights, rate, off)).to_pylist()
    assert not any(r["readmission"] for r in rows_off)
