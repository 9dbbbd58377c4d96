"""Settlement benchmarks: the scalar engine (claims per second in one process) and the batch
engine over N claims from Parquet against a DuckDB scan-and-sum of the same columns.

Run: ``python -m bench.bench_settle [N]`` (default 10,000,000 claims for the batch part).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.policy.registry import shipped_packs
from yibao.settle.batch import settle_claims
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.synth.presplit import presplit_claims as claims_table
from yibao.types import Level, PersonType, Route, Scheme, Sex, VisitType

YEAR = 2025
PACKS = ("demo-north", "demo-south", "demo-east")


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
