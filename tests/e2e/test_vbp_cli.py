"""``yibao vbp standards|monitor`` end to end on a synthetic round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import ROOT, run

ROUND = ROOT / "tests" / "unit" / "purchasing" / "data" / "round.yaml"


def test_standards_lists_the_dated_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["vbp", "standards", str(ROUND)], capsys)
    assert code == 0, err
    assert "4.25" in out and "3.50" in out and "2026-01-01" in out


def test_monitor_writes_the_retained_savings_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text("provider_id,day,code,quantity,amount\nH1,2025-03-01,XD0011,1000,2000.00\n")
    out_file = tmp_path / "journals.json"
    code, out, err = run(
        ["vbp", "monitor", str(ROUND), "--lines", str(lines), "--journals", str(out_file)], capsys
    )
    assert code == 0, err
    assert "syn-round" in out
    (j,) = json.loads(out_file.read_text())
    assert sorted(p["fen"] for p in j["postings"]) == [-245_000, 245_000]


def test_bad_round_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "round.yaml"
    bad.write_text(ROUND.read_text().replace("transition_years: 2", "transition_years: 9"))
    code, _, err = run(["vbp", "standards", str(bad)], capsys)
    assert code != 0 and "transition_years: 9" in err and len(err.strip().splitlines()) == 1
