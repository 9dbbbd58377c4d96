"""``yibao ltc`` end to end: assess, settle into the ledger, reverse, finance, scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import ROOT, run

CASE = ROOT / "examples" / "ltc" / "case-qingdao.json"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("YIBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'y.db'}")
    assert run(["db", "upgrade"], capsys)[0] == 0


def test_assess_prints_totals_and_the_synthetic_label(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ltc", "assess", str(CASE), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["totals"] == {"adl": 25, "cognition": 8, "perception": 9}
    assert data["level"] == 4 and "SYNTHETIC" in data["note"]


@pytest.mark.usefixtures("db")
def test_settle_resend_reverse(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ltc", "settle", str(CASE), "--pack", "qingdao", "--json"], capsys)
    bills = json.loads(out)["bills"]
    assert code == 0 and [b["ltc_fund"] for b in bills] == ["1785.60", "1800.00"]
    assert "qdsdhly.cn" in bills[0]["trace"][0]
    code, out, _ = run(["ltc", "settle", str(CASE), "--pack", "qingdao", "--json"], capsys)
    assert [b["replayed"] for b in json.loads(out)["bills"]] == [True, True]
    argv = ["ltc", "reverse", "--provider", "QD-CARE-01", "--bill", "B2025-05-01"]
    assert run([*argv, "--day", "2025-07-01"], capsys)[0] == 0
    code, _, err = run([*argv, "--day", "2025-07-01"], capsys)
    assert code == 2 and "already reversed" in err and "Traceback" not in err


@pytest.mark.usefixtures("db")
def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = json.loads(CASE.read_text())
    case["assessment"]["scores"]["adl"]["eating"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(case))
    code, _, err = run(["ltc", "settle", str(bad), "--pack", "qingdao"], capsys)
    assert code == 2 and "adl.eating = 7 is not one of [0, 5, 10]" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(["ltc", "settle", str(CASE), "--pack", "nowhere"], capsys)
    assert code == 2 and "no LTC pack for region 'nowhere'" in err


@pytest.mark.usefixtures("db")
def test_finance_posts_the_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bases = tmp_path / "bases.json"
    bases.write_text(json.dumps({"P1": "7500", "P2": "3750"}))
    argv = ["ltc", "finance", "--region", "qingdao", "--month", "2025-05", "--bases", str(bases)]
    code, out, _ = run(argv, capsys)
    assert code == 0 and "pooled_transfer: 56.25" in out and "fiscal_subsidy: 5.00" in out
    assert "posted before" in run(argv, capsys)[1]


def test_scenarios_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ltc", "scenarios", str(ROOT / "tests" / "scenarios" / "ltc")], capsys)
    assert code == 0 and "9 scenarios, 0 failed" in err
