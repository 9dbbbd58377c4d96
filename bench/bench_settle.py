"""Settlement benchmarks: the scalar engine (claims per second in one process) and the batch
engine over N claims from Parquet against a DuckDB scan-and-sum of the same columns.

Run: ``python -m bench.bench_settle [N]`` (default 10,000,000 claims for the batch part).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.policy.registry import shipped_packs
from yibao.settle.batch import settle_claims
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.types import Level, PersonType, Route, Scheme, Sex, VisitType

YEAR = 2025
SEED = 20261125
PACKS = ("demo-north", "demo-south", "demo-east")
VISITS = ("inpatient", "outpatient_general", "outpatient_chronic", "pharmacy")
TYPES = {"employee": ("active", "retired"), "resident": ("adult", "child", "elderly")}


def claims_table(n: int, seed: int = SEED) -> pa.Table:
    """N pre-split claims of n/10 persons, drawn with numpy (amounts in fen)."""
    rng = np.random.default_rng(seed)
    persons = max(1, n // 10)
    pid = np.sort(rng.integers(0, persons, n))
    scheme_of = rng.random(persons) < 0.29
    p_scheme = np.where(scheme_of, "employee", "resident")
    p_type = np.where(
        scheme_of,
        np.where(rng.random(persons) < 0.275, "retired", "active"),
        rng.choice(["adult", "child", "elderly"], persons, p=[0.6, 0.2, 0.2]),
    )
    p_cat = np.where(rng.random(persons) < 0.04, "dibao", None)
    p_pack = rng.choice(PACKS, persons)
    visit = rng.choice(VISITS, n, p=[0.12, 0.6, 0.13, 0.15])
    inpatient = visit == "inpatient"
    total = np.where(inpatient, rng.lognormal(9.0, 0.9, n), rng.lognormal(5.0, 0.8, n))
    total = (total * 100).astype(np.int64)
    full = (total * rng.uniform(0, 0.1, n)).astype(np.int64)
    pre = ((total - full) * rng.uniform(0, 0.08, n)).astype(np.int64)
    days = rng.integers(0, 365, n)
    birth = np.where(p_type == "child", 2012, np.where(p_type == "retired", 1955, 1975))[pid]
    zeros = np.zeros(n, dtype=np.int64)
    return pa.table(
        {
            "claim_id": pa.array([f"C{i:09d}" for i in range(n)]),
            "person_id": pa.array(pid.astype(str)),
            "settle_date": pa.array(
                [date(YEAR, 1, 1) + timedelta(days=int(d)) for d in days], pa.date32()
            ),
            "visit_type": pa.array(visit),
            "level": pa.array(rng.choice(["L1", "L2", "L3"], n, p=[0.4, 0.35, 0.25])),
            "route": pa.array(np.where(rng.random(n) < 0.03, "referred", "local")),
            "scheme": pa.array(p_scheme[pid]),
            "person_type": pa.array(p_type[pid]),
            "birth_date": pa.array([date(int(y), 6, 1) for y in birth], pa.date32()),
            "assistance_category": pa.array(p_cat[pid], pa.string()),
            "insured_pack": pa.array(p_pack[pid]),
            "account_balance_fen": pa.array(np.where(p_scheme[pid] == "employee", 300_000, 0)),
            "total": pa.array(total),
            "full_selfpay": pa.array(full),
            "over_limit": pa.array(zeros),
            "preself": pa.array(pre),
            "item_fund": pa.array(zeros),
            "item_fund_scope": pa.array(zeros),
        }
    )


def bench_scalar(table: pa.Table, limit: int = 50_000) -> dict[str, Any]:
    """Claims per second of the scalar engine, accumulators carried per person."""
    registry = shipped_packs()
    rows = table.slice(0, limit).to_pylist()
    chains = {p: registry.chain(p) for p in PACKS}
    accs: dict[str, Accumulators] = {}
    started = time.perf_counter()
    for r in rows:
        person = Person(
            r["person_id"],
            Scheme(r["scheme"]),
            PersonType(r["person_type"]),
            Sex.MALE,
            r["birth_date"],
            r["insured_pack"],
        )
        claim = Claim(
            r["claim_id"],
            "H",
            Level(r["level"]),
            r["insured_pack"],
            VisitType(r["visit_type"]),
            r["settle_date"],
            r["settle_date"],
            Route(r["route"]),
            presplit=PreSplit(r["total"], r["full_selfpay"], 0, r["preself"]),
        )
        acc = accs.get(person.person_id) or Accumulators(
            YEAR, account_balance=r["account_balance_fen"]
        )
        accs[person.person_id] = settle(person, claim, acc, chains[r["insured_pack"]]).after
    seconds = time.perf_counter() - started
    return {
        "scalar_claims": len(rows),
        "scalar_seconds": seconds,
        "scalar_claims_per_second": len(rows) / seconds,
    }


def bench_batch(n: int) -> dict[str, Any]:
    """Batch settlement of n claims from Parquet vs DuckDB scanning and summing them."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "claims.parquet", Path(tmp) / "settled.parquet"
        table = claims_table(n)
        pq.write_table(table, src)
        del table
        con = ibis.duckdb.connect()
        started = time.perf_counter()
        con.raw_sql(
            f"SELECT sum(total), sum(full_selfpay), sum(preself), count(DISTINCT person_id) "
            f"FROM read_parquet('{src}')"
        ).fetchall()
        scan = time.perf_counter() - started
        claims = con.read_parquet(str(src))
        started = time.perf_counter()
        con.to_parquet(settle_claims(con, claims, shipped_packs(), YEAR), str(dst))
        batch = time.perf_counter() - started
        rows = pq.ParquetFile(dst).metadata.num_rows
    return {
        "batch_claims": rows,
        "batch_seconds": batch,
        "duckdb_scan_seconds": scan,
        "batch_over_scan": batch / scan,
        "batch_claims_per_second": rows / batch,
    }


def main(n: int = 10_000_000) -> dict[str, Any]:
    out = bench_scalar(claims_table(50_000))
    print(
        f"scalar: {out['scalar_claims_per_second']:,.0f} claims/s ({out['scalar_claims']:,} claims)"
    )
    out |= bench_batch(n)
    print(
        f"batch: {out['batch_claims']:,} claims in {out['batch_seconds']:.1f} s "
        f"({out['batch_claims_per_second']:,.0f}/s); DuckDB scan+sum {out['duckdb_scan_seconds']:.2f} s; "
        f"ratio {out['batch_over_scan']:.1f}x"
    )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
