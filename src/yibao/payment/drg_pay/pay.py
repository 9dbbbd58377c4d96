"""DRG payment (按病组付费): base rate, payment standards, outliers and the hospital side.

* Base rate (费率) by the rate method: DRG budget ÷ Σ(expected cases × RW) (policy-facts.md
  §8.2, "Rate method").
* Payment standard (支付标准) = base rate × RW × hospital-level coefficient, rounded at
  ``Stage.DRG_STANDARD`` (§8.2; the coefficient is a local parameter, §11 "DRG/DIP
  coefficients").
* High-cost outliers (费用极高病例): cost above a multiple of the standard by hospital level
  (3× L3, 2× L2) are paid by item, at most ``high_cap`` (5 %) of a hospital's discharges;
  low-cost outliers (费用极低病例): cost below a fraction (30 % spec default, 40 % in many
  cities) are paid by item (§8.2, "High-cost outlier", "Low-cost outlier").
* Readmission (再入院): when a patient is admitted again in the same DRG within
  ``readmission_days`` (15 by default) of a discharge, the earlier case's payment is halved
  (half-up to the fen), as the Jinhua point method halves the earlier case's points
  (policy-facts.md §8.2, "Point method": "readmission in the same DRG within 10–15 days
  halves the earlier case's points"). Each case is compared with the patient's next
  admission in the same DRG; the gap is next admission date − this discharge date, 0 to N
  days. Ungrouped cases and cases without a person or dates are never halved.
* The hospital-side identity: pooled fund to hospital = what the case is worth under DRG −
  what the patient paid − other funds; it can be negative (§8.2, "Hospital-side identity";
  example ``drg-sb11-hospital-settlement``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any

from yibao.errors import InputError
from yibao.formula import where
from yibao.money import RATIO_SCALE, Fen, Stage, ratio_units, round_at


class CaseKind(StrEnum):
    NORMAL = "normal"  # paid the group standard
    HIGH_COST = "high_cost"  # 费用极高, paid by item
    HIGH_COST_OVER_CAP = "high_cost_over_cap"  # above the multiple but beyond the cap: standard
    LOW_COST = "low_cost"  # 费用极低, paid by item
    UNGROUPED = "ungrouped"  # no DRG or no weight: paid by item


def _default_coefficients() -> dict[str, Decimal]:
    return {"L1": Decimal("0.85"), "L2": Decimal("0.92"), "L3": Decimal("1")}


def _default_multiples() -> dict[str, Decimal]:
    return {"L1": Decimal("2"), "L2": Decimal("2"), "L3": Decimal("3")}


@dataclass(frozen=True)
class DrgParams:
    """The local parameters of DRG payment. Coefficients are [M] examples: set them locally."""

    coefficients: Mapping[str, Decimal] = field(default_factory=_default_coefficients)
    high_multiple: Mapping[str, Decimal] = field(default_factory=_default_multiples)
    low_fraction: Decimal = Decimal("0.3")
    high_cap: Decimal = Decimal("0.05")
    readmission_days: int = 15  # §8.2 "Point method": 10–15 days; 0 turns the rule off

    def __post_init__(self) -> None:
        if self.readmission_days < 0:
            raise InputError(f"DRG readmission days must be ≥ 0, got {self.readmission_days}")


def base_rate(budget: Fen, expected: Mapping[str, int], weights: Mapping[str, Decimal]) -> Fen:
    """费率: budget ÷ Σ(expected cases × RW), half-up to the fen (``Stage.DRG_BASE_RATE``).

    >>> base_rate(1_000_000, {"A": 10, "B": 5}, {"A": Decimal("0.5"), "B": Decimal("2")})
    66667
    """
    if budget <= 0:
        raise InputError(f"DRG budget must be positive, got {budget} fen")
    units = sum(n * ratio_units(weights[g]) for g, n in expected.items() if g in weights)
    if units <= 0:
        raise InputError("DRG base rate: no expected cases with a weight")
    return round_at(Stage.DRG_BASE_RATE, budget * RATIO_SCALE, units)


def payment_standard(rate: Fen, rw: Decimal, coefficient: Decimal) -> Fen:
    """base rate × RW × coefficient, rounded once at ``Stage.DRG_STANDARD``.

    >>> payment_standard(1_000_000, Decimal("1.2345"), Decimal("0.92"))
    1135740
    """
    return round_at(
        Stage.DRG_STANDARD, rate * ratio_units(rw) * ratio_units(coefficient), RATIO_SCALE**2
    )


@dataclass(frozen=True, slots=True)
class DrgClaim:
    """One discharged case as DRG payment sees it (amounts in fen)."""

    case_id: str
    provider_id: str
    level: str
    drg: str  # "0000" when not grouped
    cost: Fen  # the item-based total (医疗总费用)
    patient_paid: Fen = 0  # individual account + cash
    other_funds: Fen = 0  # critical illness, large amount, assistance, …
    person_id: str = ""  # for the readmission rule (empty: the rule does not apply)
    admit_date: date | None = None
    discharge_date: date | None = None


@dataclass(frozen=True, slots=True)
class DrgPayment:
    """The hospital side of one case."""

    case_id: str
    provider_id: str
    drg: str
    kind: CaseKind
    standard: Fen  # the group's payment standard at this hospital (0 when ungrouped)
    value: Fen  # what the case is worth: the standard, or the cost when paid by item
    fund_to_hospital: Fen  # value − patient_paid − other_funds (may be negative)
    cost: Fen
    patient_paid: Fen
    other_funds: Fen
    readmission: bool = False  # halved: the patient came back in the same DRG within N days


def fund_to_hospital(value: Fen, patient_paid: Fen, other_funds: Fen) -> Fen:
    """The hospital-side identity (§8.2); negative when the patient and others paid more.

    >>> fund_to_hospital(2_422_705, 2_600_632, 1_275_196)  # drg-sb11-hospital-settlement
    -1453123
    """
    return value - patient_paid - other_funds


def classify(cost: Fen, standard: Fen, level: str, params: DrgParams) -> CaseKind:
    """Outlier test in integers: cost·10⁴ against multiple·standard (no division)."""
    multiple = params.high_multiple.get(level)
    if multiple is None:
        raise InputError(f"DRG payment: no high-cost multiple for hospital level {level!r}")
    return CaseKind(
        kind_formula(cost, standard, ratio_units(multiple), ratio_units(params.low_fraction))
    )


def kind_formula(cost: Any, standard: Any, high_units: Any, low_units: int) -> Any:
    """The outlier kind of a grouped case (§8.2): above ``high_units``/10⁴ × standard it is
    high-cost, below ``low_units``/10⁴ × standard low-cost. The one formula, evaluated on a
    case's ints (:func:`classify`) and on a table's columns (``drg_pay.batch``).

    >>> kind_formula(300, 100, 20_000, 3_000), kind_formula(20, 100, 20_000, 3_000)
    ('high_cost', 'low_cost')
    """
    scaled = cost * RATIO_SCALE
    return where(
        scaled > high_units * standard,
        "high_cost",
        where(scaled < low_units * standard, "low_cost", "normal"),
    )


def value_formula(kind: Any, standard: Any, cost: Any, readmission: Any) -> Any:
    """What a case is worth: the standard for a normal case or a high-cost case beyond the
    cap, else its item cost; halved (``Stage.DRG_READMISSION``) for a readmission (§8.2)."""
    full = where((kind == "normal") | (kind == "high_cost_over_cap"), standard, cost)
    return where(readmission, round_at(Stage.DRG_READMISSION, full, 2), full)


def pay_cases(
    claims: Iterable[DrgClaim],
    weights: Mapping[str, Decimal],
    rate: Fen,
    params: DrgParams = DrgParams(),
) -> list[DrgPayment]:
    """Pay every case; the high-cost cap applies per hospital, most extreme cases first."""
    rows: list[tuple[DrgClaim, Fen, CaseKind]] = []
    for c in claims:
        coefficient = params.coefficients.get(c.level)
        if coefficient is None:
            raise InputError(f"case {c.case_id}: no DRG coefficient for level {c.level!r}")
        if c.drg not in weights:
            rows.append((c, 0, CaseKind.UNGROUPED))
            continue
        std = payment_standard(rate, weights[c.drg], coefficient)
        rows.append((c, std, classify(c.cost, std, c.level, params)))
    capped = _over_cap(rows, params.high_cap)
    halved = readmitted(
        [c for c, _, kind in rows if kind is not CaseKind.UNGROUPED], params.readmission_days
    )
    out: list[DrgPayment] = []
    for c, std, kind in rows:
        if c.case_id in capped:
            kind = CaseKind.HIGH_COST_OVER_CAP
        value = value_formula(kind, std, c.cost, c.case_id in halved)
        out.append(
            DrgPayment(
                c.case_id,
                c.provider_id,
                c.drg,
                kind,
                std,
                value,
                fund_to_hospital(value, c.patient_paid, c.other_funds),
                c.cost,
                c.patient_paid,
                c.other_funds,
                c.case_id in halved,
            )
        )
    return out


def readmitted(claims: Iterable[DrgClaim], days: int) -> set[str]:
    """The cases followed by the same patient's next admission in the same DRG within
    ``days`` of their discharge (0 ≤ next admission − discharge ≤ days): their payment is
    halved (§8.2, "Point method"). ``days`` = 0 turns the rule off.

    >>> a = DrgClaim("a", "H", "L3", "X", 1, person_id="p", admit_date=date(2025, 1, 1),
    ...              discharge_date=date(2025, 1, 5))
    >>> b = DrgClaim("b", "H", "L3", "X", 1, person_id="p", admit_date=date(2025, 1, 20),
    ...              discharge_date=date(2025, 1, 22))
    >>> readmitted([a, b], 15), readmitted([a, b], 14), readmitted([a, b], 0)
    ({'a'}, set(), set())
    """
    if days <= 0:
        return set()
    stays: dict[tuple[str, str], list[tuple[date, str, date]]] = {}
    for c in claims:
        if c.person_id and c.admit_date is not None and c.discharge_date is not None:
            stays.setdefault((c.person_id, c.drg), []).append(
                (c.admit_date, c.case_id, c.discharge_date)
            )
    out: set[str] = set()
    for seq in stays.values():
        seq.sort()
        for (_, case_id, discharged), (admitted, _, _) in pairwise(seq):
            if 0 <= (admitted - discharged).days <= days:
                out.add(case_id)
    return out


RANK_SCALE = 10**6
"""High-cost cases are ranked by cost ÷ standard truncated to 6 places, then by case id."""


def extremity(cost: Any, standard: Any) -> Any:
    """The ranking key ⌊cost × 10⁶ ÷ standard⌋ (the batch engine computes the same integer)."""
    return cost * RANK_SCALE // standard


def allowed_outliers(discharges: Any, cap: Decimal) -> Any:
    """⌊discharges × cap⌋: how many high-cost cases a hospital may have paid by item."""
    return discharges * ratio_units(cap) // RATIO_SCALE


def _over_cap(rows: Sequence[tuple[DrgClaim, Fen, CaseKind]], cap: Decimal) -> set[str]:
    """High-cost cases beyond ⌊cap × discharges⌋ of their hospital, least extreme first."""
    discharges: dict[str, int] = {}
    high: dict[str, list[tuple[int, str]]] = {}
    for c, std, kind in rows:
        discharges[c.provider_id] = discharges.get(c.provider_id, 0) + 1
        if kind is CaseKind.HIGH_COST:
            high.setdefault(c.provider_id, []).append((extremity(c.cost, std), c.case_id))
    over: set[str] = set()
    for provider, cases in high.items():
        cases.sort(key=lambda t: (-t[0], t[1]))
        over.update(case_id for _, case_id in cases[allowed_outliers(discharges[provider], cap) :])
    return over


def case_mix_index(weights: Mapping[str, Decimal], drgs: Iterable[str]) -> Decimal:
    """CMI = mean RW of a hospital's grouped cases, half-up to 4 places (0 when none)."""
    rws = [weights[d] for d in drgs if d in weights]
    if not rws:
        return Decimal(0)
    units = round_at(Stage.CASE_MIX_INDEX, sum(ratio_units(w) for w in rws), len(rws))
    return Decimal(units).scaleb(-4)
