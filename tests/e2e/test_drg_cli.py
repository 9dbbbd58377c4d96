"""``yibao drg group`` and ``yibao drg explain`` end to end, through ``yibao.cli.main``."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_helpers import run

HEADER = (
    "case_id,sex,age_years,age_days,weight_g,los_days,discharge_status,main_dx,other_dx,procedures"
)
ROWS = [
    "a1,1,60,,,5,1,K35.800x001,I10.x00x002,47.0901",
    "a2,2,71,,,9,1,G45.000,I10.x00x002|J96.000,",
    "a3,3,60,,,5,1,G45.000,,",
    "a4,1,0,3,1800,12,1,P07.300,,",
    "a5,1,30,,,4,1,N80.000,,",
]


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_group_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = write_csv(tmp_path / "in.csv", ROWS), tmp_path / "out.csv"
    code, stdout, _ = run(
        ["drg", "group", "--scheme", "chs-drg-1.1", str(src), "-o", str(out)], capsys
    )
    assert code == 0
    assert "5 cases" in stdout
    rows = read_rows(out)
    assert list(rows[0]) == ["case_id", "mdc", "adrg", "drg", "status", "reason"]
    got = {r["case_id"]: (r["mdc"], r["adrg"], r["drg"], r["status"]) for r in rows}
    assert got == {
        "a1": ("MDCG", "GD2", "GD25", "GROUPED"),
        "a2": ("MDCB", "BR2", "BR21", "GROUPED"),
        "a3": ("0000", "00", "0000", "CHECK_FAILED"),
        "a4": ("MDCP", "PS2", "PS25", "GROUPED"),
        "a5": ("0000", "00", "0000", "UNGROUPABLE"),
    }
    assert "sex=3" in rows[2]["reason"]


def test_group_parquet_in_and_out_with_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = HEADER.split(",")
    records = [dict(zip(columns, r.split(","), strict=True)) for r in ROWS]
    table = pa.table({c: [r[c] or None for r in records] for c in columns})
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    code, _, _ = run(["drg", "group", str(src), "-o", str(out), "--explain"], capsys)
    assert code == 0
    result = pq.read_table(out).to_pylist()
    assert [r["drg"] for r in result] == ["GD25", "BR21", "0000", "PS25", "0000"]
    assert "ADRG GD2" in result[0]["path"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["b1,1,sixty,,,5,1,G45.000,,"], "line 2, column age_years: 'sixty'"),
        ([*ROWS, "b2,1,40,,,x5,1,G45.000,,"], "line 7, column los_days: 'x5'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    src, out = write_csv(tmp_path / "in.csv", lines), tmp_path / "out.csv"
    code, _, err = run(["drg", "group", str(src), "-o", str(out)], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_missing_column_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_id,sex,age_years\n1,1,60\n", encoding="utf-8")
    code, _, err = run(["drg", "group", str(src), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 2
    assert "missing column(s)" in err and "main_dx" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["drg", "group", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "o.csv")], capsys
    )
    assert code == 2
    assert "absent.csv: no such file" in err


def test_explain_prints_each_step(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["drg", "explain", "--sex", "1", "--age", "60", "--main-dx", "G45.000"]
    code, stdout, _ = run([*argv, "--other-dx", "G40.100"], capsys)
    assert code == 0
    assert stdout.startswith("GROUPED: MDC MDCB  ADRG BR2  DRG BR25")
    assert "excluded by table 69" in stdout
    assert "1. MDCA" in stdout and "2. MDCB" in stdout
    assert "(excluded by table 69 of main_dx G45.000: G40.100)" in stdout


def test_group_with_a_regional_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Yantai 2023: an appendectomy on a stroke admission is the ambiguous group BQY; a newborn
    # without the birth weight its MDCP rule needs is refused, not grouped.
    rows = ["y1,1,60,,,5,1,G45.000,,47.0100", "y2,1,0,3,,5,1,P07.300,,"]
    src, out = write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    code, stdout, _ = run(
        ["drg", "group", "--scheme", "yantai-2023", str(src), "-o", str(out), "--explain"], capsys
    )
    assert code == 0
    assert "1 AMBIGUOUS" in stdout and "1 CHECK_FAILED" in stdout
    first, second = read_rows(out)
    assert (first["adrg"], first["drg"], first["status"]) == ("QY", "BQY", "AMBIGUOUS")
    assert second["status"] == "CHECK_FAILED" and "weight_g missing" in second["reason"]
