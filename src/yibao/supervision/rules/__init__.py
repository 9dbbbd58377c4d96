"""The rule library (规则库): every rule by code, the frame they read, and running them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from yibao.errors import InputError
from yibao.policy.catalogue import Catalogue
from yibao.supervision.rules import claim_rules, line_rules, norm_rules
from yibao.supervision.rules.base import HIT_COLUMNS, HIT_SCHEMA, Frame, Param, Rule

RULES: Mapping[str, Rule] = {
    r.code: r for r in (*line_rules.RULES, *claim_rules.RULES, *norm_rules.RULES)
}

__all__ = [
    "HIT_COLUMNS",
    "HIT_SCHEMA",
    "RULES",
    "Frame",
    "Param",
    "Rule",
    "build_frame",
    "check_columns",
    "run_rules",
]


CATALOGUE_SCHEMA = pa.schema(
    [
        ("cat_code", pa.string()),
        ("item_class", pa.string()),
        ("item_kind", pa.string()),
        ("price_cap_fen", pa.int64()),
        ("cat_sex", pa.string()),
        ("min_age", pa.int64()),
        ("max_age", pa.int64()),
        ("visit_types", pa.string()),
    ]
)


def catalogue_table(catalogue: Catalogue) -> ir.Table:
    items = list(catalogue.items.values())
    # No nulls in the memtable: PySpark (via pandas) turns a null text into "NaN". Absent
    # restrictions are "" / -1 here and become nulls again in build_frame.
    return ibis.memtable(
        pa.table(
            {
                "cat_code": [i.code for i in items],
                "item_class": [i.item_class.value for i in items],
                "item_kind": [i.kind.value for i in items],
                "price_cap_fen": [-1 if i.price_cap is None else i.price_cap for i in items],
                "cat_sex": ["" if i.sex is None else i.sex.value for i in items],
                "min_age": [-1 if i.min_age is None else i.min_age for i in items],
                "max_age": [-1 if i.max_age is None else i.max_age for i in items],
                "visit_types": [
                    ""
                    if i.visit_types is None
                    else "|".join(sorted(v.value for v in i.visit_types))
                    for i in items
                ],
            },
            schema=CATALOGUE_SCHEMA,
        )
    )


# Columns the joined frame itself reads, whatever rules run.
FRAME_NEEDS: Mapping[str, tuple[str, ...]] = {
    "claims": (
        "claim_id",
        "person_id",
        "provider_id",
        "visit_type",
        "admit_date",
        "discharge_date",
        "los_days",
        "main_dx",
        "other_dx",
    ),
    "claim_lines": ("claim_id", "line_no", "item_code", "quantity", "unit_price_fen", "amount_fen"),
    "persons": ("person_id", "sex", "birth_date", "enrolled_from", "enrolled_to", "insured_region"),
    "providers": ("provider_id", "level", "kind", "region"),
}


def check_columns(tables: Mapping[str, ir.Table], rules: Mapping[str, Rule]) -> None:
    """An :class:`InputError` naming the first table column a selected rule needs but lacks."""
    for table, columns in FRAME_NEEDS.items():
        have = set(tables[table].columns)
        for col in columns:
            if col not in have:
                needed = [r.code for r in rules.values() if col in r.needs.get(table, ())]
                who = f"rule {needed[0]}" if needed else "the screening frame"
                raise InputError(f"{table}: missing column {col!r} needed by {who}")
    for rule in rules.values():
        for table, columns in rule.needs.items():
            have = set(tables[table].columns)
            for col in columns:
                if col not in have:
                    raise InputError(f"{table}: missing column {col!r} needed by rule {rule.code}")


def build_frame(
    claims: ir.Table,
    lines: ir.Table,
    persons: ir.Table,
    providers: ir.Table,
    catalogue: Catalogue,
) -> Frame:
    """Join persons and providers onto claims, and claims and the catalogue onto lines."""
    pe = persons.select(
        "person_id", "sex", "birth_date", "enrolled_from", "enrolled_to", "insured_region"
    )
    pr = providers.select(
        "provider_id", "level", provider_kind=providers.kind, provider_region=providers.region
    )
    c = claims.join(pe, "person_id").join(pr, "provider_id")
    a, b = c.admit_date, c.birth_date
    before_birthday = (a.month() * 100 + a.day()) < (b.month() * 100 + b.day())
    c = c.mutate(age=(a.year() - b.year() - before_birthday.cast("int64")).cast("int64"))
    keep = [
        "claim_id",
        "person_id",
        "provider_id",
        "visit_type",
        "admit_date",
        "discharge_date",
        "los_days",
        "main_dx",
        "other_dx",
        "sex",
        "age",
        "level",
        "provider_kind",
        "provider_region",
    ]
    cat = catalogue_table(catalogue)
    ln = lines.join(c.select(*keep), "claim_id")
    ln = ln.left_join(cat, ln.item_code == cat.cat_code)
    ln = ln.mutate(
        price_cap_fen=ln.price_cap_fen.nullif(-1),
        cat_sex=ln.cat_sex.nullif(""),
        min_age=ln.min_age.nullif(-1),
        max_age=ln.max_age.nullif(-1),
        visit_types=ln.visit_types.nullif(""),
    )
    return Frame(claims=c, lines=ln, providers=providers)


def run_rules(
    frame: Frame, rules: Mapping[str, Rule], values: Mapping[str, Mapping[str, Any]]
) -> ir.Table:
    """The union of all selected rules' hits (one Ibis expression)."""
    parts = [rule.run(frame, values[code]) for code, rule in rules.items()]
    if not parts:
        return ibis.memtable({c: [] for c in HIT_COLUMNS}, schema=HIT_SCHEMA)
    return ibis.union(*parts)
