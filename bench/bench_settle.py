"""Settlement benchmarks: the scalar engine (claims per second in one process) and the
kernel over N claims from Parquet against a DuckDB scan-and-sum of the same columns, with the
peak memory of the batch settlement (measured in a process of its own).

Run: ``python -m bench.bench_settle [N]`` (default 10,000,000 claims for the batch part), or
``BENCH_ONLY=settle BENCH_CLAIMS=N make bench``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.policy.registry import shipped_packs
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.settle.table import CLAIM_COLUMNS, TableSettler
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


def settle_parquet(src: Path, dst: Path) -> int:
    """Read claims from Parquet, order them with DuckDB, settle with the kernel, write Parquet."""
    con = duckdb.connect()
    cols = ", ".join(CLAIM_COLUMNS)
    reader = con.execute(
        f"SELECT {cols} FROM read_parquet('{src}') ORDER BY person_id, settle_date, claim_id"
    ).to_arrow_reader(1 << 20)
    settler = TableSettler(shipped_packs(), YEAR)
    writer = None
    for batch in reader:
        out = settler.settle(batch)
        writer = writer or pq.ParquetWriter(dst, out.schema)
        writer.write_table(out)
    if writer:
        writer.close()
    return settler.claims


def _batch_child(src: str, dst: str) -> None:
    """Run in a process of its own, so that its peak memory is the settlement's alone."""
    started = time.perf_counter()
    rows = settle_parquet(Path(src), Path(dst))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def bench_batch(n: int) -> dict[str, Any]:
    """Kernel settlement of n claims from Parquet vs DuckDB scanning and summing them."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "claims.parquet", Path(tmp) / "settled.parquet"
        pq.write_table(claims_table(n), src)
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute(
            f"SELECT sum(total), sum(full_selfpay), sum(preself), count(DISTINCT person_id) "
            f"FROM read_parquet('{src}')"
        ).fetchall()
        scan = time.perf_counter() - started
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from bench.bench_settle import _batch_child; _batch_child({str(src)!r}, {str(dst)!r})",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        child = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "batch_claims": child["rows"],
        "batch_seconds": child["seconds"],
        "batch_peak_mb": child["peak_mb"],
        "duckdb_scan_seconds": scan,
        "batch_over_scan": child["seconds"] / scan,
        "batch_claims_per_second": child["rows"] / child["seconds"],
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
        f"ratio {out['batch_over_scan']:.1f}x; peak memory {out['batch_peak_mb']:,.0f} MB"
    )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
