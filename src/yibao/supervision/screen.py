"""Screening a year of claims: all rules of a pack, then provider and person scores.

Takes Ibis tables (from Parquet, DuckDB or Spark); does no file I/O itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from yibao.policy.catalogue import Catalogue
from yibao.supervision.anomaly import Scores, person_scores, provider_scores
from yibao.supervision.pack import RulePack
from yibao.supervision.rules import (
    RULES,
    Rule,
    build_frame,
    check_columns,
    materialize,
    run_rules,
)

TABLES = ("claims", "claim_lines", "persons", "providers")


@dataclass(frozen=True)
class Screening:
    hits: pa.Table
    providers: Scores
    persons: Scores
    rules: Mapping[str, Rule]
    claims: int
    lines: int


def selected_rules(pack: RulePack) -> dict[str, Rule]:
    return {code: RULES[code] for code in pack.values}


def screen(
    tables: Mapping[str, ir.Table], pack: RulePack, catalogue: Catalogue, *, scores: bool = True
) -> Screening:
    """Run every rule of ``pack``; with ``scores``, the provider and person anomaly scores."""
    rules = selected_rules(pack)
    check_columns(tables, rules)
    frame = materialize(
        build_frame(
            tables["claims"],
            tables["claim_lines"],
            tables["persons"],
            tables["providers"],
            catalogue,
        )
    )
    hits_expr = run_rules(frame, rules, pack.values)
    hits = hits_expr.to_pyarrow()
    hits = hits.sort_by([("rule_code", "ascending"), ("claim_id", "ascending")])
    n_claims = int(tables["claims"].count().to_pyarrow().as_py())
    n_lines = int(tables["claim_lines"].count().to_pyarrow().as_py())
    if scores:
        import ibis

        mem = ibis.memtable(hits)
        prov = provider_scores(frame, mem, list(rules))
        pers = person_scores(frame, mem)
    else:
        empty = Scores(pd.DataFrame(), pd.DataFrame())
        prov = pers = empty
    return Screening(hits, prov, pers, rules, n_claims, n_lines)
