"""DIP liquidation benchmark: N cases from Parquet liquidated with the Ibis batch engine on
DuckDB, against a DuckDB scan of every column of the same Parquet file.

Cases are drawn with numpy (fixed seed): 5,000 groups keyed like real core/comprehensive
keys, 300 hospitals at three levels, twelve months, log-normal costs (so that low- and
high-cost cases occur), 1 % long stays. The catalogue comes from the same data, as a first
year would. Run: ``python -m bench.bench_payment [N]`` (default 5,000,000 cases).
"""

from __future__ import annotations

import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.payment.dip import DipParams, build_catalogue
from yibao.payment.dip.batch import liquidate_table, year_stats

SEED = 20261125
GROUPS = 5_000
HOSPITALS = 300


def cases_table(n: int) -> pa.Table:
    rng = np.random.default_rng(SEED)
    group = rng.zipf(1.3, n) % GROUPS
    core_names = pa.array([f"D{g // 10:03d}.{g % 10}00/{g % 7:02d}.1000" for g in range(GROUPS)])
    comp_names = pa.array([f"D{g // 10:03d}:{'CSP'[g % 3]}" for g in range(GROUPS)])
    idx = pa.array(group.astype(np.int32))
    hospital = rng.integers(0, HOSPITALS, n)
    base = 300_000 + (group % 97) * 40_000
    cost = (base * rng.lognormal(0.0, 0.6, n)).astype(np.int64)
    los = np.where(rng.random(n) < 0.01, rng.integers(60, 200, n), rng.integers(1, 30, n))
    paid = cost * rng.integers(10, 50, n) // 100
    return pa.table(
        {
            "case_id": pa.array(np.char.add("c", np.arange(n).astype(str))),
            "provider_id": pa.array(np.char.add("H", hospital.astype(str))),
            "level": pa.array(np.array(["L1", "L2", "L3"])[hospital % 3]),
            "month": pa.array(rng.integers(1, 13, n)),
            "core_key": core_names.take(idx),
            "comp_key": comp_names.take(idx),
            "cost": pa.array(cost),
            "los_days": pa.array(los.astype(np.int64)),
            "patient_paid": pa.array(paid),
            "other_funds": pa.array(cost // 50),
        }
    )


def main(n: int = 5_000_000) -> dict[str, Any]:
    started = time.perf_counter()
    table = cases_table(n)
    gen_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.parquet"
        pq.write_table(table, path)
        del table
        con = ibis.duckdb.connect()
        cases = con.read_parquet(str(path), table_name="cases")
        started = time.perf_counter()
        scan = cases.aggregate(
            n=cases.count(),
            **{
                f"s_{c}": cases[c].sum()
                for c in ("cost", "los_days", "patient_paid", "other_funds", "month")
            },
            **{
                f"m_{c}": cases[c].max()
                for c in ("case_id", "provider_id", "level", "core_key", "comp_key")
            },
        )
        con.execute(scan)
        scan_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cat = build_catalogue([year_stats(con, cases, 2025, 60)], min_cases=15)
        catalogue_seconds = time.perf_counter() - started
        budget = int(con.execute(cases.cost.sum()))
        params = DipParams(budget=budget, reserve_ratio=Decimal("0.05"))
        started = time.perf_counter()
        out = liquidate_table(con, cases, cat, params)
        liquidation_seconds = time.perf_counter() - started
    liq = out.liquidation
    assert liq.check() == []
    result = {
        "dip_cases": n,
        "generate_seconds": round(gen_seconds, 2),
        "duckdb_scan_seconds": round(scan_seconds, 3),
        "catalogue_seconds": round(catalogue_seconds, 2),
        "dip_groups": len(cat.groups),
        "liquidation_seconds": round(liquidation_seconds, 2),
        "liquidation_cases_per_second": round(n / liquidation_seconds),
        "liquidation_over_scan": round(liquidation_seconds / scan_seconds, 1),
        "hospitals": len(liq.hospitals),
        "residual_fen": liq.residual,
    }
    print(
        f"DIP liquidation: {n:,} cases in {liquidation_seconds:.2f} s "
        f"({result['liquidation_cases_per_second']:,}/s); DuckDB scan {scan_seconds:.2f} s; "
        f"ratio {result['liquidation_over_scan']}x; catalogue {catalogue_seconds:.2f} s "
        f"({len(cat.groups)} groups); residual {liq.residual} fen"
    )
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000)
