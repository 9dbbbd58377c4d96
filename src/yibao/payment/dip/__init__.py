"""DIP payment (按病种分值付费): catalogue, scores, point values, prepayment, liquidation."""

from yibao.payment.dip.catalogue import (
    Catalogue,
    DipGroup,
    YearStats,
    build_catalogue,
    comprehensive_key,
    core_key,
)
from yibao.payment.dip.liquidation import (
    DipCase,
    DipParams,
    HospitalLine,
    Liquidation,
    case_points,
    liquidate,
    per_capita,
    settlement_point_value,
)

__all__ = [
    "Catalogue",
    "DipCase",
    "DipGroup",
    "DipParams",
    "HospitalLine",
    "Liquidation",
    "YearStats",
    "build_catalogue",
    "case_points",
    "comprehensive_key",
    "core_key",
    "liquidate",
    "per_capita",
    "settlement_point_value",
]
