"""The supplementary layer as the ``yibao settle`` command shows it (``--tier``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from yibao.io.records import yuan
from yibao.settle.engine import Settlement
from yibao.settle.model import Person
from yibao.tiers.supplementary import Holder, load_tier, supplement
from yibao.types import VisitType


def supplementary_layer(
    person: Person, s: Settlement, visit: VisitType, tier_ids: list[str], preexisting: bool
) -> dict[str, Any]:
    """The tiers over the settled claim, as JSON-ready data; empty when no tier is named.

    The tiers start the year at zero here: their year-to-date from earlier claims is carried
    by the caller of :func:`yibao.tiers.supplementary.supplement` (``used``)."""
    if not tier_ids:
        return {}
    tiers = [load_tier(t) for t in tier_ids]
    who = Holder(
        person.scheme, person.person_type, frozenset(t.tier_id for t in tiers), preexisting
    )
    out = supplement(tiers, who, s.parts, visit, s.settle_date, {})
    return {
        "supplementary": {
            "payments": [
                {
                    "tier": p.tier_id,
                    "duty": p.duty,
                    "code": p.code,
                    "base": yuan(p.base),
                    "amount": yuan(p.amount),
                }
                for p in out.payments
            ],
            "by_code": {k: yuan(v) for k, v in sorted(out.by_code.items())},
            "account": yuan(out.account),
            "cash": yuan(out.cash),
            "trace": list(out.trace),
        }
    }


def print_supplementary(extra: dict[str, Any]) -> None:
    if not extra:
        return
    sup = extra["supplementary"]
    out = Console()
    out.print("[bold]supplementary tiers[/]")
    for p in sup["payments"]:
        out.print(
            f"   {p['tier']}/{p['duty']} ({p['code']}): {p['amount']} of {p['base']}",
            highlight=False,
        )
    for line in sup["trace"]:
        out.print(f"   - {line}", highlight=False, markup=False)
    out.print(f"   after the tiers: account {sup['account']}, cash {sup['cash']}", highlight=False)
