"""DRG payment (按病组付费): relative weights, base rate, standards, outliers, hospital side."""

from yibao.payment.drg_pay.pay import (
    CaseKind,
    DrgClaim,
    DrgParams,
    DrgPayment,
    base_rate,
    case_mix_index,
    classify,
    fund_to_hospital,
    pay_cases,
    payment_standard,
)
from yibao.payment.drg_pay.weights import GroupWeight, TrimRule, relative_weights, trim

__all__ = [
    "CaseKind",
    "DrgClaim",
    "DrgParams",
    "DrgPayment",
    "GroupWeight",
    "TrimRule",
    "base_rate",
    "case_mix_index",
    "classify",
    "fund_to_hospital",
    "pay_cases",
    "payment_standard",
    "relative_weights",
    "trim",
]
