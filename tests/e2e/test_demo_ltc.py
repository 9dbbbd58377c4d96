"""``yibao demo`` gains the LTC fund: assessments and care providers written, a report section."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from yibao.jobs.demo import run_demo
from yibao.policy.registry import shipped_packs
from yibao.synth import SynthConfig


def test_demo_writes_the_ltc_year(tmp_path: Path) -> None:
    result = run_demo(tmp_path, shipped_packs(), SynthConfig(seed=3, year=2025, persons=1500))
    ltc = result.ltc
    assert ltc is not None and ltc.assessed > 0
    rows = pq.read_table(tmp_path / "province" / "ltc_assessments.parquet").num_rows
    assert rows == ltc.assessed
    assert pq.read_table(tmp_path / "province" / "ltc_providers.parquet").num_rows == 36
    html = result.report.read_text(encoding="utf-8")
    assert "长期护理保险" in html and "balance of the year" in html
