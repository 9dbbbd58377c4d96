"""Every leaf an LTC pack (``ltc/packs/*.yaml``) may set, with its type.

The LTC counterpart of :mod:`yibao.policy.schema`. ``{form}`` is a care form named by the pack
(``institution``, ``home_visit``, ``hospital_l2``, ``family_care`` …). The loader
(:func:`yibao.ltc.benefit.parse_pack`) refuses any key not listed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

LEAVES: Final[Mapping[str, tuple[str, str]]] = {
    "region": ("ident", "the pilot region the pack is for"),
    "ledger_region": ("code", "6-digit administrative code the LTC fund is booked under"),
    "min_level": ("int", "lowest disability level paid, 0-5 (most pilots: 3, severe I)"),
    "cap_mode": ("enum", "ratio_then_cap: min(cost × ratio, cap); cap_then_ratio: min(cost, cap) × ratio"),
    "rules.{form}.ratio": ("ratio", "the fund's share of the eligible care cost"),
    "rules.{form}.day_cap": ("money", "cap per bed-day or care day (yuan), × the bill's days"),
    "rules.{form}.month_cap": ("money", "cap per month (yuan)"),
    "rules.{form}.cash_per_day": ("money", "flat cash per day (family care), instead of a ratio"),
    "rules.{form}.source": ("text", "the document each rule comes from"),
    "eligibility.schemes": ("enum_list", "basic schemes covered: employee, resident"),
    "eligibility.waiting_months": ("int", "months of continuous enrolment before benefits"),
    "eligibility.min_disability_months": ("int", "months the disability must have lasted"),
    "eligibility.synthetic": ("bool", "true when a value is not in the facts"),
    "eligibility.source": ("text", "the documents the conditions come from"),
}  # fmt: skip


def leaves_of(data: Mapping[str, object], prefix: str = "") -> Iterator[str]:
    """The schema paths a parsed pack sets (care forms written as ``{form}``)."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if prefix == "rules.":
            path = "rules.{form}"
        if isinstance(value, Mapping):
            yield from leaves_of(value, f"{path}.")
        else:
            yield path
