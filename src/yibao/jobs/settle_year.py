"""Settle a year of a province's claims from Parquet (批量结算作业).

Reads ``persons``, ``providers``, ``claims`` and ``claim_lines`` Parquet files (the shapes
``yibao synth`` writes), splits each line by the treatment region's catalogue, settles every
claim with the settlement kernel (``settle.table``) in the order DuckDB sorts them, and writes ``settlements.parquet``: one row per claim
with the parts under their national interface codes and the attributes reports group by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from yibao.errors import InputError
from yibao.io.output import atomic_write
from yibao.policy.catalogue import Catalogue
from yibao.policy.registry import PackRegistry
from yibao.settle.batch import catalogue_table, split_lines
from yibao.settle.table import TableSettler, empty_settlements

TABLES = ("persons", "providers", "claims", "claim_lines")

# The columns each province table must have (the shapes ``yibao synth`` writes), and their
# kinds: "text", "date" or "int" (fen, counts). Other columns are ignored.
REQUIRED: dict[str, dict[str, str]] = {
    "persons": {
        "person_id": "text",
        "sex": "text",
        "birth_date": "date",
        "scheme": "text",
        "person_type": "text",
        "assistance_category": "text",
        "insured_region": "text",
        "account_balance_fen": "int",
    },
    "providers": {"provider_id": "text", "level": "text", "region": "text"},
    "claims": {
        "claim_id": "text",
        "person_id": "text",
        "provider_id": "text",
        "visit_type": "text",
        "route": "text",
        "admit_date": "date",
        "discharge_date": "date",
    },
    "claim_lines": {
        "claim_id": "text",
        "item_code": "text",
        "quantity": "int",
        "unit_price_fen": "int",
        "amount_fen": "int",
    },
}

Progress = Callable[[int, int], None]


def _kind_ok(t: pa.DataType, kind: str) -> bool:
    if pa.types.is_null(t):
        return True
    if kind == "text":
        return bool(
            pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t)
        )
    if kind == "date":
        return bool(pa.types.is_date(t) or pa.types.is_timestamp(t))
    return bool(pa.types.is_integer(t))


def check_province(directory: Path) -> None:
    """One line naming the first missing table, missing column or column of the wrong type."""
    for name, columns in REQUIRED.items():
        path = directory / f"{name}.parquet"
        if not path.exists():
            raise InputError(f"{path}: not found (expected the {name} table of a province)")
        schema = pq.read_schema(path)
        for column, kind in columns.items():
            if column not in schema.names:
                raise InputError(f"{path}: lacks column {column!r}")
            t = schema.field(column).type
            if not _kind_ok(t, kind):
                raise InputError(f"{path}: column {column!r} is {t}, expected {kind}")


def _check_references(con: Any, claims: Any, persons: Any, providers: Any) -> None:
    """Every claim names a known person and provider."""
    for other, column, what in (
        (persons, "person_id", "person"),
        (providers, "provider_id", "provider"),
    ):
        bad = con.execute(claims.anti_join(other, column).select("claim_id", column).limit(1))
        if len(bad):
            row = bad.iloc[0]
            raise InputError(f"claim {row['claim_id']}: unknown {what} {row[column]!r}")


@dataclass(frozen=True)
class YearResult:
    """What a settlement run produced."""

    settlements: pa.Table
    claims: int
    persons: int
    pack_by_region: dict[str, str]


def _read(con: Any, directory: Path, name: str) -> Any:
    path = directory / f"{name}.parquet"
    if not path.exists():
        raise InputError(f"{path}: not found (expected the {name} table of a province)")
    return con.read_parquet(str(path), table_name=name)


def region_packs(con: Any, registry: PackRegistry, persons: Any, providers: Any) -> dict[str, str]:
    """The policy pack of every region code in the data."""
    codes = set(con.execute(persons.select(r=persons.insured_region).distinct())["r"])
    codes |= set(con.execute(providers.select(r=providers.region).distinct())["r"])
    return {code: registry.by_region(code).id for code in sorted(codes)}


def split_claims(
    directory: Path, registry: PackRegistry, catalogue: Catalogue, year: int, con: Any
) -> tuple[Any, dict[str, str]]:
    """The claims of ``year`` with their split amounts and the attributes the kernel reads,
    ordered by person, settle date and claim id (an Ibis expression), and the region packs."""
    check_province(directory)
    persons, providers = _read(con, directory, "persons"), _read(con, directory, "providers")
    claims, lines = _read(con, directory, "claims"), _read(con, directory, "claim_lines")
    _check_references(con, claims, persons, providers)
    packs = region_packs(con, registry, persons, providers)
    region_map = ibis.memtable({"region": list(packs), "pack": list(packs.values())})
    people = persons.select(
        "person_id",
        "sex",
        "birth_date",
        "scheme",
        "person_type",
        "assistance_category",
        "insured_region",
        account_balance_fen=persons.account_balance_fen,
    )
    people = people.join(region_map, people.insured_region == region_map.region).select(
        people, insured_pack=region_map.pack
    )
    provs = providers.select("provider_id", "level", treatment_region=providers.region)
    provs = provs.join(region_map, provs.treatment_region == region_map.region).select(
        provs, treatment_pack=region_map.pack
    )
    c = claims.filter(claims.discharge_date.year() == year)
    c = c.join(people, "person_id").join(provs, "provider_id")
    c = c.select(
        "claim_id",
        "person_id",
        "provider_id",
        "visit_type",
        "route",
        "level",
        "scheme",
        "person_type",
        "sex",
        "birth_date",
        "assistance_category",
        "insured_region",
        "insured_pack",
        "treatment_pack",
        "account_balance_fen",
        "admit_date",
        settle_date=c.discharge_date,
    )
    c = c.cache()
    split = split_lines(con, lines, c, catalogue_table(catalogue.items.values()), registry, year)
    full = c.join(split, "claim_id").order_by(["person_id", "settle_date", "claim_id"])
    return full, packs


def settle_year(
    directory: Path,
    registry: PackRegistry,
    catalogue: Catalogue,
    year: int,
    con: Any = None,
    progress: Progress | None = None,
) -> YearResult:
    """Settle every claim of ``year`` found in ``directory``."""
    con = con or ibis.duckdb.connect()
    full, packs = split_claims(directory, registry, catalogue, year, con)
    settler = TableSettler(registry, year, carry=ATTRIBUTES)
    batches = con.to_pyarrow(full).to_batches(1 << 18)
    parts = []
    for i, batch in enumerate(batches):
        parts.append(settler.settle(batch))
        if progress:
            progress(i + 1, len(batches))
    table = pa.concat_tables(parts) if parts else empty_settlements(ATTRIBUTES)
    return YearResult(table, settler.claims, settler.persons, packs)


# The claim attributes reports group by, carried into the settlements.
ATTRIBUTES = ("scheme", "person_type", "visit_type", "level", "route", "insured_region")


def write_settlements(table: pa.Table, path: Path) -> None:
    """Write atomically: a temporary file renamed over the target."""
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def settle_year_spark(
    directory: Path,
    registry: PackRegistry,
    catalogue: Catalogue,
    year: int,
    con: Any = None,
    progress: Progress | None = None,
) -> YearResult:
    """:func:`settle_year` with the settlement on Spark (local mode): the lines are split with
    DuckDB as there, then every partition of persons runs the same kernel
    (``settle.spark``)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    from yibao.settle.spark import settle_spark, to_spark

    con = con or ibis.duckdb.connect()
    full, packs = split_claims(directory, registry, catalogue, year, con)
    claims = con.to_pyarrow(full)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("yibao-batch-settle")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        frame = to_spark(spark, claims)
        settled = settle_spark(frame, registry, year, ATTRIBUTES)
        table = pa.Table.from_batches(settled._collect_as_arrow())
    finally:
        spark.stop()
    if progress:
        progress(1, 1)
    if not table.num_rows:
        table = empty_settlements(ATTRIBUTES)
    table = table.sort_by(
        [("person_id", "ascending"), ("settle_date", "ascending"), ("claim_id", "ascending")]
    )
    persons = len(set(table.column("person_id").to_pylist()))
    return YearResult(table, table.num_rows, persons, packs)
