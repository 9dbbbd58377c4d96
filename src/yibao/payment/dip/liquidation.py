"""DIP case points, point values, monthly prepayment and year-end liquidation (年度清算).

The scalar reference of what :mod:`yibao.payment.dip.batch` computes over a table; the two
must agree to the fen (tests compare them).

* Case points (病例分值) = score × case factor × hospital-level coefficient, rounded to
  1/10 000 point after each product (``Stage.DIP_CASE_POINTS``). Case factor (病例类型系数):
  1 for a normal case; cost ÷ standard for a low-cost case (< 50 %); (cost ÷ standard − 2) + 1
  for a high-cost case (> 2×) (policy-facts.md §8.3, "Low-cost cases", "High-cost cases").
  The standard is the group's prior-year mean at the case's hospital level, or the group's
  all-level mean when the catalogue has none for that level (the basis is kept per case).
  Long stays are paid per bed-day: day score × days (§8.3 and the issue).
* Extreme cases (> 5× the standard, §8.3 "Extreme cases") go to expert review (特病单议):
  kind ``extreme``, and paid by ``DipParams.extreme_rule``: ``by_item`` (default: the item
  cost, outside the point total, like a case without a group) or ``points`` (the high-cost
  factor, inside the point total, pending the review).
* Settlement point value (结算点值) = (budget − reserve − cases paid by item) ÷ total points,
  in fen per point half-up to 2 places (§8.3, "Settlement point value").
* Case payment = case points × settlement point value, half-up to the fen
  (``Stage.DIP_PAYMENT``).
* Hospital payment: by-item costs + the hospital's share of the distributable amount, its
  points × distributable ÷ total points, rounded by the largest-remainder method (floor each
  share, then one fen more to the largest remainders, ties by provider id) so that the shares
  add up to the distributable amount exactly. ``rounding`` = that payment − Σ case payments:
  the residual of rounding the point value and each case, shared out (at most a few fen per
  hospital). Fund to hospital = payment − patient payments − other funds (§8.3, "Hospital
  settlement").
* Monthly prepayment (月度预付) = (month's points × budget point value − patient − other
  funds, floored at 0) × prepayment ratio (§8.2 "Cross-region": monthly prepayment ≥ 85 %).
* The identity: Σ hospital payments + reserve = budget, to the fen; with Σ case payments
  (``value``) it reads Σ values + reserve + residual = budget, residual = Σ rounding.

Integer bounds: points are at most 10⁹ units (10⁵ points) and point values 10⁷ units, so
every product stays below 2⁵³ (where a batch engine's integer division is still exact).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yibao.errors import InputError
from yibao.formula import where
from yibao.money import RATIO_SCALE, Fen, Stage, ratio_units, round_at
from yibao.payment.dip.catalogue import Catalogue, DipGroup
from yibao.payment.sharing import SharingRule, share_balance

EXTREME_RULES = ("by_item", "points")
POINT_UNITS = RATIO_SCALE  # points are integers of 1/10 000 point
PV_UNITS = 100  # point values are integers of 1/100 fen per point
PAY_DIVISOR = POINT_UNITS * PV_UNITS


def _default_coefficients() -> dict[str, Decimal]:
    return {"L1": Decimal("0.85"), "L2": Decimal("0.92"), "L3": Decimal("1")}


@dataclass(frozen=True)
class DipParams:
    """Local parameters of DIP liquidation; coefficients are [M] examples to set locally."""

    budget: Fen  # the DIP budget for the year (total medical cost to distribute)
    coefficients: Mapping[str, Decimal] = field(default_factory=_default_coefficients)
    reserve_ratio: Decimal = Decimal(0)  # 调剂金 held back, e.g. 0.05 (§8.2 "Reserve")
    low_fraction: Decimal = Decimal("0.5")
    high_multiple: Decimal = Decimal("2")
    long_stay_days: int = 60  # stays ≥ 60 days are outside groups (§8.2 "Exclusions")
    prepay_ratio: Decimal = Decimal("0.85")
    sharing: SharingRule = field(default_factory=SharingRule)
    extreme_multiple: Decimal = Decimal("5")  # > 5× → expert review (§8.3 "Extreme cases")
    extreme_rule: str = "by_item"  # how a case under review is paid: by_item or points

    def __post_init__(self) -> None:
        if self.budget <= 0:
            raise InputError(f"DIP budget must be positive, got {self.budget} fen")
        if self.extreme_rule not in EXTREME_RULES:
            raise InputError(
                f"DIP extreme-case rule must be one of {', '.join(EXTREME_RULES)},"
                f" got {self.extreme_rule!r}"
            )
        if self.extreme_multiple < self.high_multiple:
            raise InputError(
                f"DIP extreme multiple {self.extreme_multiple} is below the high-cost"
                f" multiple {self.high_multiple}"
            )

    def by_item(self, kind: str) -> bool:
        """Whether a case of this kind is paid its item cost (outside the point total)."""
        return kind == "by_item" or (kind == "extreme" and self.extreme_rule == "by_item")


@dataclass(frozen=True, slots=True)
class DipCase:
    case_id: str
    provider_id: str
    level: str
    month: int
    core_key: str
    comp_key: str
    cost: Fen
    los_days: int
    patient_paid: Fen = 0
    other_funds: Fen = 0


@dataclass(frozen=True, slots=True)
class CasePoints:
    case_id: str
    group: str  # "" when the case has no group and is paid by item
    kind: str  # normal, low_cost, high_cost, extreme (特病单议), bed_day, by_item
    factor_units: int
    points: int  # units of 1/10 000 point
    standard: Fen = 0  # the mean cost the factor compared against (0: bed-day, no group)
    basis: str = ""  # "level" (prior-year same level) or "all_levels" (the fallback)


def case_points(case: DipCase, cat: Catalogue, params: DipParams) -> CasePoints:
    coefficient = params.coefficients.get(case.level)
    if coefficient is None:
        raise InputError(f"case {case.case_id}: no DIP coefficient for level {case.level!r}")
    g = _group(cat, case.core_key, "core") or _group(cat, case.comp_key, "comprehensive")
    std, basis = cat.standard(g.key, case.level) if g is not None else (1, "")
    kind, factor, points = points_formula(
        case.cost,
        case.los_days,
        std,
        0 if g is None else ratio_units(g.score),
        ratio_units(coefficient),
        g is None,
        ratio_units(cat.day_score),
        params,
    )
    if kind == "bed_day":
        return CasePoints(case.case_id, "bed-day", kind, factor, points)
    if g is None:
        return CasePoints(case.case_id, "", kind, factor, points)
    return CasePoints(case.case_id, g.key, kind, factor, points, std, basis)


def points_formula(
    cost: Any,
    los_days: Any,
    standard: Any,
    score_units: Any,
    coef_units: Any,
    no_group: Any,
    day_units: int,
    params: DipParams,
) -> tuple[Any, Any, Any]:
    """(kind, factor units, points units) of a case: the one DIP case-point formula.

    Evaluated on the ints of one case (:func:`case_points`) and on the columns of a table of
    cases (:func:`yibao.payment.dip.batch.case_points_expr`). ``standard`` is the group's mean
    cost (any positive number when ``no_group``); rounding at ``Stage.DIP_CASE_POINTS``.
    """
    scaled = cost * RATIO_SCALE
    long_stay = (los_days >= params.long_stay_days) & (day_units > 0)
    low = scaled < ratio_units(params.low_fraction) * standard
    high = scaled > ratio_units(params.high_multiple) * standard
    extreme = scaled > ratio_units(params.extreme_multiple) * standard
    ratio_u = round_at(Stage.DIP_CASE_POINTS, scaled, standard)
    skip = (no_group | extreme) if params.by_item("extreme") else no_group
    kind = where(
        long_stay,
        "bed_day",
        where(
            no_group,
            "by_item",
            where(low, "low_cost", where(extreme, "extreme", where(high, "high_cost", "normal"))),
        ),
    )
    factor = where(
        long_stay,
        RATIO_SCALE,
        where(skip, 0, where(low, ratio_u, where(high, ratio_u - RATIO_SCALE, RATIO_SCALE))),
    )
    raw = where(long_stay, los_days * day_units, _times(score_units, factor))
    points = where(long_stay, _times(raw, coef_units), where(skip, 0, _times(raw, coef_units)))
    return kind, factor, points


def _group(cat: Catalogue, key: str, kind: str) -> DipGroup | None:
    g = cat.groups.get(key)
    return g if g is not None and g.kind == kind and g.mean_cost > 0 else None


def _times(units: Any, ratio_u: Any) -> Any:
    """units × ratio, half-up to the unit (``Stage.DIP_CASE_POINTS``)."""
    return round_at(Stage.DIP_CASE_POINTS, units * ratio_u)


def settlement_point_value(distributable: Fen, total_points: int) -> int:
    """结算点值 in 1/100 fen per point: distributable ÷ total points, half-up.

    >>> settlement_point_value(1_000_000, 3 * POINT_UNITS)  # 10 000 yuan over 3 points
    33333333
    """
    if distributable <= 0:
        raise InputError("DIP: nothing left to distribute after the reserve and by-item cases")
    if total_points <= 0:
        raise InputError("DIP: the year has no points")
    return round_at(Stage.DIP_POINT_VALUE, distributable * PAY_DIVISOR, total_points)


def pay(points: int, pv: int) -> Fen:
    """Points × point value, half-up to the fen (``Stage.DIP_PAYMENT``)."""
    return round_at(Stage.DIP_PAYMENT, points * pv, PAY_DIVISOR)


@dataclass(frozen=True, slots=True)
class HospitalLine:
    provider_id: str
    cases: int
    points: int
    value: Fen  # Σ case payments + by-item costs
    cost: Fen
    patient_paid: Fen
    other_funds: Fen
    fund_due: Fen  # value − patient − other
    prepaid: Fen
    settlement: Fen  # fund_due − prepaid (negative = the hospital pays back)
    balance: Fen  # payment − cost: surplus (结余) > 0, overspend (超支) < 0
    sharing: Fen  # adjustment by the sharing rule
    rounding: Fen = 0  # the hospital's share of the rounding residual (largest remainder)

    @property
    def payment(self) -> Fen:
        """What the hospital is paid for its cases: Σ case payments + its rounding share."""
        return self.value + self.rounding


@dataclass(frozen=True)
class Liquidation:
    budget: Fen
    reserve: Fen
    by_item: Fen
    total_points: int
    point_value: int  # settlement point value, 1/100 fen per point
    budget_point_value: int
    residual: Fen  # budget − reserve − Σ values: the rounding residual, shared out
    hospitals: tuple[HospitalLine, ...]
    cases: tuple[tuple[CasePoints, Fen], ...] = ()

    def check(self) -> list[str]:
        """The liquidation invariants as a list of violations (empty when they hold)."""
        out = []
        total = sum(h.value for h in self.hospitals) + self.reserve + self.residual
        if total != self.budget:
            out.append(f"Σ values + reserve + residual = {total} ≠ budget {self.budget}")
        paid = sum(h.payment for h in self.hospitals) + self.reserve
        if paid != self.budget:
            out.append(f"Σ hospital payments + reserve = {paid} ≠ budget {self.budget}")
        shared = sum(h.rounding for h in self.hospitals)
        if shared != self.residual:
            out.append(f"Σ rounding shares = {shared} ≠ residual {self.residual}")
        return out


def pv_units(pv: Decimal) -> int:
    """A point value in fen per point (2 places) as integer 1/100 fen."""
    units = pv * PV_UNITS
    if units != units.to_integral_value():
        raise InputError(f"point value {pv} has more than 2 decimal places of fen")
    return int(units)


def liquidate(cases: Iterable[DipCase], cat: Catalogue, params: DipParams) -> Liquidation:
    """Year-end liquidation of all cases against the budget (the scalar reference)."""
    rows = [(c, case_points(c, cat, params)) for c in cases]
    if not rows:
        raise InputError("DIP: the year has no inpatient cases")
    reserve = round_at(Stage.DIP_RESERVE, params.budget * ratio_units(params.reserve_ratio))
    by_item = sum(c.cost for c, p in rows if params.by_item(p.kind))
    total = sum(p.points for _, p in rows)
    distributable = params.budget - reserve - by_item
    pv = settlement_point_value(distributable, total)
    bpv = pv_units(cat.budget_point_value)
    paid = [(c, p, c.cost if params.by_item(p.kind) else pay(p.points, pv)) for c, p in rows]
    sums: list[HospitalSums] = []
    for provider in sorted({c.provider_id for c, _ in rows}):
        mine = [t for t in paid if t[0].provider_id == provider]
        prepaid = 0
        for month in sorted({c.month for c, _, _ in mine}):
            month_rows = [t for t in mine if t[0].month == month]
            prepaid += prepayment(
                sum(p.points for _, p, _ in month_rows),
                sum(c.cost for c, p, _ in month_rows if params.by_item(p.kind)),
                sum(c.patient_paid + c.other_funds for c, _, _ in month_rows),
                bpv,
                params.prepay_ratio,
            )
        sums.append(
            HospitalSums(
                provider,
                len(mine),
                sum(p.points for _, p, _ in mine),
                sum(v for _, _, v in mine),
                sum(c.cost for c, p, _ in mine if params.by_item(p.kind)),
                sum(c.cost for c, _, _ in mine),
                sum(c.patient_paid for c, _, _ in mine),
                sum(c.other_funds for c, _, _ in mine),
                prepaid,
            )
        )
    lines = hospital_lines(sums, distributable, total, params.sharing)
    residual = params.budget - reserve - sum(h.value for h in lines)
    return Liquidation(
        params.budget,
        reserve,
        by_item,
        total,
        pv,
        bpv,
        residual,
        lines,
        tuple((p, v) for _, p, v in paid),
    )


@dataclass(frozen=True, slots=True)
class HospitalSums:
    """One hospital's aggregate of the year (what the scalar and the batch code both build)."""

    provider_id: str
    cases: int
    points: int
    value: Fen  # Σ case payments (by-item costs included)
    by_item: Fen
    cost: Fen
    patient_paid: Fen
    other_funds: Fen
    prepaid: Fen


def largest_remainder(total: int, weights: list[int], keys: list[str]) -> list[int]:
    """Split ``total`` (fen, ≥ 0) in proportion to ``weights`` (≥ 0, not all 0): each share
    floored, then one more to the largest remainders, ties by key. The shares add up to
    ``total`` exactly.

    >>> largest_remainder(10, [1, 1, 1], ["a", "b", "c"])
    [4, 3, 3]
    """
    whole = sum(weights)
    if whole <= 0 or total < 0:
        raise InputError("largest remainder: nothing to share by")
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), keys[i]))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def hospital_lines(
    sums: list[HospitalSums], distributable: Fen, total_points: int, rule: SharingRule
) -> tuple[HospitalLine, ...]:
    """Each hospital's line: its payment is by-item costs + its largest-remainder share of
    the distributable amount by points; ``rounding`` = payment − Σ case payments."""
    shares = largest_remainder(
        distributable, [s.points for s in sums], [s.provider_id for s in sums]
    )
    out = []
    for s, share in zip(sums, shares, strict=True):
        payment = s.by_item + share
        due = payment - s.patient_paid - s.other_funds
        out.append(
            HospitalLine(
                s.provider_id,
                s.cases,
                s.points,
                s.value,
                s.cost,
                s.patient_paid,
                s.other_funds,
                due,
                s.prepaid,
                due - s.prepaid,
                payment - s.cost,
                share_balance(payment, s.cost, rule),
                payment - s.value,
            )
        )
    if total_points != sum(s.points for s in sums):
        raise InputError("DIP: the hospitals' points do not add up to the total points")
    return tuple(out)


def prepayment(points: int, by_item: Fen, paid_by_others: Fen, bpv: int, ratio: Decimal) -> Fen:
    """One hospital-month: (points × budget point value + by-item − patient and other funds,
    floored at 0) × prepayment ratio, half-up (``Stage.PREPAYMENT``)."""
    fund = max(0, pay(points, bpv) + by_item - paid_by_others)
    return round_at(Stage.PREPAYMENT, fund * ratio_units(ratio))


def per_capita(patients: Mapping[str, int], rate: Fen) -> dict[str, Fen]:
    """Per-capita payment for chronic disease (按人头付费): enrolled patients × annual rate.

    >>> per_capita({"H1": 3}, 120_000)
    {'H1': 360000}
    """
    if rate < 0:
        raise InputError(f"per-capita rate must not be negative, got {rate} fen")
    return {p: n * rate for p, n in sorted(patients.items())}
