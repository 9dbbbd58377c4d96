"""Budget impact of a catalogue change or a procurement round (预算影响分析): the same claims
settled again with the change, each fund's cost and the patients' out-of-pocket compared.

The claims are scenarios (a person, a policy and a year of claims): each is settled by the
one scenario runner (:func:`yibao.scenario.runner.run`) twice, once with the catalogue as the
scenario has it and once with ``changes`` added. Out-of-pocket (个人负担) is cash plus the
individual account, which is the person's own money.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

from yibao.money import Fen
from yibao.purchasing.catalogue_changes import CatalogueChange
from yibao.scenario.model import Scenario
from yibao.scenario.runner import run
from yibao.settle.model import Line
from yibao.settle.parts import Parts

FUNDS = ("pooled_fund", "large_amount", "critical_illness", "assistance")
LINES = (*FUNDS, "fund_total", "over_limit", "full_selfpay", "account", "cash", "out_of_pocket")


def _sum(parts: Iterable[Parts]) -> Parts:
    total = {f.name: 0 for f in fields(Parts)}
    for p in parts:
        for name in total:
            total[name] += getattr(p, name)
    return Parts(**total)


def _settled(scenario: Scenario) -> Parts:
    result = run(replace(scenario, claims=tuple(replace(c, expect={}) for c in scenario.claims)))
    return _sum(c.settlement.parts for c in result.claims if c.settlement is not None)


def _value(p: Parts, name: str) -> Fen:
    if name == "fund_total":
        return p.fund_total
    if name == "out_of_pocket":
        return p.cash + p.account
    value: Fen = getattr(p, name)
    return value


@dataclass(frozen=True, slots=True)
class Impact:
    """Totals over the claims before and after the change (fen), by :data:`LINES`."""

    claims: int
    before: dict[str, Fen]
    after: dict[str, Fen]

    def change(self, name: str) -> Fen:
        return self.after[name] - self.before[name]


def repriced(scenario: Scenario, prices: Mapping[str, Fen]) -> Scenario:
    """The scenario with the lines of ``prices``' codes billed at those unit prices (a
    procurement round: the hospital buys and bills the selected product at its winning price).
    Lines without a unit price keep their amount."""
    if not prices:
        return scenario

    def line(ln: Line) -> Line:
        price = prices.get(ln.code)
        if price is None or ln.unit_price is None:
            return ln
        return replace(ln, unit_price=price, amount=price * ln.quantity)

    claims = tuple(
        replace(c, claim=replace(c.claim, lines=tuple(line(ln) for ln in c.claim.lines)))
        for c in scenario.claims
    )
    return replace(scenario, claims=claims)


def budget_impact(
    scenarios: Iterable[Scenario],
    changes: Iterable[CatalogueChange],
    prices: Mapping[str, Fen] | None = None,
) -> Impact:
    """Settle every scenario without and with ``changes`` (and the lines of ``prices``' codes
    re-priced); the totals of each."""
    extra = tuple(changes)
    before: list[Parts] = []
    after: list[Parts] = []
    count = 0
    for sc in scenarios:
        count += len(sc.claims)
        before.append(_settled(sc))
        changed = replace(sc, catalogue_changes=(*sc.catalogue_changes, *extra))
        after.append(_settled(repriced(changed, prices or {})))
    b, a = _sum(before), _sum(after)
    return Impact(count, {n: _value(b, n) for n in LINES}, {n: _value(a, n) for n in LINES})
