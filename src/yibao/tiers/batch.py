"""The supplementary tiers over a year of settled claims at once (numpy columns).

The same rules as :func:`yibao.tiers.supplementary.supplement`, claim by claim in each
person's order: every duty is a schedule on the person's cumulative base, so the year-to-date
is a grouped cumulative sum, a band's share is the overlap of [before, after] with the band,
and the annual cap clips the cumulative payment (min(Σ raw, cap) differenced gives exactly the
scalar's sequential clipping). Rounding is the one half-up primitive at the same stage, per
band and claim, so the batch equals the scalar to the fen (tests/unit/test_tiers_batch.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.money import Stage, ratio_units, round_at
from yibao.tiers.supplementary import Duty, Tier, check_order
from yibao.types import Scheme, VisitType

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Claims:
    """One row per settled claim, sorted by person and then by settlement order."""

    person: Ints  # any integer code of the person
    visit: Sequence[VisitType]
    day: Ints  # date ordinal of settlement
    scheme: Sequence[Scheme]
    retired: Bools
    preexisting: Bools
    holds: Mapping[str, Bools]  # tier id → the person holds it
    full_selfpay: Ints
    over_limit: Ints
    over_ceiling: Ints
    large_amount: Ints
    critical_illness: Ints
    account: Ints
    cash: Ints


@dataclass(frozen=True)
class Result:
    payments: dict[str, Ints]  # "tier/duty" → fen per claim
    account: Ints
    cash: Ints


def _grouped_cumsum(values: Ints, person: Ints) -> Ints:
    """Cumulative sum restarting at each person (rows sorted by person)."""
    cs = np.cumsum(values)
    starts = np.r_[True, person[1:] != person[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    return cs - (cs[first] - values[first])


def _duty(d: Duty, base: Ints, c: Claims) -> Ints:
    """What a duty pays on each claim's base, the year so far taken from the rows before."""
    after = _grouped_cumsum(base, c.person)
    before = after - base
    ded = np.where(c.preexisting, d.deductible_preexisting, d.deductible).astype(np.int64)
    raw = np.zeros(len(base), np.int64)
    start = ded.copy()
    for band in d.bands:
        units = np.where(c.retired, ratio_units(band.ratio_retired), ratio_units(band.ratio))
        if d.ratio_preexisting is not None:
            units = np.where(c.preexisting, ratio_units(d.ratio_preexisting), units)
        if band.upto is None:
            hi = after
        else:
            end = ded + band.upto
            hi = np.minimum(after, end)
        overlap = np.maximum(0, hi - np.maximum(before, start))
        raw += round_at(Stage.SUPPLEMENTARY, overlap * units.astype(np.int64))
        if band.upto is None:
            break
        start = ded + band.upto
    if d.annual_cap is None:
        return raw
    total = _grouped_cumsum(raw, c.person)
    capped: Ints = np.minimum(total, d.annual_cap) - np.minimum(total - raw, d.annual_cap)
    return capped


def supplement_batch(tiers: Sequence[Tier], c: Claims) -> Result:
    """The tiers over every claim; payments, and what the account and cash still pay."""
    check_order(tiers)
    owed = c.account + c.cash
    out = np.minimum(owed, c.full_selfpay + c.over_limit)
    in_cat = owed - out
    over = np.minimum(in_cat, np.maximum(0, c.over_ceiling - c.large_amount - c.critical_illness))
    below = in_cat - over
    account, cash = c.account.copy(), c.cash.copy()
    visits = np.array([v.value for v in c.visit])
    schemes = np.array([s.value for s in c.scheme])
    payments: dict[str, Ints] = {}
    for t in tiers:
        live = c.holds.get(t.tier_id, np.zeros(len(owed), np.bool_))
        live = live & np.isin(schemes, [s.value for s in t.schemes])
        live &= c.day >= t.valid_from.toordinal()
        if t.valid_to is not None:
            live &= c.day <= t.valid_to.toordinal()
        for d in t.duties:
            mask = live & np.isin(visits, [v.value for v in d.visits])
            bases = {
                "in_catalogue": below + over,
                "in_catalogue_cash": np.minimum(below + over, cash),
                "below_ceiling": below,
                "over_ceiling": over,
                "out_of_catalogue": out,
            }
            base = np.where(mask, bases[d.covers], 0)
            paid = np.minimum(_duty(d, base, c), base)
            if d.covers == "out_of_catalogue":
                out = out - paid
            elif d.covers == "over_ceiling":
                over = over - paid
            else:
                from_below = np.minimum(paid, below)
                below, over = below - from_below, over - (paid - from_below)
            from_cash = np.minimum(paid, cash)
            cash, account = cash - from_cash, account - (paid - from_cash)
            payments[f"{t.tier_id}/{d.name}"] = paid
    return Result(payments, account, cash)
