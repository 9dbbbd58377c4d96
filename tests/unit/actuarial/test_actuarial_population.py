"""The cohort-component step conserves people; the projection has the expected shape."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from yibao.actuarial.params import parse_assumptions
from yibao.actuarial.population import expand, initial_state, rates_from, step
from yibao.actuarial.projection import estimate_curves, project

TEXT = (resources.files("yibao.actuarial") / "assumptions" / "default.yaml").read_text("utf-8")


@pytest.fixture(scope="module")
def params():  # type: ignore[no-untyped-def]
    return parse_assumptions(TEXT, "default.yaml")


def test_step_conserves_people(params) -> None:  # type: ignore[no-untyped-def]
    codes = params.prefectures
    rates = rates_from(params, codes)
    state = initial_state(params, codes, rates)
    for t in range(5):
        before = state.persons.sum(axis=(1, 2))
        nxt, flows = step(state, rates, t)
        after = nxt.persons.sum(axis=(1, 2))
        np.testing.assert_allclose(
            after, before - flows.deaths + flows.births + flows.migration, rtol=1e-12
        )
        assert (flows.deaths > 0).all() and (flows.births > 0).all()
        assert (nxt.employees <= nxt.persons + 1e-9).all()
        state = nxt


def test_initial_population_matches_totals(params) -> None:  # type: ignore[no-untyped-def]
    codes = params.prefectures
    rates = rates_from(params, codes)
    state = initial_state(params, codes, rates)
    totals = [params.pref(c, "population") for c in codes]
    np.testing.assert_allclose(state.persons.sum(axis=(1, 2)), totals)


def test_expand_spreads_group_shares() -> None:
    out = expand(("85+",), (1.6,), per_person=False)
    assert out[85:].sum() == pytest.approx(1.6) and out[:85].sum() == 0


def test_projection_ages_and_dependency_falls(params) -> None:  # type: ignore[no-untyped-def]
    pr = project(params)
    assert pr.years[0] == 2025 and pr.years[-1] == 2050
    dep = pr.in_service / pr.retirees
    assert (dep[:, -1] < dep[:, 0]).all(), "ageing: fewer in-service per retiree by 2050"
    # a prefecture with excess cost growth spends more than its structural path, the others not
    i = pr.codes.index("990500")
    assert pr.expenditure[0, i, -1] > pr.structural[0, i, -1] * 1.5
    j = pr.codes.index("990100")
    assert pr.expenditure[0, j, -1] == pytest.approx(pr.structural[0, j, -1])


def test_estimate_curves_uses_dense_cells_only() -> None:
    fallback = {"employee": np.full((2, 101), 100.0), "resident": np.full((2, 101), 50.0)}
    ages = np.array([30.0] * 40 + [70.0] * 5)
    sexes = np.zeros(45, dtype=int)
    schemes = np.zeros(45, dtype=int)
    paid = np.array([200.0] * 40 + [9999.0] * 5)
    curves, replaced = estimate_curves(ages, sexes, schemes, paid, fallback)
    assert replaced == 1
    assert curves["employee"][0, 30] == 200.0 and curves["employee"][0, 70] == 100.0
