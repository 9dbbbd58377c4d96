"""Rule keys reduced to what changes the parameters, and the rules of each key resolved once.

Two claims whose settle dates fall between the same two version boundaries of the insured
chain, and whose ages lie between the same two age-band thresholds, get the same rules. A
key is reduced to the period start and the band threshold (:func:`reduced_key`), so that the
scalar and the table engine resolve each distinct key once (:func:`rules_for`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from yibao.policy.errors import PolicyError
from yibao.policy.pack import PolicyChain
from yibao.policy.schema import AgeBand
from yibao.settle.kernel import Int64s, params_row
from yibao.settle.rules import RuleKey, Rules, resolve_rules


@dataclass(frozen=True)
class ChainBounds:
    """Where a chain's parameters can change: version boundaries and age-band thresholds."""

    days: tuple[date, ...]
    ages: tuple[int, ...]

    def period(self, day: date) -> date:
        """The latest boundary on or before ``day`` (``day`` itself before the first)."""
        i = bisect.bisect_right(self.days, day) - 1
        return self.days[i] if i >= 0 else day

    def age(self, age: int) -> int:
        i = bisect.bisect_right(self.ages, age) - 1
        return self.ages[i] if i >= 0 else age


def chain_bounds(chain: PolicyChain) -> ChainBounds:
    """Every version start, day after a version end, and age-band threshold in ``chain``."""
    days: set[date] = set()
    ages = {0}
    for pack in chain.packs:
        for path, versions in pack.leaves.items():
            for v in versions:
                days.add(v.start)
                if v.end is not None:
                    days.add(v.end + timedelta(days=1))
                if path.endswith("fund.age_adjust") and isinstance(v.value, tuple):
                    ages.update(b.min_age for b in v.value if isinstance(b, AgeBand))
    return ChainBounds(tuple(sorted(days)), tuple(sorted(ages)))


_BOUNDS: dict[int, tuple[PolicyChain, ChainBounds]] = {}
_RULES: dict[tuple[int, RuleKey], tuple[PolicyChain, Rules, Int64s]] = {}


def bounds_of(chain: PolicyChain) -> ChainBounds:
    """:func:`chain_bounds`, remembered per chain object."""
    hit = _BOUNDS.get(id(chain))
    if hit is not None and hit[0] is chain:
        return hit[1]
    found = chain_bounds(chain)
    _BOUNDS[id(chain)] = (chain, found)
    return found


def reduced_key(chain: PolicyChain, key: RuleKey) -> RuleKey:
    """``key`` with its day moved to its period's start and its age to its band's threshold."""
    b = bounds_of(chain)
    return replace(key, day=b.period(key.day), age=b.age(key.age))


def rules_for(chain: PolicyChain, key: RuleKey) -> tuple[Rules, Int64s]:
    """The rules of ``key`` under ``chain`` and their kernel row (ceiling group in slot 0),
    resolved once per reduced key. The row is shared: copy it before changing it."""
    seen = _RULES.get((id(chain), key))  # the key as given, before reducing it
    if seen is not None and seen[0] is chain:
        return seen[1], seen[2]
    k = reduced_key(chain, key)
    hit = _RULES.get((id(chain), k))
    if hit is not None and hit[0] is chain:
        _RULES[(id(chain), key)] = hit
        return hit[1], hit[2]
    try:
        rules = resolve_rules(chain, k)
    except PolicyError:  # say so on the claim's own date and age
        resolve_rules(chain, key)
        raise
    row = params_row(rules, 0)
    row.setflags(write=False)
    if len(_RULES) > 100_000:  # a long-lived process with many chains: start afresh
        _RULES.clear()
    _RULES[(id(chain), k)] = _RULES[(id(chain), key)] = (chain, rules, row)
    return rules, row


def rows_array(rows: list[Int64s]) -> Int64s:
    """Parameter rows stacked into the kernel's table."""
    return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.int64)
