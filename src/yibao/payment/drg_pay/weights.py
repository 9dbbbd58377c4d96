"""Relative weights (病组权重, RW) from a region's historical DRG cases.

RW of a group = the group's average inpatient cost ÷ the average cost of all cases in the
pooling area (policy-facts.md §8.2, "Relative weight"). Averages are taken after trimming
each group's extreme costs, so that a few outliers do not move a weight.

Trimming rule (documented, not from a cited source: policy-facts.md §12 lists no official
trimming text; this is the interquartile-range rule the CHS-DRG technical material describes
for 费用异常值剔除, marked [M]): within a group of at least ``min_cases_to_trim`` cases, a case
is kept when ``Q1 − k·IQR ≤ cost ≤ Q3 + k·IQR`` with ``k = 1.5`` (Tukey fences). Quartiles
are nearest-rank on the sorted integer costs, so everything stays exact integers of fen.
The region mean is the mean of all kept cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from yibao.errors import InputError
from yibao.money import Fen, Stage, round_fraction

RW_DIGITS = 4  # relative weights to 4 decimal places


@dataclass(frozen=True, slots=True)
class TrimRule:
    """Tukey fences ``Q1 − k·IQR .. Q3 + k·IQR``; groups smaller than ``min_cases`` are kept whole."""

    k: Fraction = Fraction(3, 2)
    min_cases: int = 5


@dataclass(frozen=True, slots=True)
class GroupWeight:
    """One group's weight and the figures it came from."""

    group: str
    cases: int
    kept: int
    mean_cost: Fen  # trimmed mean, rounded half-up to the fen (for reports)
    rw: Decimal


def nearest_rank(sorted_costs: Sequence[int], p: Fraction) -> int:
    """The nearest-rank ``p``-quantile of sorted integers (p in (0, 1]).

    >>> nearest_rank([10, 20, 30, 40], Fraction(1, 4)), nearest_rank([10, 20, 30, 40], Fraction(3, 4))
    (10, 30)
    """
    n = len(sorted_costs)
    rank = max(1, -(-p.numerator * n // p.denominator))  # ceil(p·n)
    return sorted_costs[rank - 1]


def trim(costs: Sequence[Fen], rule: TrimRule = TrimRule()) -> list[Fen]:
    """The costs inside the fences (all of them for a group below ``rule.min_cases``)."""
    ordered = sorted(costs)
    if len(ordered) < rule.min_cases:
        return ordered
    q1, q3 = nearest_rank(ordered, Fraction(1, 4)), nearest_rank(ordered, Fraction(3, 4))
    spread = rule.k * (q3 - q1)
    lo, hi = q1 - spread, q3 + spread
    return [c for c in ordered if lo <= c <= hi]


def relative_weights(
    costs_by_group: Mapping[str, Sequence[Fen]], rule: TrimRule = TrimRule()
) -> dict[str, GroupWeight]:
    """RW of every group: trimmed group mean ÷ trimmed region mean, half-up to 4 places.

    >>> w = relative_weights({"A": [100, 100], "B": [300, 300]})
    >>> w["A"].rw, w["B"].rw
    (Decimal('0.5000'), Decimal('1.5000'))
    """
    if not costs_by_group:
        raise InputError("relative weights: no historical cases")
    kept = {g: trim(c, rule) for g, c in costs_by_group.items() if c}
    total = sum(sum(k) for k in kept.values())
    count = sum(len(k) for k in kept.values())
    if count == 0 or total <= 0:
        raise InputError("relative weights: historical costs sum to zero")
    region_mean = Fraction(total, count)
    out: dict[str, GroupWeight] = {}
    for g, k in sorted(kept.items()):
        mean = Fraction(sum(k), len(k))
        rw = round_fraction(Stage.RELATIVE_WEIGHT, mean / region_mean, RW_DIGITS)
        out[g] = GroupWeight(g, len(costs_by_group[g]), len(k), _round_fen(mean), rw)
    return out


def _round_fen(f: Fraction) -> Fen:
    return int(round_fraction(Stage.MEAN_COST, f))
