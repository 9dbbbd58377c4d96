"""Table and scalar settlement agree to the fen.

Hypothesis draws a policy (a prefecture pack over the national one, with random deductible
modes, repeat-admission rules, segments, ceilings of both kinds, critical illness and
assistance) and a stream of claims for a few persons; both engines settle the year and every
part of every claim must be equal.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yibao.errors import InputError
from yibao.policy.pack import Pack, PackLevel, Reference, Version
from yibao.policy.registry import shipped_packs
from yibao.policy.schema import Band
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.settle.parts import INTERFACE_CODES
from yibao.settle.table import settle_table
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, Sex, VisitType

YEAR = 2025
REF = Reference("t", "drawn by the test", synthetic=True)
LEVELS = ("L1", "L2", "L3")
VISITS = ("inpatient", "outpatient_general", "outpatient_chronic")

money = st.integers(min_value=0, max_value=3_000_000)
ratios = st.integers(min_value=0, max_value=10_000).map(lambda u: Decimal(u) / 10_000)


@st.composite
def bands(draw: st.DrawFn) -> tuple[Band, ...]:
    bounds = sorted(set(draw(st.lists(st.integers(1, 5_000_000), max_size=4))))
    rs = draw(st.lists(ratios, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return tuple(Band(u, r) for u, r in zip([*bounds, None], rs, strict=True))


@st.composite
def policy(draw: st.DrawFn) -> Pack:
    leaves: dict[str, object] = {}
    for scheme in ("employee", "resident"):
        leaves[f"{scheme}.ceilings.basic.kind"] = draw(st.sampled_from(["fund", "expense"]))
        leaves[f"{scheme}.ceilings.basic.amount"] = draw(st.integers(0, 20_000_000))
        leaves[f"{scheme}.large_amount.enabled"] = draw(st.booleans())
        leaves[f"{scheme}.large_amount.ratio"] = draw(ratios)
        leaves[f"{scheme}.large_amount.cap"] = draw(st.none() | money)
        leaves[f"{scheme}.critical_illness.enabled"] = draw(st.booleans())
        leaves[f"{scheme}.critical_illness.threshold"] = draw(money)
        leaves[f"{scheme}.critical_illness.bands"] = draw(bands())
        leaves[f"{scheme}.critical_illness.band_basis"] = draw(
            st.sampled_from(["absolute", "above_threshold"])
        )
        leaves[f"{scheme}.critical_illness.cap"] = draw(st.none() | money)
        leaves[f"{scheme}.critical_illness.includes_preself"] = draw(st.booleans())
        leaves[f"{scheme}.account.enabled"] = draw(st.booleans())
        for visit in VISITS:
            p = f"{scheme}.{visit}"
            mode = draw(st.sampled_from(["per_admission", "annual", "none"]))
            leaves[f"{p}.deductible.mode"] = mode
            same = draw(money)
            for level in LEVELS:
                leaves[f"{p}.deductible.amount.{level}"] = same if mode == "annual" else draw(money)
                leaves[f"{p}.fund.bands.{level}"] = draw(bands())
            leaves[f"{p}.deductible.second_factor"] = draw(ratios)
            leaves[f"{p}.deductible.third_fixed"] = draw(st.none() | money)
            leaves[f"{p}.deductible.annual_cap"] = draw(st.none() | money)
            leaves[f"{p}.fund.basis"] = draw(st.sampled_from(["expense", "above_deductible"]))
            leaves[f"{p}.fund.scope"] = draw(st.sampled_from(["year", "admission"]))
            leaves[f"{p}.ceiling_group"] = draw(st.sampled_from([None, "basic"]))
    for cat in ("dibao", "tekun"):
        leaves[f"assistance.{cat}.deductible"] = draw(money)
        leaves[f"assistance.{cat}.ratio"] = draw(ratios)
        leaves[f"assistance.{cat}.cap"] = draw(st.none() | money)
        leaves[f"assistance.{cat}.tilt.threshold"] = draw(money)
        leaves[f"assistance.{cat}.tilt.ratio"] = draw(ratios)
        leaves[f"assistance.{cat}.tilt.cap"] = draw(st.none() | money)
    return Pack(
        "drawn",
        "drawn policy",
        PackLevel.PREFECTURE,
        "national",
        "990999",
        {"t": REF},
        {k: (Version(v, date(2000, 1, 1), None, "t", 1),) for k, v in leaves.items()},
    )


PEOPLE = [
    Person("A", Scheme.EMPLOYEE, PersonType.ACTIVE, Sex.MALE, date(1970, 3, 1), "990999"),
    Person("B", Scheme.EMPLOYEE, PersonType.RETIRED, Sex.FEMALE, date(1950, 7, 9), "990999"),
    Person(
        "C",
        Scheme.RESIDENT,
        PersonType.ADULT,
        Sex.FEMALE,
        date(1980, 1, 1),
        "990999",
        AssistanceCategory.DIBAO,
    ),
    Person(
        "D",
        Scheme.RESIDENT,
        PersonType.CHILD,
        Sex.MALE,
        date(2015, 5, 5),
        "990999",
        AssistanceCategory.TEKUN,
    ),
]


@st.composite
def claim_stream(draw: st.DrawFn) -> list[tuple[Person, Claim, int]]:
    out = []
    n = draw(st.integers(1, 14))
    for i in range(n):
        person = draw(st.sampled_from(PEOPLE))
        day = date(YEAR, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
        total = draw(st.integers(0, 40_000_000))
        full = draw(st.integers(0, total))
        over = draw(st.integers(0, total - full))
        pre = draw(st.integers(0, total - full - over))
        item_scope = draw(st.integers(0, total - full - over - pre)) if draw(st.booleans()) else 0
        item_fund = draw(st.integers(0, item_scope))
        claim = Claim(
            f"c{i:03d}",
            "H1",
            Level(draw(st.sampled_from(LEVELS))),
            "990999",
            VisitType(draw(st.sampled_from(VISITS))),
            day,
            day,
            Route(draw(st.sampled_from(["local", "referred", "unfiled"]))),
            presplit=PreSplit(total, full, over, pre, item_fund, item_scope),
        )
        balance = {"A": 500_000, "B": 30_000}.get(person.person_id, 0)
        out.append((person, claim, balance))
    return out


def _scalar(registry, stream):  # type: ignore[no-untyped-def]
    chain = registry.chain("drawn")
    accs: dict[str, Accumulators] = {}
    rows = {}
    ordered = sorted(stream, key=lambda s: (s[0].person_id, s[1].settle_date, s[1].claim_id))
    for person, claim, balance in ordered:
        acc = accs.get(person.person_id, Accumulators(YEAR, account_balance=balance))
        result = settle(person, claim, acc, chain)
        accs[person.person_id] = result.after
        rows[claim.claim_id] = result.parts.as_codes()
    return rows


def _batch(registry, stream):  # type: ignore[no-untyped-def]
    records = []
    for person, claim, balance in stream:
        p = claim.presplit
        assert p is not None
        records.append(
            {
                "claim_id": claim.claim_id,
                "person_id": person.person_id,
                "settle_date": claim.settle_date,
                "visit_type": claim.visit_type.value,
                "level": claim.level.value,
                "route": claim.route.value,
                "scheme": person.scheme.value,
                "person_type": person.person_type.value,
                "birth_date": person.birth_date,
                "assistance_category": None
                if person.assistance_category is None
                else person.assistance_category.value,
                "insured_pack": "drawn",
                "account_balance_fen": balance,
                "total": p.total,
                "full_selfpay": p.full_selfpay,
                "over_limit": p.over_limit,
                "preself": p.preself,
                "item_fund": p.item_fund,
                "item_fund_scope": p.item_fund_scope,
            }
        )
    table = pa.Table.from_pylist(records)
    out = settle_table(table, registry, YEAR).to_pylist()
    return {r["claim_id"]: r for r in out}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy(), claim_stream())
def test_batch_equals_scalar(pack: Pack, stream: list[tuple[Person, Claim, int]]) -> None:
    registry = shipped_packs().with_packs([pack])
    scalar = _scalar(registry, stream)
    batch = _batch(registry, stream)
    assert set(scalar) == set(batch)
    for claim_id, parts in scalar.items():
        for code in INTERFACE_CODES.values():
            assert int(batch[claim_id][code]) == parts[code], (claim_id, code)


def test_batch_reports_missing_columns() -> None:
    with pytest.raises(InputError, match="lacks column"):
        settle_table(pa.table({"claim_id": ["x"]}), shipped_packs(), YEAR)
