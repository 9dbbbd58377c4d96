"""Settle a year of a province's claims from Parquet (批量结算作业).

Reads ``persons``, ``providers``, ``claims`` and ``claim_lines`` Parquet files (the shapes
``yibao synth`` writes), splits each line by the treatment region's catalogue, settles every
claim with the batch engine on DuckDB, and writes ``settlements.parquet``: one row per claim
with the parts under their national interface codes and the attributes reports group by.
"""

from __future__ import annotations

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
from yibao.settle.batch import catalogue_table, settle_claims, split_lines

TABLES = ("persons", "providers", "claims", "claim_lines")


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


def settle_year(
    directory: Path, registry: PackRegistry, catalogue: Catalogue, year: int, con: Any = None
) -> YearResult:
    """Settle every claim of ``year`` found in ``directory``."""
    con = con or ibis.duckdb.connect()
    persons, providers = _read(con, directory, "persons"), _read(con, directory, "providers")
    claims, lines = _read(con, directory, "claims"), _read(con, directory, "claim_lines")
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
    full = c.join(split, "claim_id")
    settled = settle_claims(con, full, registry, year)
    attrs = c.select(
        "claim_id", "scheme", "person_type", "visit_type", "level", "route", "insured_region"
    )
    out = settled.join(attrs, "claim_id").order_by(["person_id", "settle_date", "claim_id"])
    table = con.to_pyarrow(out)
    n_persons = len(set(table.column("person_id").to_pylist())) if table.num_rows else 0
    return YearResult(table, table.num_rows, n_persons, packs)


def write_settlements(table: pa.Table, path: Path) -> None:
    """Write atomically: a temporary file renamed over the target."""
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))
