"""The rule library on Spark gives the same hits as on DuckDB (a seeded synthetic province).

Spark plans the 22-rule union slowly in local mode (about 90 s here), so this runs only with
``YIBAO_SPARK_PARITY=1``; it passed on 127 hits of a 600-person province seeded at 5 %.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import ibis
import pytest

from yibao.policy.catalogue import demo_catalogue
from yibao.supervision.pack import demo_pack
from yibao.supervision.rules import RULES, build_frame, run_rules
from yibao.synth import SynthConfig
from yibao.synth.fraud import seed_fraud
from yibao.synth.generate import generate

NAMES = ("claims", "claim_lines", "persons", "providers")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("YIBAO_SPARK_PARITY") != "1", reason="set YIBAO_SPARK_PARITY=1"
    ),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("yibao-supervision-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


def _hits(tables: dict[str, Any], run: Any) -> list[str]:
    frame = build_frame(
        tables["claims"],
        tables["claim_lines"],
        tables["persons"],
        tables["providers"],
        demo_catalogue(),
    )
    return sorted(
        str(sorted(r.items())) for r in run(run_rules(frame, RULES, demo_pack(RULES).values))
    )


def test_spark_and_duckdb_find_the_same_hits(spark: Any) -> None:
    data = generate(SynthConfig(seed=20250101, year=2025, persons=600))
    seeded = seed_fraud(data.tables(), 0.05, 3)
    duck = ibis.duckdb.connect()
    expected = _hits(
        {n: duck.create_table(n, seeded.tables[n]) for n in NAMES},
        lambda e: e.to_pyarrow().to_pylist(),
    )
    for n in NAMES:  # temporary views: nothing is written to a warehouse directory
        spark.createDataFrame(seeded.tables[n].to_pandas()).createOrReplaceTempView(f"sv_{n}")
    con = ibis.pyspark.connect(spark)
    got = _hits({n: con.table(f"sv_{n}") for n in NAMES}, lambda e: con.to_pyarrow(e).to_pylist())
    assert len(expected) > 50
    assert got == expected
