"""Adjustment fund rules: remittance stop, allocation by indicators, modes, balanced journals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from yibao.ledger.model import Fund, Kind, balances
from yibao.pooling.adjustment import (
    Inputs,
    Rules,
    allocate,
    eligible,
    remittance,
    simulate,
    summarise,
)
from yibao.pooling.journals import Transfer, journals, transfer_journal


def test_remittance_stops_when_the_fund_covers_six_months() -> None:
    r = Rules(remittance_rate=0.05, stop_months=6)
    income = np.array([[1000.0, 2000.0]])
    total_exp = np.array([1200.0])  # six months = 600
    below = remittance(income, np.array([599.99]), total_exp, r)
    np.testing.assert_allclose(below, [[50.0, 100.0]])  # 5 % of prior-year income (Shaanxi)
    at = remittance(income, np.array([600.0]), total_exp, r)
    np.testing.assert_array_equal(at, [[0.0, 0.0]])


def _inputs(
    expenditure: list[float],
    structural: list[float],
    income: list[float],
    years: int = 1,
    opening: list[float] | None = None,
    collection: list[float] | None = None,
    findings: list[float] | None = None,
) -> Inputs:
    n = len(income)
    inc = np.tile(np.array(income)[None, :, None], (1, 1, years))
    exp = np.tile(np.array(expenditure)[None, :, None], (1, 1, years))
    st = np.tile(np.array(structural)[None, :, None], (1, 1, years))
    return Inputs(
        inc,
        exp,
        st,
        np.array(opening or [0.0] * n),
        0.0,
        np.array(collection or [1.0] * n),
        np.array(findings or [0.0] * n),
        np.full((n, years), 2.5),
        np.tile(np.array(income)[:, None], (1, years)),
    )


def test_allocation_rewards_cost_control() -> None:
    # prefectures 0 and 1 have the same structure (income 100, structural spending 110);
    # 1 lets costs run to 130. Prefecture 2 is rich and fills the adjustment fund.
    x = _inputs(
        [110.0, 130.0, 500.0],
        [110.0, 110.0, 500.0],
        [100.0, 100.0, 1000.0],
        years=1,
        opening=[0.0, 0.0, 0.0],
    )
    o = simulate(x, Rules(mode="adjustment", emergency_share=0.0))
    granted = o.granted[0, :, 0]
    assert granted[0] == pytest.approx(15.0)  # 100 − 5 remitted − 110: structural, fully covered
    assert 0 < granted[1] < granted[0], "the prefecture that lets costs run gets less"
    assert o.unpaid[0, 1, 0] > o.unpaid[0, 0, 0] == 0.0
    # with cost control switched off as an indicator both would get their whole deficit
    lax = simulate(x, Rules(mode="adjustment", emergency_share=0.0, w_cost_control=0.0))
    assert lax.granted[0, 1, 0] == pytest.approx(35.0)


def test_collection_shortfall_and_supervision_are_not_covered() -> None:
    base = dict(
        balance=np.array([[-20.0, -20.0]]),
        expenditure=np.array([[120.0, 120.0]]),
        structural=np.array([[120.0, 120.0]]),
        income=np.array([[100.0, 100.0]]),
    )
    same = eligible(
        **base,
        collection_rate=np.array([0.98, 0.98]),
        supervision_findings=np.array([0.0, 0.2]),
        r=Rules(),
    )
    assert same[0, 0] == pytest.approx(20.0) and same[0, 1] == pytest.approx(16.0)
    lazy = eligible(
        **base,
        collection_rate=np.array([1.0, 0.9]),
        supervision_findings=np.array([0.0, 0.0]),
        r=Rules(),
    )
    assert lazy[0, 1] < lazy[0, 0]


def test_allocate_shares_a_short_fund_by_weight() -> None:
    want = np.array([[10.0, 10.0], [10.0, 10.0]])
    out = allocate(np.array([100.0, 10.0]), want, np.array([3.0, 1.0]))
    np.testing.assert_allclose(out, [[10.0, 10.0], [7.5, 2.5]])


def test_unified_pools_all_balances() -> None:
    x = _inputs([150.0, 50.0], [150.0, 50.0], [100.0, 100.0], years=3)
    prefecture = simulate(x, Rules(mode="prefecture"))
    unified = simulate(x, Rules(mode="unified"))
    assert prefecture.unpaid[0, 0].sum() == pytest.approx(150.0)  # 50 short each year
    assert unified.unpaid.sum() == 0.0
    assert unified.fund_balance[0, -1] == pytest.approx(0.0)
    s = summarise(x, prefecture)
    assert s.p_any_dry == 1.0 and s.p_dry.tolist() == [1.0, 0.0]


def test_pre_allocation_uses_last_years_figures() -> None:
    x = _inputs([110.0, 500.0], [110.0, 500.0], [100.0, 1000.0], years=2)
    app = simulate(x, Rules(mode="adjustment", emergency_share=0.0))
    pre = simulate(x, Rules(mode="adjustment", emergency_share=0.0, allocation="pre_allocation"))
    assert app.granted[0, 0, 0] > 0 and pre.granted[0, 0, 0] == 0.0  # nothing known before year 1
    assert pre.granted[0, 0, 1] == pytest.approx(app.granted[0, 0, 0])


def test_emergency_loan_is_repaid_from_later_surpluses() -> None:
    x = _inputs([130.0, 500.0], [110.0, 500.0], [100.0, 1000.0], years=1)
    o = simulate(x, Rules(mode="adjustment", emergency_share=1.0))
    assert o.emergency[0, 0, 0] > 0 and o.unpaid[0, 0, 0] == 0.0


def test_transfer_journals_balance_and_move_money_between_funds() -> None:
    ts = [
        Transfer(2026, "990100", "employee_pooled", "remittance", 12_345_67),
        Transfer(2026, "990200", "employee_pooled", "grant", 10_000_00),
        Transfer(2026, "990300", "resident_pooled", "emergency", 1),
        Transfer(2026, "990300", "resident_pooled", "grant", 0),
    ]
    js = journals(ts)
    assert len(js) == 3 and all(j.is_balanced() for j in js)
    bal = balances(js)
    from yibao.ledger.model import Account

    assert bal[Account("990100", Fund.EMPLOYEE_POOLED, Kind.BANK)] == -12_345_67
    assert bal[Account("990000", Fund.ADJUSTMENT, Kind.BANK, "", "employee_pooled")] == 2_345_67
    assert js[0].day == date(2026, 12, 31)
    with pytest.raises(ValueError):
        transfer_journal(Transfer(2026, "990100", "employee_pooled", "gift", 1), 0)
