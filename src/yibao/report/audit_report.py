"""The supervision HTML report: hits by rule and by provider, top anomalies explained."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import jinja2
import pyarrow as pa

from yibao.report import svg
from yibao.supervision.rules import Rule


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _wan_yuan(fen: int) -> str:
    return f"{fen / 1_000_000:,.1f}"  # display only


def render(
    hits: pa.Table,
    rules: Mapping[str, Rule],
    providers: Any,  # pandas DataFrame (no stubs)
    persons: Any,
    sample: list[str],
    meta: Mapping[str, Any],
    top: int = 20,
) -> str:
    h = hits.to_pandas()
    by_rule: list[dict[str, Any]] = []
    for code, rule in rules.items():
        mine = h[h.rule_code == code]
        by_rule.append(
            {
                "code": code,
                "name_en": rule.name_en,
                "name_zh": rule.name_zh,
                "basis": rule.basis,
                "hits": len(mine),
                "claims": int(mine.claim_id.nunique()),
                "providers": int(mine.provider_id.nunique()),
                "amount": _yuan(int(mine.amount_fen.sum())),
            }
        )
    by_provider = (
        h.groupby("provider_id")
        .agg(
            hits=("rule_code", "size"), rules=("rule_code", "nunique"), amount=("amount_fen", "sum")
        )
        .sort_values("hits", ascending=False)
        .head(top)
        .reset_index()
    )
    chart_rules = [r for r in by_rule if r["hits"]]
    rule_chart = (
        svg.hbar_chart(
            "Hits by rule",
            [str(r["code"]) for r in chart_rules],
            [int(r["hits"]) for r in chart_rules],
            lambda v: f"{v:,}",
            axis_label="hits",
            desc="number of hits of each rule",
        )
        if chart_rules
        else ""
    )
    prov_chart = (
        svg.hbar_chart(
            "Flagged amount by provider (10k yuan)",
            list(by_provider.provider_id),
            [int(v) for v in by_provider.amount],
            _wan_yuan,
            axis_label="万元",
            desc="amount put in question by the hits, per provider",
        )
        if len(by_provider)
        else ""
    )
    examples = (
        h.groupby("rule_code")
        .head(3)[["rule_code", "claim_id", "provider_id", "reason"]]
        .to_dict("records")
    )
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("yibao.report")
                .joinpath("templates", name)
                .read_text(encoding="utf-8")
            )
        ),
        autoescape=True,
    )
    cols = ["provider_id", "peer_group", "score", "rank", "explanation"]
    top_prov = providers.sort_values("score", ascending=False).head(top)
    top_pers = persons.sort_values("score", ascending=False).head(top)
    return env.get_template("audit.html.j2").render(
        meta=meta,
        by_rule=by_rule,
        by_provider=[
            {
                "provider_id": r.provider_id,
                "hits": int(r.hits),
                "rules": int(r.rules),
                "amount": _yuan(int(r.amount)),
            }
            for r in by_provider.itertuples()
        ],
        rule_chart=rule_chart,
        prov_chart=prov_chart,
        examples=examples,
        top_providers=top_prov[cols].to_dict("records") if len(top_prov) else [],
        top_persons=top_pers[["person_id", "score", "rank", "explanation"]].to_dict("records")
        if len(top_pers)
        else [],
        sample=sample,
    )
