"""Re-settle a year under a reform (政策调整测算): baseline and reform in one run, compared.

Reads a province directory (the tables of ``yibao settle_year``, plus the persons'
``household_income_fen``), settles its year under the baseline and under the reform laid over
the chain, optionally rescales use by an elasticity and settles the reform again, compares,
and writes ``claims_delta.parquet``, ``persons_delta.parquet``, ``summary.json`` and
``report.html``. Every check on the input runs before the first settlement and nothing is
written until everything has been computed.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yibao.actuarial.params import Thresholds
from yibao.actuarial.warning import FundYear
from yibao.errors import InputError
from yibao.jobs.settle_year import settle_year, write_settlements
from yibao.policy.catalogue import Catalogue
from yibao.policy.registry import PackRegistry
from yibao.reform.behaviour import claim_factors, scale_lines, use_factors
from yibao.reform.compare import PERSON_COLUMNS, claim_deltas, person_deltas
from yibao.reform.distribution import annotate
from yibao.reform.overlay import Reform, affected_regions, check_year, lay_over
from yibao.reform.summary import ReformSummary, parameter_changes, summarise, summary_json
from yibao.report.output import write_report
from yibao.report.reform_report import render_reform_report

Progress = Callable[[str, int, int], None]

STEPS = ("baseline", "reform", "behaviour", "compare")


@dataclass(frozen=True)
class ReformRun:
    """What a run computed, and how long each step took (seconds)."""

    summary: ReformSummary
    claims: pa.Table  # per-claim deltas
    people: pa.Table  # per-person deltas with decile and CHE flags
    seconds: Mapping[str, float] = field(default_factory=dict)


def _path(directory: Path, name: str) -> Path:
    path = directory / f"{name}.parquet"
    if not path.exists():
        raise InputError(f"{path}: not found (expected the {name} table of a province)")
    return path


def read_persons(directory: Path) -> pa.Table:
    """The persons table with the columns the comparison needs."""
    path = _path(directory, "persons")
    names = pq.read_schema(path).names
    missing = [c for c in PERSON_COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"{path}: lacks column(s) {', '.join(missing)} (household_income_fen: annual "
            "per-capita household income in fen, needed for deciles and catastrophic spending)"
        )
    return pq.read_table(path, columns=list(PERSON_COLUMNS))


def data_regions(directory: Path, persons: pa.Table) -> list[str]:
    """Every region code of the data: insured regions and providers' regions."""
    providers = pq.read_table(_path(directory, "providers"), columns=["region"])
    codes = set(pc.unique(persons["insured_region"]).to_pylist())
    codes |= set(pc.unique(providers["region"]).to_pylist())
    return sorted(c for c in codes if c is not None)


def data_year(directory: Path) -> int:
    """The latest discharge year of the claims (the year to settle by default)."""
    path = _path(directory, "claims")
    latest = pc.max(pq.read_table(path, columns=["discharge_date"])["discharge_date"]).as_py()
    if not isinstance(latest, date):
        raise InputError(f"{path}: no claims")
    return latest.year


def _behaviour(
    directory: Path,
    deltas: pa.Table,
    reform: Reform,
    settle: Callable[[Path], pa.Table],
) -> tuple[pa.Table, int]:
    """The reform settled again over claims rescaled by the elasticity; persons rescaled."""
    factors = use_factors(deltas, reform.start, reform.elasticity.value)
    claims = claim_factors(deltas, factors, reform.start)
    lines = scale_lines(pq.read_table(_path(directory, "claim_lines")), claims)
    with tempfile.TemporaryDirectory(prefix="yibao-reform-") as tmp:
        scaled = Path(tmp)
        for name in ("persons", "providers", "claims"):
            (scaled / f"{name}.parquet").symlink_to(_path(directory, name).resolve())
        pq.write_table(lines, scaled / "claim_lines.parquet")
        return settle(scaled), factors.num_rows


def run_reform(
    directory: Path,
    reform: Reform,
    registry: PackRegistry,
    catalogue: Catalogue,
    history: Sequence[FundYear],
    thresholds: Mapping[str, Thresholds],
    year: int | None = None,
    progress: Progress | None = None,
) -> ReformRun:
    """Settle, re-settle and compare (no file is written here)."""
    persons = read_persons(directory)
    year = year if year is not None else data_year(directory)
    check_year(reform, year)
    regions = affected_regions(reform, registry, data_regions(directory, persons))
    reformed = lay_over(reform, registry, regions)
    seconds: dict[str, float] = {}

    def step(name: str, i: int, run: Callable[[], Any]) -> Any:
        if progress:
            progress(name, i, len(STEPS))
        started = time.perf_counter()
        result = run()
        seconds[name] = time.perf_counter() - started
        return result

    def settle(under: PackRegistry) -> Callable[[Path], pa.Table]:
        return lambda d: settle_year(d, under, catalogue, year).settlements

    base = step("baseline", 0, lambda: settle(registry)(directory))
    after = step("reform", 1, lambda: settle(reformed)(directory))
    rescaled = 0
    if reform.elasticity.value != 0:
        static = claim_deltas(base, after)
        after, rescaled = step(
            "behaviour", 2, lambda: _behaviour(directory, static, reform, settle(reformed))
        )

    def compare() -> tuple[pa.Table, pa.Table, ReformSummary]:
        deltas = claim_deltas(base, after)
        people = annotate(person_deltas(deltas, persons))
        changes = parameter_changes(reform, registry, reformed, regions)
        summary = summarise(reform, year, changes, deltas, people, rescaled, history, thresholds)
        return deltas, people, summary

    deltas, people, summary = step("compare", 3, compare)
    return ReformRun(summary, deltas, people, seconds)


def write_outputs(run: ReformRun, out: Path, meta: Mapping[str, str]) -> dict[str, Path]:
    """Write the four outputs into ``out``, each atomically."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "claims": out / "claims_delta.parquet",
        "persons": out / "persons_delta.parquet",
        "summary": out / "summary.json",
        "report": out / "report.html",
    }
    write_settlements(run.claims, paths["claims"])
    write_settlements(run.people, paths["persons"])
    payload = summary_json(run.summary) | {"seconds": dict(run.seconds)}
    write_report(paths["summary"], json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    write_report(paths["report"], render_reform_report(run.summary, meta))
    return paths
