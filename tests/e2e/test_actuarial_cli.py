"""``yibao warn``, ``yibao project`` and ``yibao pool simulate`` end to end through ``yibao.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_helpers import run


def test_warn_writes_table_json_and_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["warn", "--json", str(tmp_path / "w.json"), "--html", str(tmp_path / "w.html")], capsys
    )
    assert code == 0, err
    assert "levels:" in out
    data = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    assert data["year"] == 2025
    rows = data["rows"]
    assert {r["basis"] for r in rows} == {"actual", "budget", "in-year"}
    assert {r["level"] for r in rows} >= {"red", "normal"}
    # 12 prefectures × 2 funds × (actual, budget, in-year)
    assert len(rows) == 72
    html = (tmp_path / "w.html").read_text(encoding="utf-8")
    assert "<table>" in html and "months payable" in html


def test_warn_bad_history_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "h.yaml"
    bad.write_text(
        'funds:\n  - {region: "990100", fund: employee_pooled, year: 2024, income: "-5", expenditure: "1", balance: "1"}\n',
        encoding="utf-8",
    )
    code, _, err = run(["warn", "--history", str(bad)], capsys)
    assert code == 2
    assert f"{bad}:2: funds[0].income must not be negative" in err
    assert "Traceback" not in err


def test_project_writes_json_parquet_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "proj"
    code, _, err = run(
        [
            "project",
            "--out",
            str(out),
            "--paths",
            "200",
            "--seed",
            "3",
            "--scenario",
            "baseline",
            "--scenario",
            "retirees-contribute",
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads((out / "projection.json").read_text(encoding="utf-8"))
    names = [s["scenario"] for s in data["scenarios"]]
    assert names == ["baseline", "retirees-contribute"]
    fund = data["scenarios"][0]["funds"][0]
    assert fund["fund"] == "employee_pooled"
    assert abs(sum(fund["exhaustion_year_distribution"].values()) - 1) < 1e-3
    pref = fund["prefectures"]["990100"]
    assert len(pref["central"]["balance_fen"]) == 26  # 2025 … 2050
    assert all(isinstance(v, int) for v in pref["central"]["income_fen"])
    # retirees contributing raises employee income
    inc_base = fund["prefectures"]["990100"]["central"]["income_fen"][-1]
    inc_ret = data["scenarios"][1]["funds"][0]["prefectures"]["990100"]["central"]["income_fen"][-1]
    assert inc_ret > inc_base
    table = pq.read_table(out / "projection.parquet")
    assert table.num_rows == 2 * 2 * 12 * 26
    html = (out / "projection.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 8 and "<script" not in html
    # the same seed gives the same output
    run(
        [
            "project",
            "--out",
            str(tmp_path / "again"),
            "--paths",
            "200",
            "--seed",
            "3",
            "--scenario",
            "baseline",
            "--scenario",
            "retirees-contribute",
        ],
        capsys,
    )
    again = json.loads((tmp_path / "again" / "projection.json").read_text(encoding="utf-8"))
    assert again["scenarios"] == data["scenarios"]


def test_pool_simulate_transfers_and_balanced_journals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pool"
    code, stdout, err = run(
        [
            "pool",
            "simulate",
            "--out",
            str(out),
            "--paths",
            "200",
            "--scenario",
            "baseline",
            "--scenario",
            "adjustment-5pct",
            "--scenario",
            "unified",
            "--prefecture",
            "990500",
        ],
        capsys,
    )
    assert code == 0, err
    assert "all balanced: True" in stdout
    journals = json.loads((out / "journals.json").read_text(encoding="utf-8"))
    assert journals and all(j["balanced"] for j in journals)
    assert all(sum(p["amount_fen"] for p in j["postings"]) == 0 for j in journals)
    transfers = pq.read_table(out / "transfers.parquet").to_pydict()
    assert set(transfers["scenario"]) == {"adjustment-5pct"}
    assert {"remittance", "grant"} <= set(transfers["kind"])
    data = json.loads((out / "pool.json").read_text(encoding="utf-8"))
    by_name = {s["scenario"]: s for s in data["scenarios"]}
    assert list(by_name["baseline"]["funds"][0]["prefectures"]) == ["990500"]
    # pooling everything spreads the balances: fewer paths run dry than with prefecture pooling
    assert (
        by_name["unified"]["funds"][0]["p_any_prefecture_dry"]
        <= by_name["baseline"]["funds"][0]["p_any_prefecture_dry"]
    )
    assert "adjustment fund" in (out / "pool.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--prefecture", "123456"], "unknown prefecture '123456'"),
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--paths", "0"], "--paths must be at least 1"),
    ],
)
def test_bad_options_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(["project", "--out", str(tmp_path), *args], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_scenario_file_names_file_line_and_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "s.yaml"
    sc.write_text(
        "scenarios:\n  x:\n    set:\n      contributions.employer_rat: 0.08\n", encoding="utf-8"
    )
    code, _, err = run(
        ["pool", "simulate", "--out", str(tmp_path / "o"), "--scenarios", str(sc)], capsys
    )
    assert code == 2
    assert f"{sc}:4: scenario 'x': unknown parameter 'contributions.employer_rat'" in err


def test_project_with_cost_curves_from_synthetic_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "province"
    code, _, err = run(["synth", "--out", str(data), "--persons", "1500"], capsys)
    assert code == 0, err
    code, _, err = run(
        [
            "project",
            "--out",
            str(tmp_path / "p"),
            "--paths",
            "50",
            "--data",
            str(data),
            "--scenario",
            "baseline",
        ],
        capsys,
    )
    assert code == 0, err
    meta = json.loads((tmp_path / "p" / "projection.json").read_text(encoding="utf-8"))["meta"]
    assert "cells from settled claims" in meta["curves"]
