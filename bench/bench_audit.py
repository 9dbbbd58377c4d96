"""Supervision benchmark: screen N claim lines with every rule of the demo pack, against a
DuckDB scan of the same Parquet.

The province comes from the synthetic generator (about 18 lines per person; its own low-rate
defects give the rules something to find); the rules run as one Ibis expression on DuckDB
and the hits are written to Parquet. The scan reference reads every column the
rules read (count, sums and distinct counts over claims and lines).

Run: ``python -m bench.bench_audit [N]`` (default 10,000,000 claim lines).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ibis
import pyarrow.parquet as pq

from yibao.policy.catalogue import demo_catalogue
from yibao.supervision.pack import demo_pack
from yibao.supervision.rules import RULES, build_frame, check_columns, materialize, run_rules
from yibao.synth import SynthConfig, generate_to_parquet

LINES_PER_PERSON = 17.9  # measured on the synthetic province (seed 20250101)
SEED = 20250101


def province(directory: Path, n_lines: int) -> dict[str, int]:
    persons = max(1000, int(n_lines / LINES_PER_PERSON))
    return generate_to_parquet(SynthConfig(seed=SEED, year=2025, persons=persons), directory)


def scan_seconds(directory: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the scan (CPU: all threads of this process)."""
    con = ibis.duckdb.connect()
    raw = con.con  # the DuckDB connection: the reference is plain SQL over the files
    started = time.perf_counter()
    cpu = time.process_time()
    raw.sql(
        f"SELECT count(*), sum(quantity), sum(unit_price_fen), sum(amount_fen),"
        f" count(DISTINCT claim_id), count(DISTINCT item_code), max(line_no)"
        f" FROM read_parquet('{directory / 'claim_lines.parquet'}')"
    ).fetchall()
    raw.sql(
        f"SELECT count(*), count(DISTINCT person_id), count(DISTINCT provider_id),"
        f" min(admit_date), max(discharge_date), sum(los_days), count(DISTINCT main_dx),"
        f" count(other_dx), count(DISTINCT visit_type)"
        f" FROM read_parquet('{directory / 'claims.parquet'}')"
    ).fetchall()
    return time.perf_counter() - started, time.process_time() - cpu


def screen_seconds(directory: Path, out: Path, *, shared: bool = True) -> tuple[float, float, int]:
    con = ibis.duckdb.connect()
    t = {
        n: con.read_parquet(directory / f"{n}.parquet")
        for n in ("claims", "claim_lines", "persons", "providers")
    }
    pack = demo_pack(RULES)
    rules = {c: RULES[c] for c in pack.values}
    started = time.perf_counter()
    cpu = time.process_time()
    check_columns(t, rules)
    frame = build_frame(
        t["claims"], t["claim_lines"], t["persons"], t["providers"], demo_catalogue()
    )
    if shared:  # the joined frame and per-claim sums computed once, read by every rule
        frame = materialize(frame)
    con.to_parquet(run_rules(frame, rules, pack.values), out)
    elapsed = time.perf_counter() - started
    return elapsed, time.process_time() - cpu, pq.read_metadata(out).num_rows


def main(n: int = 10_000_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="yibao-bench-audit-") as tmp:
        d = Path(tmp)
        started = time.perf_counter()
        rows = province(d, n)
        gen = time.perf_counter() - started
        scan, scan_cpu = min(scan_seconds(d) for _ in range(2))
        unshared, unshared_cpu, _ = screen_seconds(d, d / "hits0.parquet", shared=False)
        screen, screen_cpu, hits = screen_seconds(d, d / "hits.parquet")
    out = {
        "audit_claim_lines": rows["claim_lines"],
        "audit_claims": rows["claims"],
        "audit_rules": len(demo_pack(RULES).values),
        "audit_generate_seconds": gen,
        "audit_screen_seconds": screen,
        "audit_hits": hits,
        "audit_lines_per_second": rows["claim_lines"] / screen,
        "audit_duckdb_scan_seconds": scan,
        "audit_screen_over_scan": screen / scan,
        # CPU seconds: on a shared machine the wall ratio moves with the other load
        "audit_screen_cpu_over_scan": screen_cpu / scan_cpu,
        # each rule re-reading and re-joining the inputs (before the shared frame)
        "audit_unshared_screen_seconds": unshared,
        "audit_unshared_cpu_over_scan": unshared_cpu / scan_cpu,
    }
    print(
        f"audit: {out['audit_claim_lines']:,} claim lines ({out['audit_claims']:,} claims), "
        f"{out['audit_rules']} rules in {screen:.1f} s ({out['audit_lines_per_second']:,.0f} "
        f"lines/s), {hits:,} hits; DuckDB scan {scan:.2f} s; ratio "
        f"{out['audit_screen_over_scan']:.1f}x, CPU {out['audit_screen_cpu_over_scan']:.1f}x; "
        f"without the shared frame {unshared:.1f} s, CPU "
        f"{out['audit_unshared_cpu_over_scan']:.1f}x (generation {gen:.0f} s)"
    )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
