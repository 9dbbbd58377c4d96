"""Line-level bill split: the batch split (Ibis on DuckDB) equals the scalar split per claim.

Hypothesis draws lines over the demo catalogue (classes A, B, C, price caps, restrictions,
items with their own pre-self-pay or fund ratio) for persons of either sex and many ages.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yibao.policy.catalogue import demo_catalogue
from yibao.policy.registry import shipped_packs
from yibao.settle.batch import catalogue_table, split_lines
from yibao.settle.model import PRESPLIT_AMOUNTS, Line
from yibao.settle.rules import class_b_preself_ratio
from yibao.settle.split import split_bill
from yibao.types import Scheme, Sex, VisitType

CATALOGUE = demo_catalogue()
CODES = sorted(CATALOGUE.items)
YEAR = 2025


@st.composite
def claims(draw: st.DrawFn) -> list[dict[str, object]]:
    out = []
    for i in range(draw(st.integers(1, 6))):
        lines = []
        for _ in range(draw(st.integers(1, 8))):
            code = draw(st.sampled_from(CODES))
            cap = CATALOGUE.item(code).price_cap
            price = draw(st.integers(1, 2 * cap if cap else 500_000))
            qty = draw(st.integers(1, 20))
            lines.append((code, qty, price))
        settled = date(YEAR, draw(st.integers(1, 12)), 10)
        out.append(
            {
                "claim_id": f"c{i}",
                "sex": draw(st.sampled_from(["1", "2"])),
                "birth_date": date(draw(st.integers(1930, 2024)), 6, 15),
                "admit_date": settled - timedelta(draw(st.integers(0, 400))),
                "settle_date": settled,
                "visit_type": draw(st.sampled_from([v.value for v in VisitType])),
                "scheme": draw(st.sampled_from(["employee", "resident"])),
                "treatment_pack": draw(st.sampled_from(["demo-north", "demo-south", "demo-east"])),
                "lines": lines,
            }
        )
    return out


def _scalar(claim: dict[str, object]) -> tuple[int, ...]:
    registry = shipped_packs()
    day = claim["settle_date"]
    admitted = claim["admit_date"]  # catalogue ages are at admission (policy.restriction)
    birth = claim["birth_date"]
    assert isinstance(day, date) and isinstance(birth, date)
    ratio = class_b_preself_ratio(
        registry.chain(str(claim["treatment_pack"])), Scheme(claim["scheme"]), day
    )
    assert isinstance(admitted, date)
    age = admitted.year - birth.year - ((admitted.month, admitted.day) < (birth.month, birth.day))
    lines = tuple(
        Line(code, qty * price, qty, price)
        for code, qty, price in claim["lines"]  # type: ignore[attr-defined]
    )
    p = split_bill(
        lines, CATALOGUE, ratio.value, Sex(claim["sex"]), age, VisitType(claim["visit_type"])
    ).presplit  # type: ignore[arg-type]
    return tuple(getattr(p, k) for k in PRESPLIT_AMOUNTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_batch_split_equals_scalar_split(drawn: list[dict[str, object]]) -> None:
    con = ibis.duckdb.connect()
    meta = pd.DataFrame([{k: v for k, v in c.items() if k != "lines"} for c in drawn])
    lines = pd.DataFrame(
        [
            {
                "claim_id": c["claim_id"],
                "item_code": code,
                "quantity": q,
                "unit_price_fen": p,
                "amount_fen": q * p,
            }
            for c in drawn
            for code, q, p in c["lines"]  # type: ignore[attr-defined]
        ]
    )
    out = split_lines(
        con,
        ibis.memtable(lines),
        ibis.memtable(meta),
        catalogue_table(CATALOGUE.items.values()),
        shipped_packs(),
        YEAR,
    )
    batch = {
        r["claim_id"]: tuple(int(r[k]) for k in PRESPLIT_AMOUNTS)
        for r in con.execute(out).to_dict("records")
    }
    for claim in drawn:
        assert batch[claim["claim_id"]] == _scalar(claim), claim["claim_id"]
