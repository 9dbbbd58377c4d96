"""The main job (``yibao demo``): synthesise a province, settle its year, report on it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yibao.jobs.settle_year import YearResult, settle_year, write_settlements
from yibao.ltc.benefit import shipped_pack
from yibao.ltc.financing import QINGDAO_2018
from yibao.ltc.synth import LtcYear, ltc_year
from yibao.policy.catalogue import demo_catalogue
from yibao.policy.registry import PackRegistry
from yibao.report import render_settlement_report, summarise, write_report
from yibao.report.settlement_report import ReportMeta, SettlementSummary
from yibao.synth import SynthConfig, generate_to_parquet

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its outputs and what it measured."""

    data_dir: Path
    settlements: Path
    report: Path
    year: YearResult
    summary: SettlementSummary
    synth_seconds: float
    settle_seconds: float
    ltc: LtcYear | None = None


def run_demo(
    out: Path, registry: PackRegistry, config: SynthConfig, progress: Progress | None = None
) -> DemoResult:
    """synth → batch settlement of the year → ``settlements.parquet`` and ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / "province"
    started = time.perf_counter()
    generate_to_parquet(config, data_dir, progress)
    synth_seconds = time.perf_counter() - started
    if progress:
        progress("settling the year", 0, 1)
    started = time.perf_counter()
    year = settle_year(data_dir, registry, demo_catalogue(), config.year)
    settle_seconds = time.perf_counter() - started
    settlements = out / "settlements.parquet"
    write_settlements(year.settlements, settlements)
    if progress:
        progress("writing the report", 1, 1)
    summary = summarise(year.settlements)
    meta: ReportMeta = {
        "title": f"Synthetic demo province: settlement of {config.year}",
        "year": config.year,
        "regions": {code: config.region_name(code) for code in config.prefectures},
        "policy_packs": sorted(set(year.pack_by_region.values())),
        "persons": config.persons,
        "run_time": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "run_seconds": settle_seconds,
        "seed": config.seed,
    }
    ltc = ltc_demo_year(data_dir, config)
    meta["ltc"] = ltc_meta(ltc, LTC_PACK)
    report = out / "report.html"
    write_report(report, render_settlement_report(summary, meta))
    return DemoResult(
        data_dir, settlements, report, year, summary, synth_seconds, settle_seconds, ltc
    )


LTC_PACK = "demo-province"


def ltc_demo_year(data_dir: Path, config: SynthConfig) -> LtcYear:
    """The province's LTC year (synthetic), its assessments and care providers as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    persons = pq.read_table(data_dir / "persons.parquet")
    ltc = ltc_year(persons, config.year, config.seed, shipped_pack(LTC_PACK), QINGDAO_2018)
    if ltc.assessments:
        pq.write_table(pa.Table.from_pylist(ltc.assessments), data_dir / "ltc_assessments.parquet")
    providers = {
        k: [p[i] for p in ltc.providers] for i, k in enumerate(("provider_id", "region", "form"))
    }
    pq.write_table(pa.table(providers), data_dir / "ltc_providers.parquet")
    return ltc


def ltc_meta(ltc: LtcYear, pack: str) -> dict[str, object]:
    """The LTC year as the report template reads it."""
    return {
        "pack": pack,
        "elderly": ltc.elderly,
        "assessed": ltc.assessed,
        "eligible": ltc.eligible,
        "bills": ltc.bills,
        "refused": ltc.refused,
        "not_covered": ltc.not_covered,
        "by_level": sorted(ltc.by_level.items()),
        "income": sorted(ltc.income.items()),
        "by_form": sorted(ltc.by_form.items()),
        "cost": ltc.cost,
        "balance": ltc.balance,
    }
