"""Behavioural response (行为反应): use that follows the price the patient faces.

Static by default (elasticity 0): the reform is settled over the same claims. With an
elasticity ε of use to the effective coinsurance rate, each person's claims from the reform's
start are rescaled before the reform is settled again:

1. The effective coinsurance rate of a person is out-of-pocket ÷ total expense over the
   person's claims settled on or after the reform's start: c₀ under the baseline, c₁ under
   the static reform (same claims, so the same total).
2. ε is an *arc* elasticity, as the RAND Health Insurance Experiment defined it (it stays
   finite at a zero rate: Manning et al., "Health Insurance and the Demand for Medical Care",
   AER 1987;77(3):251–277; Aron-Dine, Einav and Finkelstein, "The RAND Health Insurance
   Experiment, Three Decades Later", JEP 2013;27(1):197–222, which re-examine "the famous
   RAND estimate that the elasticity of medical spending with respect to its out-of-pocket
   price is −0.2")::

       (q₁ − q₀) / ((q₁ + q₀)/2) = ε · (c₁ − c₀) / ((c₁ + c₀)/2)

   The total cancels out of the rates, so with o₀, o₁ the person's out-of-pocket, the use
   factor s = q₁/q₀ is the exact fraction::

       s = (S + ε·d) / (S − ε·d),   S = o₀ + o₁,  d = o₁ − o₀

   rounded half-up to four places (a ratio, as every ratio in yibao). −1 < ε ≤ 0 keeps the
   denominator positive.
3. Every claim line of those claims gets ``amount_fen × s`` rounded half-up to the fen
   (:func:`yibao.money.div_half_up_array`): more or less care at the same prices. Unit price
   and quantity stay as recorded, so the part of a line priced above its payment standard
   ((price − standard) × quantity, at most the amount) is not rescaled.

Persons whose out-of-pocket does not change keep their claims as they are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yibao.errors import InputError
from yibao.money import RATIO_SCALE, div_half_up_array, ratio_units

_LIMIT = 2**62 // (2 * RATIO_SCALE * RATIO_SCALE)  # largest S whose factor stays in int64


def use_factors(deltas: pa.Table, start: date, elasticity: Decimal) -> pa.Table:
    """``person_id`` → ``factor_units`` (s in 1/10 000) for every person whose out-of-pocket
    from ``start`` on changes; ``deltas`` as :func:`yibao.reform.compare.claim_deltas`.

    >>> t = pa.table({"person_id": ["a", "a", "b"], "settle_date": [date(2025, 1, 1)] * 3,
    ...               "oop_base": [100, 100, 50], "oop_reform": [50, 50, 50]})
    >>> use_factors(t, date(2025, 1, 1), Decimal("-0.2")).to_pylist()
    [{'person_id': 'a', 'factor_units': 11429}]
    """
    after = deltas.filter(pc.greater_equal(deltas["settle_date"], pa.scalar(start, pa.date32())))
    sums = after.group_by("person_id").aggregate([("oop_base", "sum"), ("oop_reform", "sum")])
    o0 = sums["oop_base_sum"].to_numpy().astype(np.int64)
    o1 = sums["oop_reform_sum"].to_numpy().astype(np.int64)
    changed = np.flatnonzero(o0 != o1)
    s, d = (o0 + o1)[changed], (o1 - o0)[changed]
    if len(s) and int(s.max()) > _LIMIT:
        raise InputError("an out-of-pocket total is too large to rescale exactly")
    e = ratio_units(elasticity)
    num, den = RATIO_SCALE * s + e * d, RATIO_SCALE * s - e * d
    factor = div_half_up_array(RATIO_SCALE * num, den)
    return pa.table(
        {
            "person_id": sums["person_id"].take(pa.array(changed)),
            "factor_units": pa.array(factor, pa.int64()),
        }
    ).sort_by("person_id")


def claim_factors(deltas: pa.Table, factors: pa.Table, start: date) -> pa.Table:
    """``claim_id`` → ``factor_units`` for the claims from ``start`` of the rescaled persons."""
    after = deltas.filter(pc.greater_equal(deltas["settle_date"], pa.scalar(start, pa.date32())))
    return (
        after.select(["claim_id", "person_id"])
        .join(factors, "person_id", join_type="inner")
        .select(["claim_id", "factor_units"])
    )


def scale_lines(lines: pa.Table, factors: pa.Table) -> pa.Table:
    """Claim lines with ``amount_fen`` rescaled for the claims in ``factors`` (claim_id,
    factor_units); other lines unchanged. Columns and their order are kept."""
    columns = lines.column_names
    joined = lines.join(factors, "claim_id", join_type="left outer")
    units = pc.fill_null(joined["factor_units"], RATIO_SCALE).to_numpy().astype(np.int64)
    amount = joined["amount_fen"].to_numpy().astype(np.int64)
    scaled = div_half_up_array(amount * units, RATIO_SCALE)
    joined = joined.set_column(
        joined.column_names.index("amount_fen"), "amount_fen", pa.array(scaled, pa.int64())
    )
    return joined.select(columns)
