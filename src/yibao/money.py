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

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

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
    DIP_CASE_POINTS = "dip_case_points"  # score × case factor × coefficient, to 1/10 000 point
    DIP_PAYMENT = "dip_case_payment"  # case points × point value, to the fen
    PREPAYMENT = "monthly_prepayment"  # a month's value × prepayment ratio (月度预付)
    BALANCE_SHARE = "balance_share"  # surplus kept or overspend shared (结余留用, 超支分担)


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
    return (Decimal(fen) / _FEN_PER_YUAN).quantize(Decimal("0.01"))


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


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up, for non-negative numerator and positive denominator.

    This is the one rounding primitive: the batch engines use the same integer formula.

    >>> div_half_up(5, 2), div_half_up(4, 2), div_half_up(7, 4)
    (3, 2, 2)
    """
    if denominator <= 0:
        raise MoneyError("denominator must be positive")
    if numerator < 0:
        return -div_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def div_half_up_array(
    numerator: npt.NDArray[np.int64], denominator: npt.NDArray[np.int64] | int
) -> npt.NDArray[np.int64]:
    """:func:`div_half_up` element-wise over int64 arrays (non-negative numerators, positive
    denominators): the same integer formula, for table code that works on whole columns.

    >>> div_half_up_array(np.array([5, 4, 7]), np.array([2, 2, 4])).tolist()
    [3, 2, 2]
    """
    n = np.asarray(numerator, np.int64)
    d = np.asarray(denominator, np.int64)
    if (d <= 0).any() or (n < 0).any():
        raise MoneyError("div_half_up_array needs numerators ≥ 0 and denominators > 0")
    return np.asarray((2 * n + d) // (2 * d), np.int64)


def round_units(units: int) -> Fen:
    """Round an amount in 1/10 000 fen (amount × ratio units) half-up to the fen."""
    return div_half_up(units, RATIO_SCALE)


def apply_ratio(amount: Fen, r: Decimal) -> Fen:
    """``amount × r`` rounded half-up to the fen.

    >>> apply_ratio(318, Decimal("0.1"))  # 3.18 yuan × 10 % = 0.318 → 0.32
    32
    """
    return round_units(amount * ratio_units(r))


def round_decimal_fen(value: Decimal) -> Fen:
    """An exact Decimal amount of fen rounded half-up to an integer."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
