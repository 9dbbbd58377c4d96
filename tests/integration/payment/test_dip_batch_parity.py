"""DIP liquidation: the scalar reference, Ibis on DuckDB and Ibis on Spark agree to the fen.

A few thousand cases drawn with a fixed seed: normal, low- and high-cost cases, long stays,
cases without a group (paid by item), three hospital levels and twelve months.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from yibao.payment.dip import DipCase, DipParams, YearStats, build_catalogue, liquidate
from yibao.payment.dip.batch import CASE_COLUMNS, liquidate_table
from yibao.payment.dip.catalogue import Catalogue
from yibao.payment.sharing import SharingRule

N_CASES = 3_000
DX = [f"D{i:02}.{j}00" for i in range(30) for j in range(3)]
PROCS = ["", "51.2301", "81.5401", "99.0401", "51.2301|51.2200"]


def _history(rng: random.Random) -> list[YearStats]:
    years = []
    for year in (2022, 2023, 2024):
        cells: dict[tuple[str, str], tuple[int, int]] = {}
        for dx in DX[:80]:
            for proc in PROCS[: rng.randint(1, len(PROCS))]:
                n = rng.randint(1, 30)
                cells[(f"{dx}/{proc}", f"{dx[:3]}:{'C' if not proc else 'S'}")] = (
                    n,
                    n * rng.randint(2_000_00, 40_000_00),
                )
        years.append(YearStats(year, cells, 5, 400, 400 * 60_000, _by_level(cells)))
    return years


def _by_level(cells: dict[tuple[str, str], tuple[int, int]]) -> dict[Any, tuple[int, int]]:
    """Split each cell over the levels without drawing (the draws above stay as they were):
    L3 the dearest, L1 the cheapest; some cells have no L1 cases (the fallback is used)."""
    out: dict[Any, tuple[int, int]] = {}
    for i, ((ck, comp), (n, cost)) in enumerate(sorted(cells.items())):
        if n < 3:
            continue  # no level split: cases here compare against the all-level mean
        n1 = 0 if i % 4 == 0 else n // 3
        n2 = n // 3
        n3 = n - n1 - n2
        mean = cost // n
        c1, c2 = n1 * mean * 8 // 10, n2 * mean
        out[(ck, comp, "L3")] = (n3, cost - c1 - c2)
        if n1:
            out[(ck, comp, "L1")] = (n1, c1)
        out[(ck, comp, "L2")] = (n2, c2)
    return out


def _cases(rng: random.Random) -> list[DipCase]:
    out = []
    for i in range(N_CASES):
        dx, proc = rng.choice(DX), rng.choice(PROCS)
        level = rng.choice(["L1", "L2", "L3"])
        cost = rng.choice(
            [
                rng.randint(500_00, 5_000_00),
                rng.randint(2_000_00, 30_000_00),
                rng.randint(50_000_00, 200_000_00),
            ]
        )
        los = rng.choice([3, 7, 12, 65, 120]) if i % 50 == 0 else rng.randint(1, 30)
        paid = cost * rng.randint(10, 60) // 100
        other = cost * rng.randint(0, 10) // 100
        out.append(
            DipCase(
                f"c{i:05}",
                f"H{rng.randint(1, 25):02}",
                level,
                rng.randint(1, 12),
                f"{dx}/{proc}",
                f"{dx[:3]}:{'C' if not proc else 'S'}",
                cost,
                los,
                paid,
                other,
            )
        )
    return out


def _arrow(cases: list[DipCase]) -> pa.Table:
    cols: dict[str, list[Any]] = {c: [getattr(x, c) for x in cases] for c in CASE_COLUMNS}
    return pa.table(cols)


@pytest.fixture(scope="module")
def setup() -> tuple[Catalogue, list[DipCase], DipParams]:
    rng = random.Random(20261125)
    cat = build_catalogue(_history(rng), min_cases=20)
    cases = _cases(rng)
    params = DipParams(
        budget=sum(c.cost for c in cases) * 9 // 10 + 12_345,
        reserve_ratio=Decimal("0.05"),
        sharing=SharingRule(Decimal("0.8"), Decimal("0.5"), Decimal("0.2")),
    )
    return cat, cases, params


def _batch(
    con: Any, table: Any, cat: Catalogue, params: DipParams
) -> tuple[Any, dict[str, tuple[int, int]]]:
    out = liquidate_table(con, table, cat, params)
    rows = con.to_pyarrow(out.cases.select("case_id", "points", "payment")).to_pylist()
    return out.liquidation, {r["case_id"]: (int(r["points"]), int(r["payment"])) for r in rows}


def test_scalar_and_duckdb_agree(setup: tuple[Catalogue, list[DipCase], DipParams]) -> None:
    cat, cases, params = setup
    scalar = liquidate(cases, cat, params)
    con = ibis.duckdb.connect()
    batch, per_case = _batch(con, con.create_table("cases", _arrow(cases)), cat, params)
    kinds = {p.kind for p, _ in scalar.cases}
    assert kinds == {"normal", "low_cost", "high_cost", "extreme", "bed_day", "by_item"}
    bases = {p.basis for p, _ in scalar.cases}
    assert bases == {"level", "all_levels", ""}  # same-level standards and the fallback
    assert batch == scalar.__class__(**{**scalar.__dict__, "cases": ()})
    assert per_case == {p.case_id: (p.points, v) for p, v in scalar.cases}
    assert batch.check() == []


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("yibao-dip-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.slow
def test_spark_and_duckdb_agree_to_the_fen(
    setup: tuple[Catalogue, list[DipCase], DipParams], spark: Any
) -> None:
    cat, cases, params = setup
    duck = ibis.duckdb.connect()
    expected = _batch(duck, duck.create_table("cases", _arrow(cases)), cat, params)
    # a temporary view: nothing is written to a warehouse directory
    spark.createDataFrame(_arrow(cases).to_pandas()).createOrReplaceTempView("dip_cases")
    con = ibis.pyspark.connect(spark)
    got = _batch(con, con.table("dip_cases"), cat, params)
    assert got[0] == expected[0]
    assert got[1] == expected[1]


def test_extreme_cases_paid_by_points_agree(
    setup: tuple[Catalogue, list[DipCase], DipParams],
) -> None:
    """The other rule for cases under expert review: the high-cost factor, inside the point
    total. Scalar and DuckDB still agree, and the residual is still shared out exactly."""
    cat, cases, base = setup
    params = DipParams(**{**base.__dict__, "extreme_rule": "points"})
    scalar = liquidate(cases, cat, params)
    extreme = [(p, v) for p, v in scalar.cases if p.kind == "extreme"]
    assert extreme and all(p.points > 0 and p.factor_units > 40_000 for p, _ in extreme)
    assert scalar.by_item == sum(c.cost for c, (p, _) in zip(cases, scalar.cases, strict=True)
                                 if p.kind == "by_item")  # fmt: skip
    con = ibis.duckdb.connect()
    batch, per_case = _batch(con, con.create_table("cases", _arrow(cases)), cat, params)
    assert batch == scalar.__class__(**{**scalar.__dict__, "cases": ()})
    assert per_case == {p.case_id: (p.points, v) for p, v in scalar.cases}
    assert batch.check() == []
    assert sum(h.payment for h in batch.hospitals) + batch.reserve == batch.budget


def test_residual_is_shared_by_largest_remainder(
    setup: tuple[Catalogue, list[DipCase], DipParams],
) -> None:
    cat, cases, params = setup
    liq = liquidate(cases, cat, params)
    assert liq.residual != 0  # the fixture does leave a rounding residual to share
    assert sum(h.rounding for h in liq.hospitals) == liq.residual
    distributable = liq.budget - liq.reserve - liq.by_item
    for h in liq.hospitals:  # each share is its exact quota, floored or one fen above it
        by_item = sum(c.cost for c, (p, _) in zip(cases, liq.cases, strict=True)
                      if c.provider_id == h.provider_id and p.kind in ("by_item", "extreme"))  # fmt: skip
        quota = h.points * distributable // liq.total_points
        assert 0 <= h.payment - by_item - quota <= 1
        assert abs(h.rounding) <= max(5, h.cases)  # a few fen per hospital at most
