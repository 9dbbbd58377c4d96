"""``yibao scenarios run`` end to end: exit 0 when all match, 1 on a mismatch, 2 on a bad file."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import ROOT, yibao

SCENARIOS = ROOT / "tests" / "scenarios"
NINGBO = SCENARIOS / "ningbo-2023-resident-adult-tier3.yaml"


def test_all_examples_pass() -> None:
    r = yibao("scenarios", "run", SCENARIOS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "13 run" in r.stdout and "0 mismatch(es), 0 error(s)" in r.stdout


def test_mismatch_exits_1_with_a_diff(tmp_path: Path) -> None:
    bad = tmp_path / "wrong.yaml"
    bad.write_text(
        NINGBO.read_text(encoding="utf-8").replace("pooled_fund: 13160 ", "pooled_fund: 13161 "),
        encoding="utf-8",
    )
    r = yibao("scenarios", "run", NINGBO, bad)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "mismatches" in r.stdout
    assert "hifp_pay" in r.stdout and "13,161.00" in r.stdout and "13,160.00" in r.stdout


def test_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        NINGBO.read_text(encoding="utf-8").replace("      cash: 8840 ", "      cassh: 8840 "),
        encoding="utf-8",
    )
    r = yibao("scenarios", "run", bad, NINGBO)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1
    assert "bad.yaml" in errors[0] and "cassh" in errors[0]
    assert "1 run" in r.stdout  # the good file still ran


def test_missing_path_is_an_error() -> None:
    r = yibao("scenarios", "run", "no/such/dir")
    assert r.returncode == 2 and "no/such/dir: no such file or directory" in r.stderr
