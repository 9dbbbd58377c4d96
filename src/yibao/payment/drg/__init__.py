"""DRG grouping (疾病诊断相关分组): schemes as versioned data and a pure, fast grouper."""

from yibao.payment.drg.grouper import (
    NOT_GROUPED_ADRG,
    NOT_GROUPED_DRG,
    NOT_GROUPED_MDC,
    DrgCase,
    DrgResult,
    Status,
    check_case,
    group,
    group_many,
)
from yibao.payment.drg.scheme import DEFAULT_SCHEME, Scheme, load_scheme, scheme_names

__all__ = [
    "DEFAULT_SCHEME",
    "NOT_GROUPED_ADRG",
    "NOT_GROUPED_DRG",
    "NOT_GROUPED_MDC",
    "DrgCase",
    "DrgResult",
    "Scheme",
    "Status",
    "check_case",
    "group",
    "group_many",
    "load_scheme",
    "scheme_names",
]
