"""The settlement kernel runs on Spark (PySpark, local mode) and gives the DuckDB path's fen."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from yibao.policy.registry import shipped_packs
from yibao.settle.spark import settle_spark, to_spark
from yibao.settle.table import settle_table
from yibao.synth.presplit import presplit_claims

YEAR = 2025
CLAIMS = 100_000


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers import yibao from this venv

    session = (
        SparkSession.builder.master("local[2]")
        .appName("yibao-settlement-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
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
    claims = presplit_claims(CLAIMS, seed=7)
    expected = settle_table(claims, shipped_packs(), YEAR).sort_by("claim_id")
    frame = to_spark(spark, claims)
    got = pa.Table.from_batches(
        settle_spark(frame, shipped_packs(), YEAR, partitions=4)._collect_as_arrow()
    ).sort_by("claim_id")
    assert got.num_rows == expected.num_rows == CLAIMS
    assert pa.compute.sum(expected["hifp_pay"]).as_py() > 0
    assert pa.compute.sum(expected["maf_pay"]).as_py() > 0
    for name in expected.column_names:
        if name != "settle_date":
            assert got[name].to_pylist() == expected[name].to_pylist(), name
