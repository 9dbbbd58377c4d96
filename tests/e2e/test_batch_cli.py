"""``yibao batch settle`` end to end on a small synthetic province: the settlements balance,
the funds pay, and bad province tables are refused in one line with nothing written."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cli_helpers import run

from yibao.synth import SynthConfig, generate_to_parquet


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate_to_parquet(SynthConfig(seed=11, year=2025, persons=400), out)
    return out


def _copy(province: Path, tmp: Path) -> Path:
    target = tmp / "p"
    shutil.copytree(province, target)
    return target


def test_settles_the_year(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["batch", "settle", str(province), "--out", str(tmp_path)], capsys)
    assert code == 0, err
    table = pq.read_table(tmp_path / "settlements.parquet")
    claims = pq.read_table(province / "claims.parquet")
    in_year = pc.sum(pc.equal(pc.year(claims["discharge_date"]), 2025)).as_py()
    assert table.num_rows == in_year > 0
    assert f"settled {in_year:,} claims" in out
    payers = ("fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    paid = pc.add(pc.add(table[payers[0]], table[payers[1]]), table[payers[2]])
    assert paid.to_pylist() == table["medfee_sumamt"].to_pylist()
    assert pc.sum(table["hifp_pay"]).as_py() > 0


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], out: Path, *words: str) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    message = " ".join(err.split())
    assert "Traceback" not in err
    for w in words:
        assert w in message, message
    assert not (out / "settlements.parquet").exists()


def test_missing_table(province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _copy(province, tmp_path)
    (p / "providers.parquet").unlink()
    out = tmp_path / "out"
    _refused(["batch", "settle", str(p), "--out", str(out)], capsys, out, "providers", "not found")


def test_missing_and_mistyped_columns(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _copy(province, tmp_path)
    persons = pq.read_table(p / "persons.parquet")
    pq.write_table(persons.drop_columns(["birth_date"]), p / "persons.parquet")
    out = tmp_path / "out"
    _refused(["batch", "settle", str(p), "--out", str(out)], capsys, out, "birth_date")
    i = persons.schema.get_field_index("account_balance_fen")
    text = persons["account_balance_fen"].cast(pa.string())
    pq.write_table(persons.set_column(i, "account_balance_fen", text), p / "persons.parquet")
    _refused(
        ["batch", "settle", str(p), "--out", str(out)], capsys, out, "account_balance_fen", "int"
    )


def test_unknown_person(province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _copy(province, tmp_path)
    claims = pq.read_table(p / "claims.parquet")
    ids = claims["person_id"].to_pylist()
    ids[0] = "NOBODY"
    i = claims.schema.get_field_index("person_id")
    pq.write_table(claims.set_column(i, "person_id", pa.array(ids)), p / "claims.parquet")
    out = tmp_path / "out"
    _refused(
        ["batch", "settle", str(p), "--out", str(out)], capsys, out, "unknown person", "NOBODY"
    )


def test_date_outside_every_policy_version(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _copy(province, tmp_path)
    claims = pq.read_table(p / "claims.parquet")
    day = pa.array([date(1901, 6, 1)] * claims.num_rows, pa.date32())
    for name in ("admit_date", "discharge_date"):
        i = claims.schema.get_field_index(name)
        claims = claims.set_column(i, name, day)
    pq.write_table(claims, p / "claims.parquet")
    out = tmp_path / "out"
    _refused(
        ["batch", "settle", str(p), "--out", str(out), "--year", "1901"],
        capsys,
        out,
        "no value for",
        "1901",
    )
