"""Money and ratios: integer fen (分), Decimal ratios, and the named rounding stages.

Every amount in yibao is an ``int`` of fen. Ratios are ``Decimal`` with at most four
decimal places, so that any ratio is an integer number of ten-thousandths ("ratio units").
A product ``amount × ratio`` is then an exact integer of 1/10 000 fen, and rounding to the
fen is integer arithmetic: the scalar engine and the batch engines (DuckDB, Spark) compute
the same fen with no float anywhere.

Rounding is ROUND_HALF_UP to the fen. It happens only at the stages named in
:class:`Stage`, so that a trace can say where each fen was rounded. The published worked
examples round to 0.01 yuan at each step (policy-facts.md §11).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final, overload

import numpy as np
import numpy.typing as npt

Fen = int
"""An amount of money in fen (分, 0.01 yuan)."""

RATIO_SCALE: Final = 10_000
"""Ratios are exact multiples of 1/RATIO_SCALE (four decimal places)."""

_FEN_PER_YUAN: Final = Decimal(100)


class Stage(StrEnum):
    """The named stages at which an exact amount is rounded half-up to the fen."""

    LINE_AMOUNT = "line_amount"  # unit price × quantity of a claim line
    OVER_LIMIT = "over_limit"  # (price − payment standard) × quantity
    PRESELF = "class_b_preself"  # class-B pre-self-pay share of a line (乙类先行自付)
    DEDUCTIBLE = "deductible"  # a deductible scaled by a repeat-admission or route factor
    ITEM_FUND_SHARE = "item_fund_share"  # fund share of an item paid outside the schedule
    POOLED_FUND = "pooled_fund_segments"  # pooled-fund share over the segments of a claim
    CEILING_CROSSING = "ceiling_crossing"  # where a fund ceiling is reached inside a claim
    LARGE_AMOUNT = "large_amount"  # employee large-amount supplement share (大额)
    CRITICAL_ILLNESS = "critical_illness"  # critical illness share over its segments (大病)
    ASSISTANCE = "assistance"  # medical assistance share (医疗救助)
    TILTED_ASSISTANCE = "tilted_assistance"  # tilted assistance share (倾斜救助)
    CONTRIBUTION = "contribution"  # a contribution = base × rate
    DRG_BASE_RATE = "drg_base_rate"  # DRG budget ÷ Σ cases × RW, to the fen (费率)
    DRG_STANDARD = "drg_payment_standard"  # base rate × RW × hospital coefficient (支付标准)
    CASE_MIX_INDEX = "case_mix_index"  # mean relative weight to 4 places (CMI)
    DIP_CASE_POINTS = "dip_case_points"  # score × case factor × coefficient, to 1/10 000 point
    DIP_PAYMENT = "dip_case_payment"  # case points × point value, to the fen
    DRG_READMISSION = "drg_readmission_half"  # a readmitted case paid half (再入院减半)
    PREPAYMENT = "monthly_prepayment"  # a month's value × prepayment ratio (月度预付)
    BALANCE_SHARE = "balance_share"  # surplus kept or overspend shared (结余留用, 超支分担)
    DIP_RESERVE = "dip_reserve"  # budget × reserve ratio held back (调剂金)
    DIP_POINT_VALUE = "dip_point_value"  # distributable ÷ total points, to 1/100 fen (结算点值)
    CONTRIBUTION_BASE = "contribution_base"  # average wage × base floor or ceiling ratio
    RELATIVE_WEIGHT = "drg_relative_weight"  # group mean ÷ region mean to 4 places (相对权重)
    MEAN_COST = "group_mean_cost"  # a group's or region's mean historical cost, to the fen
    DIP_SCORE = "dip_score"  # DIP group score to 1/10 000 point (病种分值)
    PROJECTION_YEAR = "projection_year"  # a projected year's income, expenditure or balance
    MONTE_CARLO_SUMMARY = "monte_carlo_summary"  # a Monte Carlo quantile or mean
    ADJUSTMENT_TRANSFER = "adjustment_transfer"  # a provincial adjustment-fund transfer (调剂金)
    LTC_BENEFIT = "ltc_benefit"  # care bill × LTC payment ratio (长期护理保险待遇)
    LTC_FINANCING = "ltc_financing"  # contribution base × LTC financing rate (长护险筹资)
    SUPPLEMENTARY = "supplementary_tier"  # a band of a supplementary tier × its ratio (补充层)
    EPIDEMIC_FISCAL = "epidemic_central_share"  # fiscal share × central ratio (疫情中央补助)
    WARNING_FORECAST = "warning_forecast"  # a year's income or expenditure forecast for warning
    VBP_STANDARD = "vbp_payment_standard"  # a stepped payment standard after a VBP round (集采)
    VBP_SAVINGS = "vbp_retained_savings"  # VBP budget, actual and retained savings (结余留用)


class MoneyError(ValueError):
    """An amount or ratio that is not valid money."""


def yuan_to_fen(value: object) -> Fen:
    """Convert yuan given as a str, int or Decimal to fen, refusing floats and sub-fen digits.

    >>> yuan_to_fen("13160.00")
    1316000
    >>> yuan_to_fen(Decimal("0.5"))
    50
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"amount {value!r} must be given as a decimal string or integer")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise MoneyError(f"amount {value!r} is not a number") from None
    if not amount.is_finite():
        raise MoneyError(f"amount {value!r} is not a finite number")
    fen = amount * _FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"amount {value!r} has more than two decimal places")
    return int(fen)


def fen_to_yuan(fen: Fen) -> Decimal:
    """Fen as a Decimal of yuan with two places.

    >>> fen_to_yuan(1316000)
    Decimal('13160.00')
    """
    return Decimal(fen).scaleb(-2)


def format_yuan(fen: Fen) -> str:
    """Fen as a yuan string with thousands separators, e.g. ``13,160.00``."""
    return f"{fen_to_yuan(fen):,}"


def ratio(value: object) -> Decimal:
    """A ratio as Decimal, refusing floats and more than four decimal places.

    >>> ratio("0.112")
    Decimal('0.112')
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"ratio {value!r} must be given as a decimal string")
    try:
        r = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise MoneyError(f"ratio {value!r} is not a number") from None
    if not r.is_finite():
        raise MoneyError(f"ratio {value!r} is not a finite number")
    if (r * RATIO_SCALE) != (r * RATIO_SCALE).to_integral_value():
        raise MoneyError(f"ratio {value!r} has more than four decimal places")
    return r


def ratio_units(r: Decimal) -> int:
    """A ratio as an integer number of 1/10 000 (0.85 → 8500)."""
    units = r * RATIO_SCALE
    if units != units.to_integral_value():
        raise MoneyError(f"ratio {r} has more than four decimal places")
    return int(units)


@overload
def half_up(numerator: int, denominator: int) -> int: ...
@overload
def half_up(numerator: Any, denominator: Any) -> Any: ...
def half_up(numerator: Any, denominator: Any) -> Any:
    """⌊(2n + d) ÷ 2d⌋: n ÷ d rounded half-up, for n ≥ 0 and d > 0.

    This is the one half-up primitive of yibao. It is written with ``+``, ``*`` and ``//``
    only, so that the same formula evaluates on a Python int, a numpy int64 array, inside
    the compiled settlement kernel and on an Ibis integer column (DuckDB, Spark): every
    engine rounds with this one line.

    >>> half_up(5, 2), half_up(4, 2), half_up(7, 4)
    (3, 2, 2)
    """
    return (numerator * 2 + denominator) // (denominator * 2)


def div_half_up(numerator: int, denominator: int) -> int:
    """:func:`half_up` on Python ints, symmetric for a negative numerator (−x rounds as x).

    >>> div_half_up(5, 2), div_half_up(-5, 2)
    (3, -3)
    """
    if denominator <= 0:
        raise MoneyError("denominator must be positive")
    if numerator < 0:
        return -half_up(-numerator, denominator)
    return half_up(numerator, denominator)


def div_half_up_array(
    numerator: npt.NDArray[np.int64], denominator: npt.NDArray[np.int64] | int
) -> npt.NDArray[np.int64]:
    """:func:`half_up` element-wise over int64 arrays (non-negative numerators, positive
    denominators), for table code that works on whole columns.

    >>> div_half_up_array(np.array([5, 4, 7]), np.array([2, 2, 4])).tolist()
    [3, 2, 2]
    """
    n = np.asarray(numerator, np.int64)
    d = np.asarray(denominator, np.int64)
    if (d <= 0).any() or (n < 0).any():
        raise MoneyError("div_half_up_array needs numerators ≥ 0 and denominators > 0")
    return np.asarray(half_up(n, d), np.int64)


@overload
def round_at(stage: Stage, numerator: int, denominator: int = ...) -> int: ...
@overload
def round_at(stage: Stage, numerator: Any, denominator: Any = ...) -> Any: ...
def round_at(stage: Stage, numerator: Any, denominator: Any = RATIO_SCALE) -> Any:
    """Round ``numerator ÷ denominator`` half-up at the named ``stage``.

    Every rounding of money in yibao goes through here, on ints, arrays or Ibis columns;
    the stage names where it happens (the trace cites them). The default denominator turns
    an exact amount × ratio in 1/10 000 fen into fen.

    >>> round_at(Stage.POOLED_FUND, 12_345_000)  # 1 234.5 fen → 1 235 fen
    1235
    """
    if isinstance(numerator, int) and isinstance(denominator, int):
        return div_half_up(numerator, denominator)
    out = half_up(numerator, denominator)
    cast = getattr(out, "cast", None)  # an Ibis column stays int64 on every backend (Spark)
    return out if cast is None else cast("int64")


def round_units(units: int, stage: Stage) -> Fen:
    """Round an amount in 1/10 000 fen (amount × ratio units) half-up to the fen."""
    return round_at(stage, units)


def apply_ratio(amount: Fen, r: Decimal, stage: Stage) -> Fen:
    """``amount × r`` rounded half-up to the fen at ``stage``.

    >>> apply_ratio(318, Decimal("0.1"), Stage.PRESELF)  # 3.18 yuan × 10 % = 0.318 → 0.32
    32
    """
    return round_at(stage, amount * ratio_units(r))


def round_decimal_fen(value: Decimal, stage: Stage) -> Fen:
    """An exact Decimal amount of fen rounded half-up to an integer at ``stage``."""
    fraction = value.as_integer_ratio()
    return round_at(stage, fraction[0], fraction[1])


def round_fraction(stage: Stage, value: Fraction, places: int = 0) -> Decimal:
    """An exact fraction rounded half-up to ``places`` decimals at ``stage``.

    >>> round_fraction(Stage.RELATIVE_WEIGHT, Fraction(2, 3), 4)
    Decimal('0.6667')
    """
    units = round_at(stage, value.numerator * 10**places, value.denominator)
    return Decimal(units).scaleb(-places)
