"""The DIP catalogue (病种目录库) and its scores (分值), built from a region's history.

* Core groups (核心病种): a main diagnosis with its procedure combination (主要诊断 + 手术操作
  组合) that has at least ``min_cases`` cases over the history window.
* Comprehensive groups (综合病种): every other case, by diagnosis category (the 3-character
  ICD-10 类目) and procedure class: ``C`` conservative (no procedure), ``P`` diagnostic or
  therapeutic procedure, ``S`` operation (a CHS-DRG valid/OR procedure).
* Score (分值) RW_i = m_i ÷ M × scale, where m_i is the group's average cost and M the
  average of all cases, the prior three years weighted 1 : 2 : 7 (policy-facts.md §8.3,
  "Score"). A group absent in a year is averaged over the years it has.
* Budget point value (预算点值均值) = weighted (1:2:7) annual total cost ÷ weighted Σ(score ×
  cases) (§8.3, "Budget point value").
* Long stays (≥ ``long_stay_days``, e.g. rehabilitation, psychiatry) are left out of the groups
  and paid per bed-day: a day score = weighted cost per day of long stays ÷ M × scale.
* Same-level standards (同级别病种均值): the prior year's (the newest history year's) average
  cost of each group at each hospital level, the standard a case's factor compares against
  (§8.3, "Low-cost cases": "case cost ÷ prior-year same-level average for the group"). A
  (group, level) with fewer than ``level_min_cases`` cases that year has none, and a case
  there falls back to the group's all-level mean (``DipGroup.mean_cost``).

All divisions here are on the small aggregate, in exact fractions, and the results are
rounded half-up: scores to 1/10 000 point, point values to 1/100 fen (4 places of yuan).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from yibao.errors import InputError
from yibao.money import Fen, Stage, round_fraction

SCORE_PLACES = Decimal("0.0001")
POINT_VALUE_PLACES = Decimal("0.01")  # fen per point, i.e. yuan to 4 places
YEAR_WEIGHTS: tuple[int, int, int] = (1, 2, 7)  # oldest → newest, §8.3
CONSERVATIVE, PROCEDURE, OPERATION = "C", "P", "S"


def core_key(main_dx: str, procedures: str | None) -> str:
    """The core-group key: main diagnosis and the procedure string as recorded (main first).

    >>> core_key("K80.100", "51.2301|51.2200"), core_key("J18.900", None)
    ('K80.100/51.2301|51.2200', 'J18.900/')
    """
    return f"{main_dx}/{procedures or ''}"


def comprehensive_key(main_dx: str, procedures: str | None, operations: frozenset[str]) -> str:
    """The comprehensive-group key: ICD-10 category and procedure class.

    >>> comprehensive_key("K80.100", "51.2301", frozenset({"51.2301"}))
    'K80:S'
    """
    main = (procedures or "").split("|")[0]
    kind = CONSERVATIVE if not main else OPERATION if main in operations else PROCEDURE
    return f"{main_dx[:3]}:{kind}"


@dataclass(frozen=True, slots=True)
class YearStats:
    """One history year, aggregated: (core key, comprehensive key) → (cases, Σ cost).

    ``level_cells`` splits the same cases by hospital level, (core, comprehensive, level) →
    (cases, Σ cost); it may be empty (no same-level standards from this year)."""

    year: int
    cells: Mapping[tuple[str, str], tuple[int, Fen]]
    long_stay_cases: int = 0
    long_stay_days: int = 0
    long_stay_cost: Fen = 0
    level_cells: Mapping[tuple[str, str, str], tuple[int, Fen]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DipGroup:
    key: str
    kind: str  # "core" or "comprehensive"
    cases: int  # over the whole window
    mean_cost: Fen  # weighted average cost, the standard the case factor compares against
    score: Decimal


@dataclass(frozen=True)
class Catalogue:
    """Groups with scores, the day score for long stays and the budget point value."""

    groups: Mapping[str, DipGroup]
    day_score: Decimal
    budget_point_value: Decimal  # fen per point, 2 places
    region_mean_cost: Fen
    scale: int
    min_cases: int
    # (group key, hospital level) → the prior year's mean cost at that level (fen, half-up)
    level_means: Mapping[tuple[str, str], Fen] = field(default_factory=dict)
    level_year: int | None = None  # the history year the same-level means come from

    def standard(self, group: str, level: str) -> tuple[Fen, str]:
        """The cost a case's factor compares against and its basis: the prior-year mean at
        the same level (``"level"``) or, failing that, the all-level mean (``"all_levels"``)."""
        mean = self.level_means.get((group, level))
        if mean is not None:
            return mean, "level"
        return self.groups[group].mean_cost, "all_levels"


def _dec(f: Fraction, places: Decimal, stage: Stage) -> Decimal:
    exponent = places.as_tuple().exponent
    assert isinstance(exponent, int)
    return round_fraction(stage, f, -exponent)


def _weighted_mean(by_year: Sequence[tuple[int, Fraction]]) -> Fraction:
    """Σ w_y·x_y ÷ Σ w_y over the years present (w = the year's 1:2:7 weight)."""
    total_w = sum(w for w, _ in by_year)
    return sum((w * x for w, x in by_year), Fraction(0)) / total_w


def build_catalogue(
    years: Sequence[YearStats],
    min_cases: int = 15,
    scale: int = 100,
    year_weights: Sequence[int] | None = None,
    level_min_cases: int = 1,
) -> Catalogue:
    """Build the catalogue from one to three history years, oldest first. Weights are 1:2:7
    by position (the newest years taking the largest weights when fewer than three are
    given) unless ``year_weights`` says which weight each year has (a missing middle year)."""
    if not years or len(years) > len(YEAR_WEIGHTS):
        raise InputError(f"DIP catalogue: give 1 to 3 history years, got {len(years)}")
    if min_cases < 1:
        raise InputError(f"DIP catalogue: minimum cases must be ≥ 1, got {min_cases}")
    if level_min_cases < 1:
        raise InputError(f"DIP catalogue: level minimum cases must be ≥ 1, got {level_min_cases}")
    weights = tuple(year_weights) if year_weights is not None else YEAR_WEIGHTS[-len(years) :]
    if len(weights) != len(years) or min(weights) <= 0:
        raise InputError(f"DIP catalogue: {len(years)} years but weights {weights}")
    counts: dict[str, int] = {}
    for y in years:
        for (ck, _), (n, _) in y.cells.items():
            counts[ck] = counts.get(ck, 0) + n
    core = {k for k, n in counts.items() if n >= min_cases}
    # per group and year: (cases, cost)
    per: dict[str, dict[int, tuple[int, int]]] = {}
    kinds: dict[str, str] = {}
    region: list[tuple[int, Fraction]] = []
    for w, y in zip(weights, years, strict=True):
        n_y = sum(n for n, _ in y.cells.values())
        c_y = sum(c for _, c in y.cells.values())
        if n_y:
            region.append((w, Fraction(c_y, n_y)))
        for (ck, comp), (n, cost) in y.cells.items():
            key = ck if ck in core else comp
            kinds[key] = "core" if ck in core else "comprehensive"
            n0, c0 = per.setdefault(key, {}).get(y.year, (0, 0))
            per[key][y.year] = (n0 + n, c0 + cost)
    if not region:
        raise InputError("DIP catalogue: the history has no cases")
    region_mean = _weighted_mean(region)
    if region_mean <= 0:
        raise InputError("DIP catalogue: the history's costs sum to zero")
    year_w = {y.year: w for w, y in zip(weights, years, strict=True)}
    groups: dict[str, DipGroup] = {}
    for key in sorted(per):
        means = [(year_w[yr], Fraction(c, n)) for yr, (n, c) in sorted(per[key].items()) if n]
        m = _weighted_mean(means)
        score = _dec(m / region_mean * scale, SCORE_PLACES, Stage.DIP_SCORE)
        cases = sum(n for n, _ in per[key].values())
        groups[key] = DipGroup(
            key, kinds[key], cases, int(_dec(m, Decimal(1), Stage.MEAN_COST)), score
        )
    day_score = _day_score(years, weights, region_mean, scale)
    pv = budget_point_value(years, weights, groups, day_score)
    prior = years[-1]  # the newest history year: "prior-year" in §8.3
    level_means = _level_means(prior, core, groups, level_min_cases)
    return Catalogue(
        groups,
        day_score,
        pv,
        int(_dec(region_mean, Decimal(1), Stage.MEAN_COST)),
        scale,
        min_cases,
        level_means,
        prior.year if prior.level_cells else None,
    )


def _level_means(
    prior: YearStats, core: set[str], groups: Mapping[str, DipGroup], min_cases: int
) -> dict[tuple[str, str], Fen]:
    """(group, level) → the prior year's mean cost there, half-up to the fen."""
    per: dict[tuple[str, str], tuple[int, int]] = {}
    for (ck, comp, level), (n, cost) in prior.level_cells.items():
        key = (ck if ck in core else comp, level)
        n0, c0 = per.get(key, (0, 0))
        per[key] = (n0 + n, c0 + cost)
    return {
        k: int(_dec(Fraction(c, n), Decimal(1), Stage.MEAN_COST))
        for k, (n, c) in sorted(per.items())
        if n >= min_cases and c > 0 and k[0] in groups
    }


def _day_score(
    years: Sequence[YearStats], weights: Sequence[int], region_mean: Fraction, scale: int
) -> Decimal:
    per_day = [
        (w, Fraction(y.long_stay_cost, y.long_stay_days))
        for w, y in zip(weights, years, strict=True)
        if y.long_stay_days
    ]
    if not per_day:
        return Decimal(0)
    return _dec(_weighted_mean(per_day) / region_mean * scale, SCORE_PLACES, Stage.DIP_SCORE)


def budget_point_value(
    years: Sequence[YearStats],
    weights: Sequence[int],
    groups: Mapping[str, DipGroup],
    day_score: Decimal,
) -> Decimal:
    """预算点值: weighted annual total cost ÷ weighted annual points (fen per point)."""
    cost = Fraction(0)
    points = Fraction(0)
    for w, y in zip(weights, years, strict=True):
        cost += w * (sum(c for _, c in y.cells.values()) + y.long_stay_cost)
        pts = Fraction(day_score) * y.long_stay_days
        for (ck, comp), (n, _) in y.cells.items():
            g = groups[ck] if ck in groups else groups[comp]
            pts += Fraction(g.score) * n
        points += w * pts
    if points <= 0:
        raise InputError("DIP catalogue: the history has no points")
    return _dec(cost / points, POINT_VALUE_PLACES, Stage.DIP_POINT_VALUE)
