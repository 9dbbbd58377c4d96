"""Synthetic pre-split claims for batch benchmarks and parity tests (no lines, no catalogue).

N claims of N/10 persons of the demo prefectures, amounts drawn with numpy, already split into
the catalogue parts; a claims table in the shape ``yibao.settle.table.CLAIM_COLUMNS`` describes.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

YEAR = 2025
SEED = 20261125
PACKS = ("demo-north", "demo-south", "demo-east")
VISITS = ("inpatient", "outpatient_general", "outpatient_chronic", "pharmacy")


def presplit_claims(n: int, seed: int = SEED) -> pa.Table:
    """N pre-split claims of n/10 persons, drawn with numpy (amounts in fen)."""
    rng = np.random.default_rng(seed)
    persons = max(1, n // 10)
    pid = np.sort(rng.integers(0, persons, n))
    scheme_of = rng.random(persons) < 0.29
    p_scheme = np.where(scheme_of, "employee", "resident")
    p_type = np.where(
        scheme_of,
        np.where(rng.random(persons) < 0.275, "retired", "active"),
        rng.choice(["adult", "child", "elderly"], persons, p=[0.6, 0.2, 0.2]),
    )
    p_cat = np.where(rng.random(persons) < 0.04, "dibao", None)
    p_pack = rng.choice(PACKS, persons)
    visit = rng.choice(VISITS, n, p=[0.12, 0.6, 0.13, 0.15])
    inpatient = visit == "inpatient"
    total = np.where(inpatient, rng.lognormal(9.0, 0.9, n), rng.lognormal(5.0, 0.8, n))
    total = (total * 100).astype(np.int64)
    full = (total * rng.uniform(0, 0.1, n)).astype(np.int64)
    pre = ((total - full) * rng.uniform(0, 0.08, n)).astype(np.int64)
    days = rng.integers(0, 365, n)
    birth = np.where(p_type == "child", 2012, np.where(p_type == "retired", 1955, 1975))[pid]
    zeros = np.zeros(n, dtype=np.int64)
    return pa.table(
        {
            "claim_id": pa.array([f"C{i:09d}" for i in range(n)]),
            "person_id": pa.array(pid.astype(str)),
            "settle_date": pa.array(
                [date(YEAR, 1, 1) + timedelta(days=int(d)) for d in days], pa.date32()
            ),
            "visit_type": pa.array(visit),
            "level": pa.array(rng.choice(["L1", "L2", "L3"], n, p=[0.4, 0.35, 0.25])),
            "route": pa.array(np.where(rng.random(n) < 0.03, "referred", "local")),
            "scheme": pa.array(p_scheme[pid]),
            "person_type": pa.array(p_type[pid]),
            "birth_date": pa.array([date(int(y), 6, 1) for y in birth], pa.date32()),
            "assistance_category": pa.array(p_cat[pid], pa.string()),
            "insured_pack": pa.array(p_pack[pid]),
            "account_balance_fen": pa.array(np.where(p_scheme[pid] == "employee", 300_000, 0)),
            "total": pa.array(total),
            "full_selfpay": pa.array(full),
            "over_limit": pa.array(zeros),
            "preself": pa.array(pre),
            "item_fund": pa.array(zeros),
            "item_fund_scope": pa.array(zeros),
        }
    )
