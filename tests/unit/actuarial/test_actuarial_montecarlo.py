"""Monte Carlo: deterministic for a seed; the exhaustion-year distribution on a designed case."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import numpy as np

from yibao.actuarial.montecarlo import (
    MORTALITY_STEP,
    Paths,
    balances,
    exhaustion_years,
    fan,
    simulate,
)
from yibao.actuarial.params import Scenario, overlay, parse_assumptions
from yibao.actuarial.projection import project

TEXT = (resources.files("yibao.actuarial") / "assumptions" / "default.yaml").read_text("utf-8")
P = parse_assumptions(TEXT, "default.yaml")


def test_same_seed_same_paths_other_seed_differs() -> None:
    central = project(P)
    low = project(P, mortality_factor=MORTALITY_STEP)
    a = simulate(P, central, low, 0, 200, seed=7)
    b = simulate(P, central, low, 0, 200, seed=7)
    c = simulate(P, central, low, 0, 200, seed=8)
    np.testing.assert_array_equal(a.expenditure, b.expenditure)
    np.testing.assert_array_equal(a.income, b.income)
    assert not np.array_equal(a.expenditure, c.expenditure)
    # the median path stays near the deterministic projection
    med = np.median(a.expenditure[:, :, 5], axis=0)
    np.testing.assert_allclose(med, central.expenditure[0, :, 5], rtol=0.1)


def test_no_uncertainty_reproduces_the_central_projection() -> None:
    zero = {
        k: Decimal(0)
        for k in P.values
        if k.startswith("uncertainty.") and k != "uncertainty.local_share"
    }
    p = overlay(P, Scenario("zero", "", "", zero))
    central = project(p)
    low = project(p, mortality_factor=MORTALITY_STEP)
    s = simulate(p, central, low, 1, 10, seed=1)
    for k in range(10):
        np.testing.assert_allclose(s.expenditure[k], central.expenditure[1])
        np.testing.assert_allclose(s.income[k], central.income[1])


def test_exhaustion_year_distribution_on_a_designed_case() -> None:
    # opening 30, no income, spending 12 a year: dry in the third year (30 − 36 < 0) on every path;
    # a second prefecture with income 13 never runs dry.
    years = (2025, 2026, 2027, 2028, 2029)
    paths = 4
    inc = np.zeros((paths, 2, 5))
    inc[:, 1, :] = 13.0
    exp = np.full((paths, 2, 5), 12.0)
    bal = balances(Paths(inc, exp, exp, np.array([30.0, 30.0]), 0.0))
    first = exhaustion_years(bal, years)
    assert (first[:, 0] == 2027).all() and (first[:, 1] == 0).all()
    # half the paths spend 20 instead: dry in 2026
    exp[:2, 0, :] = 20.0
    first = exhaustion_years(balances(Paths(inc, exp, exp, np.array([30.0, 30.0]), 0.0)), years)
    assert sorted(first[:, 0].tolist()) == [2026, 2026, 2027, 2027]


def test_fan_is_ordered() -> None:
    rng = np.random.default_rng(0)
    q = fan(rng.standard_normal((500, 3)))
    assert (np.diff(q, axis=0) >= 0).all()
