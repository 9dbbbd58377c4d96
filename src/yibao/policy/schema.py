"""The parameter schema: every leaf a policy pack may set, with its type.

A path is dotted: ``employee.inpatient.deductible.amount.L3``. Patterns use ``{name}`` for
one segment drawn from an enumeration. Person-type overrides are written under
``{scheme}.{visit}.by_person.{person_type}`` and may set any visit-level leaf; a lookup for
that person type finds the override first and falls back to the visit-level value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache

from yibao.payment.drg.scheme import scheme_names
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, VisitType


class Kind(StrEnum):
    """The value type of a leaf."""

    MONEY = "money"  # yuan in the pack, fen in memory
    RATIO = "ratio"  # Decimal in [0, 1], at most 4 places
    DELTA = "delta"  # Decimal in [-1, 1]: an adjustment in ratio points
    FACTOR = "factor"  # Decimal in [0, 10]: a multiplier (a deductible × 1.2)
    BOOL = "bool"
    INT = "int"
    ENUM = "enum"
    IDENT = "ident"  # a lower-case identifier naming something else in the pack
    BANDS = "bands"  # [{upto: money | null, ratio}], ascending, last open
    AGE_BANDS = "age_bands"  # [{min_age: int, add: delta}], ascending
    ENUM_LIST = "enum_list"


@dataclass(frozen=True, slots=True)
class LeafSpec:
    """What one leaf accepts."""

    kind: Kind
    doc: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # may be null (no such rule: no cap, no fixed amount …)


@dataclass(frozen=True, slots=True)
class Band:
    """One expense segment (费用分段): the ratio that applies up to ``upto`` fen."""

    upto: int | None
    ratio: Decimal


@dataclass(frozen=True, slots=True)
class AgeBand:
    """A ratio adjustment for persons aged ``min_age`` or more."""

    min_age: int
    add: Decimal


LEVELS = tuple(level.value for level in Level)
SCHEMES = tuple(s.value for s in Scheme)
VISITS = tuple(v.value for v in VisitType)
PERSONS = tuple(p.value for p in PersonType)
ROUTES = tuple(r.value for r in Route if r is not Route.LOCAL)
CATEGORIES = tuple(c.value for c in AssistanceCategory)
ACCOUNT_PARTS = (
    "deductible",
    "coinsurance",
    "preself",
    "over_ceiling",
    "over_limit",
    "full_selfpay",
)

_SEGMENT_CHOICES: dict[str, tuple[str, ...]] = {
    "scheme": SCHEMES,
    "visit": VISITS,
    "level": LEVELS,
    "person": PERSONS,
    "route": ROUTES,
    "category": CATEGORIES,
    "group": (),  # any identifier
}

_VISIT_LEAVES: dict[str, LeafSpec] = {
    "enabled": LeafSpec(Kind.BOOL, "whether the scheme pays for this visit type at all"),
    "ceiling_group": LeafSpec(
        Kind.IDENT,
        "the annual ceiling (by group name) that this visit type counts against",
        optional=True,
    ),
    "deductible.mode": LeafSpec(
        Kind.ENUM,
        "per admission, once a year, or none (起付标准)",
        ("per_admission", "annual", "none"),
    ),
    "deductible.amount.{level}": LeafSpec(Kind.MONEY, "deductible at a hospital level"),
    "deductible.factor": LeafSpec(
        Kind.FACTOR, "multiplier on the deductible (e.g. retirees × 0.65)"
    ),
    "deductible.second_factor": LeafSpec(Kind.RATIO, "2nd admission in a year pays this share"),
    "deductible.third_factor": LeafSpec(
        Kind.RATIO, "3rd and later admissions pay this share of the first", optional=True
    ),
    "deductible.third_fixed": LeafSpec(
        Kind.MONEY, "3rd and later admissions pay this fixed amount", optional=True
    ),
    "deductible.floor": LeafSpec(Kind.MONEY, "a reduced deductible is never below this"),
    "deductible.annual_cap": LeafSpec(
        Kind.MONEY, "deductibles in a year stop once they total this", optional=True
    ),
    "fund.bands.{level}": LeafSpec(Kind.BANDS, "fund ratio by expense segment at a level"),
    "fund.basis": LeafSpec(
        Kind.ENUM,
        "segment bounds measured on policy-scope expense or on the amount above the deductible",
        ("expense", "above_deductible"),
    ),
    "fund.scope": LeafSpec(
        Kind.ENUM,
        "segments accumulate over the year or restart each admission",
        ("year", "admission"),
    ),
    "fund.ratio_add": LeafSpec(Kind.DELTA, "points added to every band ratio (retirees +5 pp …)"),
    "fund.age_adjust": LeafSpec(Kind.AGE_BANDS, "points added from an age on (70+ …)"),
}

_SCHEME_LEAVES: dict[str, LeafSpec] = {
    "class_b_preself_ratio": LeafSpec(
        Kind.RATIO, "class-B pre-self-pay ratio for items without their own (乙类先行自付比例)"
    ),
    "ceilings.{group}.kind": LeafSpec(
        Kind.ENUM, "the ceiling caps fund payment or policy-scope expense", ("fund", "expense")
    ),
    "ceilings.{group}.amount": LeafSpec(Kind.MONEY, "annual ceiling (最高支付限额)"),
    "large_amount.enabled": LeafSpec(
        Kind.BOOL, "employee large-amount supplement (大额医疗费用补助)"
    ),
    "large_amount.ratio": LeafSpec(Kind.RATIO, "share of policy-scope expense above the ceiling"),
    "large_amount.cap": LeafSpec(Kind.MONEY, "annual cap of the large-amount fund", optional=True),
    "critical_illness.enabled": LeafSpec(
        Kind.BOOL, "critical illness insurance (大病保险) applies"
    ),
    "critical_illness.threshold": LeafSpec(Kind.MONEY, "annual threshold (起付线)"),
    "critical_illness.bands": LeafSpec(Kind.BANDS, "segments of the compliant self-pay"),
    "critical_illness.band_basis": LeafSpec(
        Kind.ENUM,
        "bands given as absolute amounts or as amounts above the threshold",
        ("absolute", "above_threshold"),
    ),
    "critical_illness.cap": LeafSpec(Kind.MONEY, "annual cap (封顶线)", optional=True),
    "critical_illness.includes_preself": LeafSpec(
        Kind.BOOL, "class-B pre-self-pay counts as compliant self-pay"
    ),
    "critical_illness.tilt.categories": LeafSpec(
        Kind.ENUM_LIST, "assistance categories with tilted critical illness", CATEGORIES
    ),
    "critical_illness.tilt.threshold_factor": LeafSpec(Kind.RATIO, "threshold multiplier (0.5)"),
    "critical_illness.tilt.ratio_add": LeafSpec(Kind.DELTA, "points added to each band (+0.05)"),
    "critical_illness.tilt.remove_cap": LeafSpec(Kind.BOOL, "no annual cap for the tilted groups"),
    "contribution.employer_rate": LeafSpec(
        Kind.RATIO, "employer contribution rate on the base (单位缴费率)"
    ),
    "contribution.employee_rate": LeafSpec(
        Kind.RATIO, "employee contribution rate on the base (个人缴费率)"
    ),
    "contribution.base_floor_ratio": LeafSpec(
        Kind.FACTOR, "contribution base floor as a multiple of the average wage (缴费基数下限)"
    ),
    "contribution.base_ceiling_ratio": LeafSpec(
        Kind.FACTOR, "contribution base ceiling as a multiple of the average wage (缴费基数上限)"
    ),
    "contribution.average_wage": LeafSpec(
        Kind.MONEY, "monthly average wage the base bounds refer to (社平工资, per month)"
    ),
    "contribution.employee_account_share": LeafSpec(
        Kind.RATIO, "share of the employee's own contribution credited to the individual account"
    ),
    "contribution.employer_account_share": LeafSpec(
        Kind.RATIO, "share of the employer contribution credited to the individual account"
    ),
    "contribution.retiree_account_credit": LeafSpec(
        Kind.MONEY, "monthly fixed credit to a retiree's individual account (定额划入)"
    ),
    "contribution.individual": LeafSpec(
        Kind.MONEY, "annual individual contribution of a resident (居民个人缴费)"
    ),
    "contribution.subsidy": LeafSpec(
        Kind.MONEY, "annual fiscal subsidy per resident (人均财政补助)"
    ),
    "contribution.central_share": LeafSpec(
        Kind.RATIO, "central government's share of the fiscal subsidy (中央财政补助比例)"
    ),
    "contribution.assistance_aid.{category}": LeafSpec(
        Kind.RATIO, "share of the individual contribution medical assistance pays (资助参保)"
    ),
    "account.enabled": LeafSpec(Kind.BOOL, "an individual account (个人账户) exists"),
    "account.covers": LeafSpec(
        Kind.ENUM_LIST, "parts the account may pay, in the order it pays them", ACCOUNT_PARTS
    ),
}

_PACK_LEAVES: dict[str, LeafSpec] = {
    "payment.drg.scheme": LeafSpec(
        Kind.ENUM,
        "the DRG grouping scheme (分组方案) the region's DRG payment groups its cases with",
        scheme_names(),
    ),
    "cross_region.{route}.ratio_cut": LeafSpec(
        Kind.RATIO, "points taken off every fund ratio for this route (医保发〔2022〕22号)"
    ),
    "cross_region.{route}.deductible_factor": LeafSpec(Kind.FACTOR, "deductible multiplier"),
    "assistance.includes_preself": LeafSpec(
        Kind.BOOL, "class-B pre-self-pay counts in the assistance base"
    ),
    "assistance.{category}.deductible": LeafSpec(Kind.MONEY, "annual assistance deductible"),
    "assistance.{category}.ratio": LeafSpec(Kind.RATIO, "assistance ratio (救助比例)"),
    "assistance.{category}.cap": LeafSpec(Kind.MONEY, "annual assistance limit", optional=True),
    "assistance.{category}.tilt.threshold": LeafSpec(
        Kind.MONEY, "tilted assistance (倾斜救助) above this self-pay in one claim"
    ),
    "assistance.{category}.tilt.ratio": LeafSpec(Kind.RATIO, "tilted assistance ratio"),
    "assistance.{category}.tilt.cap": LeafSpec(
        Kind.MONEY, "annual tilted assistance limit", optional=True
    ),
}


def _expand() -> list[tuple[str, LeafSpec]]:
    patterns: list[tuple[str, LeafSpec]] = []
    for rest, spec in _SCHEME_LEAVES.items():
        patterns.append(("{scheme}." + rest, spec))
    for rest, spec in _VISIT_LEAVES.items():
        patterns.append(("{scheme}.{visit}." + rest, spec))
        patterns.append(("{scheme}.{visit}.by_person.{person}." + rest, spec))
    patterns.extend(_PACK_LEAVES.items())
    return patterns


_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class _Compiled:
    parts: tuple[str, ...]
    spec: LeafSpec


_COMPILED = [_Compiled(tuple(p.split(".")), s) for p, s in _expand()]


def _segment_matches(pattern: str, segment: str) -> bool:
    if pattern.startswith("{"):
        choices = _SEGMENT_CHOICES[pattern[1:-1]]
        return segment in choices if choices else bool(_IDENT.match(segment))
    return pattern == segment


@cache
def leaf_spec(path: str) -> LeafSpec | None:
    """The spec of a leaf path, or None when the path is not a leaf."""
    parts = tuple(path.split("."))
    for c in _COMPILED:
        if len(c.parts) == len(parts) and all(
            _segment_matches(p, s) for p, s in zip(c.parts, parts, strict=True)
        ):
            return c.spec
    return None


@cache
def is_branch(path: str) -> bool:
    """True when some leaf lies below ``path``."""
    parts = tuple(path.split(".")) if path else ()
    n = len(parts)
    for c in _COMPILED:
        if len(c.parts) > n and all(
            _segment_matches(p, s) for p, s in zip(c.parts[:n], parts, strict=True)
        ):
            return True
    return False


def children_hint(path: str) -> list[str]:
    """The keys allowed right below ``path`` (for error messages)."""
    parts = tuple(path.split(".")) if path else ()
    n = len(parts)
    keys: set[str] = set()
    for c in _COMPILED:
        if len(c.parts) > n and all(
            _segment_matches(p, s) for p, s in zip(c.parts[:n], parts, strict=True)
        ):
            keys.add(c.parts[n])
    return sorted(keys)


def iter_leaf_patterns() -> Iterator[tuple[str, LeafSpec]]:
    """Every leaf pattern with its spec (for documentation)."""
    yield from _expand()


__all__ = [
    "AgeBand",
    "Band",
    "Kind",
    "LeafSpec",
    "children_hint",
    "is_branch",
    "iter_leaf_patterns",
    "leaf_spec",
]
