"""The batch settlement runs unchanged on Spark (PySpark, local mode) and gives DuckDB's fen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import pytest

from yibao.policy.registry import shipped_packs
from yibao.settle.batch import settle_claims
from yibao.synth.presplit import presplit_claims

YEAR = 2025


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("yibao-settlement-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.slow
def test_spark_settles_a_year_exactly_as_duckdb(spark: Any) -> None:
    claims = presplit_claims(2000, seed=7)
    duck = ibis.duckdb.connect()
    expected = duck.execute(
        settle_claims(duck, duck.create_table("claims", claims), shipped_packs(), YEAR)
    )
    # rows, not pandas: pandas would turn missing assistance categories into the text "NaN"
    spark.createDataFrame(claims.to_pylist()).createOrReplaceTempView("claims")
    con = ibis.pyspark.connect(spark)
    got = con.execute(settle_claims(con, con.table("claims"), shipped_packs(), YEAR))
    key = ["claim_id"]
    expected = expected.sort_values(key).reset_index(drop=True)
    got = got.sort_values(key).reset_index(drop=True)
    assert len(got) == len(expected) == 2000
    assert expected["hifp_pay"].sum() > 0 and expected["maf_pay"].sum() > 0
    for column in expected.columns:
        if column != "settle_date":
            assert [int(v) if not isinstance(v, str) else v for v in got[column]] == [
                int(v) if not isinstance(v, str) else v for v in expected[column]
            ], column
