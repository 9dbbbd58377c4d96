"""Reform benchmark: re-settling a year under a reform (the baseline and the reform settled,
then compared) against one batch settlement of the same claims, in the same run.

The province is synthetic (about five claims per person); the reform is the shipped example
that cuts the level-1 deductible from 1 July. The issue's goal is a reform of 10 M claims in
at most 3× one batch settlement.

Run: ``BENCH_ONLY=reform BENCH_REFORM_CLAIMS=1000000 make bench`` (default 200,000 claims),
or ``python -m bench.bench_reform N``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from yibao.actuarial.history import parse_history
from yibao.actuarial.params import parse_thresholds
from yibao.jobs.reform_year import run_reform, write_outputs
from yibao.jobs.settle_year import settle_year
from yibao.policy.catalogue import demo_catalogue
from yibao.policy.registry import shipped_packs
from yibao.reform.overlay import parse_reform
from yibao.synth import SynthConfig, generate_to_parquet

YEAR = 2025
CLAIMS_PER_PERSON = 5  # what the synthetic province draws, near enough


def _text(package: str, name: str) -> str:
    return (resources.files(package) / name).read_text(encoding="utf-8")


def main(n: int = 200_000) -> dict[str, Any]:
    registry, catalogue = shipped_packs(), demo_catalogue()
    reform = parse_reform(
        _text("yibao.reform.examples", "cut-level1-deductible.yaml"), "cut-level1-deductible.yaml"
    )
    history, _ = parse_history(_text("yibao.actuarial.assumptions", "demo-history.yaml"))
    thresholds = parse_thresholds(_text("yibao.actuarial.assumptions", "warning.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        province = Path(tmp) / "province"
        config = SynthConfig(persons=max(1, n // CLAIMS_PER_PERSON), year=YEAR)
        generate_to_parquet(config, province)
        claims = pq.ParquetFile(province / "claims.parquet").metadata.num_rows
        started = time.perf_counter()
        settle_year(province, registry, catalogue, YEAR)
        batch = time.perf_counter() - started
        started = time.perf_counter()
        run = run_reform(province, reform, registry, catalogue, history, thresholds, YEAR)
        total = time.perf_counter() - started
        started = time.perf_counter()
        write_outputs(run, Path(tmp) / "out", {})
        written = time.perf_counter() - started
    out = {
        "reform_claims": claims,
        "reform_persons": config.persons,
        "batch_seconds": batch,
        "reform_seconds": total,
        "reform_steps_seconds": dict(run.seconds),
        "reform_write_seconds": written,
        "reform_over_batch": total / batch,
    }
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in run.seconds.items())
    print(
        f"reform: {claims:,} claims in {total:.1f} s ({steps}); one batch settlement "
        f"{batch:.1f} s; ratio {total / batch:.2f}x; writing the outputs {written:.1f} s"
    )
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
