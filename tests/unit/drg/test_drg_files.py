"""Reading cases and writing results: CSV / Parquet, clear errors, atomic output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.payment.drg import DrgResult, Status
from yibao.payment.drg.files import parse_case, read_cases, write_results

ROW = ("c1", "1", "60", "", "", "5", "1", " G45.000 ", "E87.102| J96.000 |", "")


def test_parse_case_splits_codes_and_reads_numbers() -> None:
    case = parse_case(ROW, "row 1")
    assert case.sex == 1 and case.age_years == 60 and case.age_days is None
    assert case.main_dx == "G45.000"
    assert case.other_dx == ("E87.102", "J96.000")
    assert case.procedures == ()


def test_parse_case_accepts_whole_floats_from_parquet() -> None:
    values = ("c1", 1, 60.0, None, None, None, None, "G45.000", None, "47.0901|89.0300")
    case = parse_case(values, "row 1")
    assert (case.age_years, case.procedures) == (60, ("47.0901", "89.0300"))


@pytest.mark.parametrize(("column", "value"), [(2, "sixty"), (2, "60.5"), (1, "M"), (4, "nan")])
def test_non_numeric_value_names_row_column_and_value(column: int, value: str) -> None:
    values = list(ROW)
    values[column] = value
    with pytest.raises(InputError) as e:
        parse_case(values, "in.csv row 7")
    assert "in.csv row 7" in str(e.value) and repr(value) in str(e.value)


def test_missing_column(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_id,sex\n1,1\n", encoding="utf-8")
    _, batches = read_cases(src)
    with pytest.raises(InputError, match=r"missing column.*age_years"):
        list(batches)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported file type"):
        read_cases(tmp_path / "in.xlsx")
    with pytest.raises(InputError, match="no such file"):
        read_cases(tmp_path / "absent.csv")


def _results(fail_after: int | None = None) -> Iterator[list[DrgResult]]:
    yield [DrgResult("1", "MDCB", "BR2", "BR25", Status.GROUPED, "")]
    if fail_after is not None:
        raise InputError("in.csv row 2, column age_years: 'x' is not a whole number")


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_failed_write_leaves_nothing(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError):
        write_results(tmp_path / name, _results(fail_after=1))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_write_then_read_back(tmp_path: Path, name: str) -> None:
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    out = tmp_path / name
    assert write_results(out, _results()) == 1
    table = pv.read_csv(out) if name.endswith(".csv") else pq.read_table(out)
    assert table.column_names == ["case_id", "mdc", "adrg", "drg", "status", "reason"]
    assert [p.name for p in tmp_path.iterdir()] == [name]
