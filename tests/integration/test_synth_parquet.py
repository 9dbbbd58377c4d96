"""The synthetic province written as Parquet, in one piece or streamed chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from yibao.synth import SynthConfig, generate, generate_to_parquet, write_parquet
from yibao.synth.schema import TABLES

CONFIG = SynthConfig(seed=3, persons=4_000, chunk_persons=1_500)


def test_streamed_files_equal_the_in_memory_tables(tmp_path: Path) -> None:
    whole = write_parquet(generate(CONFIG), tmp_path / "whole")
    rows = generate_to_parquet(CONFIG, tmp_path / "streamed")
    for name, schema in TABLES.items():
        a = pq.read_table(whole[name])
        b = pq.read_table(tmp_path / "streamed" / f"{name}.parquet")
        assert a.schema.equals(schema) and b.schema.equals(schema), name
        assert a.equals(b), name
        assert rows[name] == a.num_rows


def test_files_join_up_in_duckdb(tmp_path: Path) -> None:
    generate_to_parquet(CONFIG, tmp_path)
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"create view {name} as select * from '{tmp_path / name}.parquet'")
    orphans = con.execute(
        """select
             (select count(*) from claims anti join persons using (person_id)),
             (select count(*) from claims anti join providers using (provider_id)),
             (select count(*) from claim_lines anti join claims using (claim_id)),
             (select count(*) from persons p where employer_id is not null
                and employer_id not in (select employer_id from employers))"""
    ).fetchone()
    assert orphans == (0, 0, 0, 0)


def test_cli_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from yibao.cli import main

    main(["synth", "--out", str(tmp_path), "--persons", "500", "--seed", "5"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.parquet" for n in TABLES)
    assert pq.read_table(tmp_path / "persons.parquet").num_rows == 500
    assert "claims.parquet" in capsys.readouterr().out


def test_cli_rejects_a_bad_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from yibao.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["synth", "--out", str(tmp_path), "--persons", "0"])
    assert exit_.value.code == 2
    assert "persons must be at least 1" in capsys.readouterr().err
