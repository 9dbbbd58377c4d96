"""The supplementary layer as the ``yibao settle`` command shows it (``--tier``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.console import Console

from yibao.io.records import Obj, yuan
from yibao.money import Fen
from yibao.settle.engine import Settlement
from yibao.settle.model import Claim, Person
from yibao.tiers.epidemic import fiscal_share, lift, regime
from yibao.tiers.family import NATIONAL, Binding, Relation, pay_claim
from yibao.tiers.supplementary import Holder, load_tier, supplement
from yibao.types import VisitType


def supplementary_layer(
    person: Person,
    s: Settlement,
    visit: VisitType,
    tier_ids: list[str],
    preexisting: bool,
    family: object = None,
) -> dict[str, Any]:
    """The tiers, then family mutual aid, over the settled claim, as JSON-ready data; empty
    when neither is asked for.

    The tiers start the year at zero here: their year-to-date from earlier claims is carried
    by the caller of :func:`yibao.tiers.supplementary.supplement` (``used``). ``family`` is
    the parsed ``--family`` file: the holder whose account pays for this person."""
    if not tier_ids and family is None:
        return {}
    tiers = [load_tier(t) for t in tier_ids]
    who = Holder(
        person.scheme, person.person_type, frozenset(t.tier_id for t in tiers), preexisting
    )
    out = supplement(tiers, who, s.parts, visit, s.settle_date, {})
    data: dict[str, Any] = {}
    cash = out.cash
    if family is not None:
        b, balance = read_family(family, person)
        paid = pay_claim(NATIONAL, b, balance, cash, s.settle_date)
        cash = paid.member_cash_after
        data["family_aid"] = {
            "owner": b.owner_id,
            "relation": b.relation.value,
            "paid": yuan(paid.amount),
            "owner_balance_after": yuan(paid.balance_after),
            "trace": paid.trace,
        }
    return {
        **data,
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
            "cash": yuan(cash),
            "trace": list(out.trace),
        },
    }


def epidemic_claim(claim: Claim, regime_id: str | None, status: str) -> Claim:
    """The claim under the named epidemic regime (restrictions lifted), or as it is."""
    if regime_id is None:
        return claim
    return lift(regime(regime_id), status, claim)


def epidemic_layer(s: Settlement, regime_id: str | None) -> tuple[Settlement, dict[str, Any]]:
    """The fiscal subsidy's share (the settlement then owes nothing personally)."""
    if regime_id is None:
        return s, {}
    r = regime(regime_id)
    f = fiscal_share(r, s.parts)
    data = {
        "epidemic": {
            "regime": r.regime_id,
            "fiscal": yuan(f.amount),
            "central": yuan(f.central),
            "local": yuan(f.local),
            "trace": f.trace,
        }
    }
    return replace(s, parts=replace(s.parts, account=0, cash=0)), data


FAMILY_KEYS = frozenset({"owner", "owner_region", "relation", "bound_from", "balance"})


def read_family(raw: object, person: Person) -> tuple[Binding, Fen]:
    """``{owner, owner_region, relation, bound_from, balance}``: who pays for ``person``."""
    o = Obj(raw, "family", FAMILY_KEYS)
    b = Binding(
        o.text("owner"),
        o.text("owner_region"),
        person.person_id,
        person.insured_region,
        o.enum("relation", Relation),
        o.day("bound_from"),
    )
    return b, o.money("balance")


def print_supplementary(extra: dict[str, Any]) -> None:
    if not extra:
        return
    if "epidemic" in extra:
        Console().print(f"[bold]epidemic special policy[/]: {extra['epidemic']['trace']}")
    if "family_aid" in extra:
        Console().print(f"[bold]family mutual aid[/]: {extra['family_aid']['trace']}")
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
