"""Major-epidemic special policy (重大疫情医疗费用保障): a dated overlay on the settlement chain.

COVID-19 (policy-facts-2 §5): NHSA + MoF notice of 2020-01-22 — for confirmed patients, after
basic insurance, critical illness and medical assistance pay by their rules, the remaining
personal share is paid by a fiscal subsidy; the cross-region ratio cut does not apply; drugs
and services of the treatment plan are paid even if outside the catalogue. 2020-01-27: suspected
patients too; the treatment-place budget pays first and the central budget reimburses 60 %.
2023-01-07 (乙类乙管): inpatient costs by admission date up to 2023-03-31, local budget first,
central 60 %.

The overlay works in two places around the basic engine, which it leaves untouched:
:func:`lift` rewrites the claim before settlement (every line in scope as class A, no price cap,
the route at the local standard); :func:`fiscal_share` takes the whole remaining personal share
after settlement, split central / local for clearing with the finance department.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import yaml

from yibao.errors import InputError
from yibao.ledger.model import Account, Fund, Journal, Kind, journal
from yibao.money import Fen, Stage, apply_ratio, format_yuan, ratio
from yibao.policy.errors import PolicyError
from yibao.settle.model import Claim, Line, PreSplit
from yibao.settle.parts import Parts
from yibao.tiers.supplementary import read_day
from yibao.types import ItemClass, Route, VisitType


@dataclass(frozen=True, slots=True)
class Regime:
    """A special regime bound to diagnoses, patient status and admission dates."""

    regime_id: str
    statuses: dict[str, date]  # "confirmed" / "suspected" → first admission date covered
    admitted_to: date  # last admission date covered
    visits: frozenset[VisitType]
    central_share: Decimal
    source: str
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class FiscalShare:
    amount: Fen
    central: Fen
    local: Fen
    trace: str


REGIME_KEYS = frozenset(
    {"id", "statuses", "admitted_to", "visits", "central_share", "source", "synthetic"}
)


def parse_regime(data: object, source: str) -> Regime:
    """A regime from parsed YAML, strictly."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a regime must be a mapping")
    extra = sorted(set(data) - REGIME_KEYS)
    if extra:
        raise PolicyError(f"{source}: unknown key '{extra[0]}'")
    for key in ("id", "statuses", "admitted_to", "visits", "central_share", "source"):
        if not data.get(key):
            raise PolicyError(f"{source}: '{key}' is required")
    statuses = data["statuses"]
    if not isinstance(statuses, dict) or set(statuses) - {"confirmed", "suspected"}:
        raise PolicyError(f"{source}: statuses: confirmed and/or suspected → first admission day")
    try:
        visits = frozenset(VisitType(str(v)) for v in data["visits"])
        central = ratio(str(data["central_share"]))
    except ValueError as e:
        raise PolicyError(f"{source}: {e}") from None
    return Regime(
        str(data["id"]),
        {str(k): read_day(v, f"{source}: statuses.{k}") for k, v in statuses.items()},
        read_day(data["admitted_to"], f"{source}: admitted_to"),
        visits,
        central,
        str(data["source"]),
        bool(data.get("synthetic", False)),
    )


def regime(name: str) -> Regime:
    """A shipped regime by id, or a regime file."""
    p = Path(name)
    if name.endswith((".yaml", ".yml")) and p.is_file():
        return parse_regime(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
    path = resources.files("yibao.tiers") / "regimes" / f"{name}.yaml"
    if not path.is_file():
        raise InputError(f"no epidemic regime '{name}'")
    return parse_regime(yaml.safe_load(path.read_text(encoding="utf-8")), f"{name}.yaml")


def applies(r: Regime, status: str, claim: Claim) -> None:
    """Refuse a claim the regime does not cover, with one line naming why."""
    check_window(r, status, claim.admit_date, claim.visit_type, f"claim {claim.claim_id}")


def check_window(r: Regime, status: str, admitted: date, visit: VisitType, ref: str) -> None:
    if status not in r.statuses:
        raise InputError(
            f"{ref}: patient status '{status}' is not covered by {r.regime_id} "
            f"(covered: {', '.join(sorted(r.statuses))})"
        )
    start = r.statuses[status]
    if not (start <= admitted <= r.admitted_to):
        raise InputError(
            f"{ref}: admitted {admitted}, outside {r.regime_id}'s window for {status} "
            f"patients ({start} to {r.admitted_to})"
        )
    if visit not in r.visits:
        raise InputError(f"{ref}: {visit.value} is not covered by {r.regime_id}")


def _lift_line(line: Line) -> Line:
    return replace(line, item_class=ItemClass.A, preself_ratio=None, price_cap=None)


def lift(r: Regime, status: str, claim: Claim) -> Claim:
    """The claim with catalogue and limit restrictions lifted and the cross-region cut off."""
    applies(r, status, claim)
    presplit = claim.presplit
    if presplit is not None:
        presplit = PreSplit(
            presplit.total, item_fund=presplit.item_fund, item_fund_scope=presplit.item_fund_scope
        )
    route = claim.route if claim.route is Route.LOCAL else Route.FILED
    return replace(
        claim, lines=tuple(_lift_line(ln) for ln in claim.lines), presplit=presplit, route=route
    )


def fiscal_share(r: Regime, parts: Parts) -> FiscalShare:
    """The fiscal subsidy takes the whole personal share left (account and cash)."""
    amount = parts.account + parts.cash
    central = apply_ratio(amount, r.central_share, Stage.EPIDEMIC_FISCAL)
    syn = " [synthetic]" if r.synthetic else ""
    trace = (
        f"{r.regime_id}{syn}: fiscal subsidy pays the remaining personal share {format_yuan(amount)} "
        f"(central {r.central_share} = {format_yuan(central)}, local "
        f"{format_yuan(amount - central)}) [{r.source}]"
    )
    return FiscalShare(amount, central, amount - central, trace)


def fiscal_journal(
    journal_id: str, region: str, day: date, ref: str, payee: str, f: FiscalShare
) -> Journal:
    """Dr the special fund's expenditure, Cr its payable to the provider; the budgets owe it:
    Dr receivable from the central and the local budget, Cr subsidy income."""
    fund = Fund.EPIDEMIC_FISCAL
    lines = [
        (Account(region, fund, Kind.EXPENDITURE, "treatment"), f.amount),
        (Account(region, fund, Kind.PAYABLE, "provider", payee), -f.amount),
        (Account(region, fund, Kind.RECEIVABLE, "subsidy", "central"), f.central),
        (Account(region, fund, Kind.RECEIVABLE, "subsidy", "local"), f.local),
        (Account(region, fund, Kind.INCOME, "subsidy"), -f.amount),
    ]
    return journal(journal_id, day, "epidemic", ref, f"epidemic fiscal share {ref}", lines)
