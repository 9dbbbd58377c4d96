"""Family mutual aid (policy-facts-2 §7.3) and the epidemic overlay (§5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.ledger.checks import CHECKS, LedgerView
from yibao.ledger.model import Fund, Kind, balances
from yibao.ledger.postings import reversal
from yibao.policy.errors import PolicyError
from yibao.settle.model import Claim, Line, PreSplit
from yibao.settle.parts import Parts
from yibao.tiers.epidemic import fiscal_journal, fiscal_share, lift, parse_regime, regime
from yibao.tiers.family import (
    NATIONAL,
    Binding,
    Relation,
    claim_journal,
    contribution_journal,
    pay_claim,
    pay_contribution,
)
from yibao.tiers.runner import run_path
from yibao.types import ItemClass, Level, Route, VisitType

ROOT = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize(("folder", "count"), [("family", 6), ("epidemic", 4)])
def test_scenarios_match_their_figures(folder: str, count: int) -> None:
    results = run_path(ROOT / folder)
    assert len(results) == count and [r.failures for r in results if not r.ok] == []


def binding(relation: Relation, member_region: str = "510100") -> Binding:
    return Binding("E1", "510100", "M1", member_region, relation, date(2021, 6, 1))


def test_grandparent_is_near_relative_from_july_2024_only() -> None:
    b = binding(Relation.GRANDPARENT)
    with pytest.raises(InputError, match="grandparent may draw on the account from 2024-07-01"):
        pay_claim(NATIONAL, b, 10000, 5000, date(2024, 6, 30))
    assert pay_claim(NATIONAL, b, 10000, 5000, date(2024, 7, 1)).amount == 5000


def test_within_the_province_across_pooling_areas_is_allowed() -> None:
    p = pay_claim(NATIONAL, binding(Relation.PARENT, "511300"), 10000, 25000, date(2024, 1, 5))
    assert (p.amount, p.balance_after, p.member_cash_after) == (10000, 0, 15000)


def test_family_journals_balance_per_fund_and_reversal_restores() -> None:
    b = binding(Relation.SPOUSE)
    c = contribution_journal("F-1", b, date(2024, 1, 15), 40000)
    j = claim_journal("F-2", b, date(2024, 3, 1), "H1/C9", "H1", 13000)
    view = LedgerView((c, j))
    assert list(CHECKS["journals_balance_per_fund"](view)) == []
    bal = balances([c, j])
    owner = next(a for a in bal if a.kind is Kind.PERSONAL)
    assert bal[owner] == 53000  # the holder's liability shrank by 400 + 130
    assert bal[
        next(a for a in bal if a.fund is Fund.RESIDENT_POOLED and a.kind is Kind.INCOME)
    ] == (-40000)
    back = balances([c, j, reversal("F-2R", j, date(2024, 3, 2))])
    assert back[owner] == 40000


def test_contribution_is_whole_or_refused() -> None:
    b = binding(Relation.CHILD)
    assert pay_contribution(NATIONAL, b, 40000, 40000, date(2024, 1, 1)).balance_after == 0
    with pytest.raises(InputError, match="short of the contribution"):
        pay_contribution(NATIONAL, b, 39999, 40000, date(2024, 1, 1))


def claim(route: Route = Route.UNFILED, admitted: date = date(2022, 12, 20)) -> Claim:
    lines = (
        Line("DRUG-C", 50000, item_class=ItemClass.C),
        Line("DRUG-B", 20000, item_class=ItemClass.B, preself_ratio=Decimal("0.1")),
        Line("ECMO", 600000, item_class=ItemClass.A, price_cap=500000),
    )
    return Claim(
        "C1", "H1", Level.L3, "990200", VisitType.INPATIENT, admitted, date(2022, 12, 30),
        route, lines, PreSplit(670000, full_selfpay=50000, over_limit=100000, preself=2000),
    )  # fmt: skip


def test_lift_puts_every_line_in_scope_and_drops_the_cross_region_cut() -> None:
    lifted = lift(regime("covid-19"), "confirmed", claim())
    assert {ln.item_class for ln in lifted.lines} == {ItemClass.A}
    assert all(ln.price_cap is None and ln.preself_ratio is None for ln in lifted.lines)
    assert lifted.route is Route.FILED
    assert lifted.presplit is not None and lifted.presplit.scope == 670000
    assert lift(regime("covid-19"), "confirmed", claim(Route.LOCAL)).route is Route.LOCAL


def test_lift_refuses_claims_outside_the_window() -> None:
    with pytest.raises(InputError, match="outside covid-19's window for confirmed"):
        lift(regime("covid-19"), "confirmed", claim(admitted=date(2020, 1, 21)))
    with pytest.raises(InputError, match="status 'recovered' is not covered"):
        lift(regime("covid-19"), "recovered", claim())


def test_fiscal_journal_clears_with_the_central_and_local_budgets() -> None:
    f = fiscal_share(regime("covid-19"), Parts(total=1000001, pooled_fund=1, cash=1000000))
    assert (f.amount, f.central, f.local) == (1000000, 600000, 400000)
    j = fiscal_journal("E-1", "990100", date(2020, 3, 1), "H1/C1", "H1", f)
    assert list(CHECKS["journals_balance_per_fund"](LedgerView((j,)))) == []
    recv = {a.sub: v for a, v in balances([j]).items() if a.kind is Kind.RECEIVABLE}
    assert recv == {"central": 600000, "local": 400000}


def test_a_bad_regime_file_is_refused() -> None:
    with pytest.raises(PolicyError, match="statuses"):
        parse_regime(
            {"id": "x", "statuses": {"asymptomatic": "2020-01-01"}, "admitted_to": "2020-12-31",
             "visits": ["inpatient"], "central_share": "0.6", "source": "s"}, "x.yaml"
        )  # fmt: skip
    with pytest.raises(InputError, match="no epidemic regime 'sars'"):
        regime("sars")
