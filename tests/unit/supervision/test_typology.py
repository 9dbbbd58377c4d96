"""Fraud from the typologies and the norm rules that look for it (issue 15)."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
import pytest

from yibao.policy.catalogue import demo_catalogue
from yibao.supervision.pack import demo_pack
from yibao.supervision.rules import RULES
from yibao.supervision.screen import screen
from yibao.supervision.typology_eval import evaluate_typology, top_k_precision
from yibao.synth import SynthConfig
from yibao.synth.generate import generate
from yibao.synth.typology import FAMILIES, SOURCES, inject_typology


@pytest.fixture(scope="module")
def clean() -> dict[str, pa.Table]:
    return generate(SynthConfig(seed=20250101, year=2025, persons=3000)).tables()


def _screen(tables: dict[str, pa.Table]) -> Any:
    mem = {k: ibis.memtable(v) for k, v in tables.items()}
    return screen(mem, demo_pack(RULES), demo_catalogue())


def _hits(result: Any, code: str) -> list[dict[str, Any]]:
    return [h for h in result.hits.to_pylist() if h["rule_code"] == code]


def test_every_family_cites_a_source_and_is_injected(clean: dict[str, pa.Table]) -> None:
    assert all("735" in SOURCES[f][1] for f in FAMILIES)
    inj = inject_typology(clean, 0.3, 5)
    labels = inj.labels.to_pylist()
    assert {r["pattern"] for r in labels} == set(FAMILIES)
    assert {r["variant"] for r in labels} == {"textbook", "subtle"}
    claim_ids = set(inj.tables["claims"].column("claim_id").to_pylist())
    assert {r["claim_id"] for r in labels} <= claim_ids
    # altered claims differ from the clean ones; fabricated ones are new
    before = {r["claim_id"]: r for r in clean["claim_lines"].to_pylist()}
    old_ids = set(clean["claims"].column("claim_id").to_pylist())
    fabricated = {"FABRICATED_ADMISSION", "IDENTITY_HARVEST", "INDUCED_ADMISSION"}
    assert all(r["claim_id"] not in old_ids for r in labels if r["pattern"] in fabricated)
    assert before  # the clean province has lines to alter


def _with_line_price(tables: dict[str, pa.Table], factor: float) -> tuple[dict[str, pa.Table], str]:
    """The first inpatient bed line (a service at the government price) priced × factor."""
    lines = tables["claim_lines"].to_pandas()
    ip = set(
        tables["claims"]
        .filter(pa.compute.equal(tables["claims"]["visit_type"], "inpatient"))["claim_id"]
        .to_pylist()
    )
    i = lines.index[lines.claim_id.isin(ip) & lines.item_code.isin(["XS0001", "XS0002"])][0]
    lines.loc[i, "unit_price_fen"] = int(lines.loc[i, "unit_price_fen"] * factor)
    lines.loc[i, "amount_fen"] = lines.loc[i, "unit_price_fen"] * lines.loc[i, "quantity"]
    out = dict(tables)
    out["claim_lines"] = pa.Table.from_pandas(
        lines, schema=tables["claim_lines"].schema, preserve_index=False
    )
    return out, str(lines.loc[i, "claim_id"])


def test_norm_price_flags_a_service_above_its_province_price(clean: dict[str, pa.Table]) -> None:
    tables, claim = _with_line_price(clean, 1.15)
    hits = _hits(_screen(tables), "NORM_PRICE")
    assert [h["claim_id"] for h in hits] == [claim]
    assert "the province bills it at" in hits[0]["reason"]


def test_template_bill_needs_several_persons(clean: dict[str, pa.Table]) -> None:
    claims = clean["claims"].to_pylist()
    lines = clean["claim_lines"].to_pylist()
    base = next(c for c in claims if c["visit_type"] == "inpatient")
    bill = [ln for ln in lines if ln["claim_id"] == base["claim_id"]]
    others = [c["person_id"] for c in claims if c["person_id"] != base["person_id"]][:2]
    for k, person in enumerate(others):
        cid = f"CX{k}"
        claims.append({**base, "claim_id": cid, "person_id": person})
        lines += [{**ln, "claim_id": cid} for ln in bill]
    tables = dict(clean)
    tables["claims"] = pa.Table.from_pylist(claims, schema=clean["claims"].schema)
    tables["claim_lines"] = pa.Table.from_pylist(lines, schema=clean["claim_lines"].schema)
    hit = {h["claim_id"] for h in _hits(_screen(tables), "NORM_TEMPLATE_BILL")}
    assert {base["claim_id"], "CX0", "CX1"} <= hit
    hit_clean = {h["claim_id"] for h in _hits(_screen(clean), "NORM_TEMPLATE_BILL")}
    assert base["claim_id"] not in hit_clean


def test_evaluation_on_the_typology(clean: dict[str, pa.Table]) -> None:
    clean_result = _screen(clean)
    inj = inject_typology(clean, 0.3, 5)
    result = _screen(inj.tables)
    ev = evaluate_typology(
        result.hits,
        inj.labels,
        inj.tables["claims"],
        clean_result.hits,
        clean_result.claims,
        result.providers.table,
        result.persons.table,
        set(inj.fraud_providers),
        set(inj.fraud_persons),
    )
    assert {m.family for m in ev.families} == set(FAMILIES)
    assert all(0 <= m.net_recall <= m.recall <= 1 for m in ev.families)
    assert ev.natural_share <= 0.01  # the clean province stays clean
    assert ev.macro_recall >= 0.5


def test_top_k_precision() -> None:
    assert top_k_precision(["a", "b", "c", "d"], [4, 3, 2, 1], {"a", "c"}, 2) == 0.5
    assert top_k_precision(["a", "b"], [1, 2], {"b"}, 1) == 1.0
