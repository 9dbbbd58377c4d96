"""A tiny hand-built province for rule tests: persons, providers, claims, lines as Ibis tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import ibis
import pyarrow as pa

from yibao.policy.catalogue import demo_catalogue
from yibao.supervision.pack import demo_pack
from yibao.supervision.rules import RULES, Frame, build_frame
from yibao.synth.schema import CLAIM_LINES, CLAIMS, PERSONS, PROVIDERS

D = date(2025, 3, 10)


def person(
    pid: str,
    sex: str = "1",
    born: date = date(1980, 6, 15),
    region: str = "990100",
    enrolled_from: date = date(2010, 1, 1),
    enrolled_to: date | None = None,
) -> dict[str, Any]:
    return {
        "person_id": pid,
        "id_number": "x",
        "sex": sex,
        "birth_date": born,
        "scheme": "employee",
        "person_type": "active",
        "insured_region": region,
        "employer_id": None,
        "monthly_wage_fen": 0,
        "assistance_category": None,
        "account_balance_fen": 0,
        "enrolled_from": enrolled_from,
        "enrolled_to": enrolled_to,
    }


PERSONS_DEFAULT = [
    person("P1"),
    person("P2", sex="2", born=date(2019, 3, 1)),
    person("P3", sex="2", born=date(1990, 1, 1), enrolled_to=date(2025, 2, 28)),
]
PROVIDERS_DEFAULT = [
    {"provider_id": pid, "name": pid, "level": lv, "region": rg, "kind": kd}
    for pid, lv, rg, kd in [
        ("H1", "L3", "990100", "hospital"),
        ("H2", "L1", "990100", "hospital"),
        ("H4", "L3", "990100", "hospital"),
        ("H5", "L3", "990100", "hospital"),
        ("C1", "L1", "990100", "community"),
        ("R1", "L1", "990100", "pharmacy"),
        ("H3", "L2", "990200", "hospital"),
    ]
]


def claim(
    cid: str,
    person: str = "P1",
    provider: str = "H1",
    visit: str = "outpatient_general",
    admit: date = D,
    los: int = 0,
    dx: str = "J06.900",
    other: str | None = None,
    discharge: date | None = None,
) -> dict[str, Any]:
    out = discharge or (admit + timedelta(days=los))
    return {
        "claim_id": cid,
        "person_id": person,
        "provider_id": provider,
        "visit_type": visit,
        "route": "local",
        "admit_date": admit,
        "discharge_date": out,
        "los_days": los,
        "main_dx": dx,
        "other_dx": other,
        "procedures": None,
    }


def line(cid: str, no: int, item: str, qty: int = 1, price: int = 1000) -> dict[str, Any]:
    return {
        "claim_id": cid,
        "line_no": no,
        "item_code": item,
        "quantity": qty,
        "unit_price_fen": price,
        "amount_fen": qty * price,
    }


def stay(
    cid: str,
    admit: date,
    los: int,
    *,
    person: str = "P1",
    provider: str = "H1",
    dx: str = "J18.000",
    other: str | None = None,
    treat: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An ordinary inpatient stay: bed, nursing, consultation, and (if ``treat``) tests, drugs."""
    c = claim(cid, person, provider, "inpatient", admit, los, dx, other)
    ls = [
        line(cid, 1, "XS0003", los, 5000),
        line(cid, 2, "XS0013", los, 1800),
        line(cid, 3, "XS0021", los, 2000),
    ]
    if treat:
        ls += [
            line(cid, 4, "XS0101", 1, 2500),
            line(cid, 5, "XD0031", 6, 700),
            line(cid, 6, "XS0105", 1, 4000),
        ]
    return c, ls


def tables(
    claims: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]],
    persons: Sequence[Mapping[str, Any]] = PERSONS_DEFAULT,
    providers: Sequence[Mapping[str, Any]] = PROVIDERS_DEFAULT,
) -> dict[str, ibis.Table]:
    return {
        "claims": ibis.memtable(pa.Table.from_pylist(list(claims), schema=CLAIMS)),
        "claim_lines": ibis.memtable(pa.Table.from_pylist(list(lines), schema=CLAIM_LINES)),
        "persons": ibis.memtable(pa.Table.from_pylist(list(persons), schema=PERSONS)),
        "providers": ibis.memtable(pa.Table.from_pylist(list(providers), schema=PROVIDERS)),
    }


def frame(
    claims: Sequence[Mapping[str, Any]], lines: Sequence[Mapping[str, Any]], **kw: Any
) -> Frame:
    t = tables(claims, lines, **kw)
    return build_frame(
        t["claims"], t["claim_lines"], t["persons"], t["providers"], demo_catalogue()
    )


def hits(
    code: str,
    claims: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any] | None = None,
    **kw: Any,
) -> list[dict[str, Any]]:
    params = dict(demo_pack(RULES).values[code])
    params.update(values or {})
    out = RULES[code].run(frame(claims, lines, **kw), params).to_pyarrow().to_pylist()
    return sorted(out, key=lambda r: (r["claim_id"] or "", r["line_nos"], r["provider_id"]))
