"""Monte Carlo over the uncertain inputs (随机模拟): cost inflation, utilisation, wage growth and
mortality.

The deterministic projection gives the central path. Each Monte Carlo path multiplies it by:

* a cost index exp(Σ ε) with yearly log shocks ε ~ N(0, σ_infl²), split into a province-wide
  part and a prefecture part (``uncertainty.local_share`` of the variance is local);
* a utilisation index exp(u·(t+1)) with one persistent trend u ~ N(0, σ_util²) per path;
* a wage index (employee income only), built like the cost index with σ_wage;
* a mortality level m ~ N(1, σ_mort²) per path, applied as a first-order sensitivity: the
  projection is run once more with mortality × 0.9 and each path moves linearly between the two.
  This keeps 10 000 paths × 30 years × 12 prefectures to a few array operations instead of
  10 000 population projections (an approximation, stated in the report).

Everything is float yuan in numpy arrays (paths, prefectures, years); a seed fixes the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yibao.actuarial.params import Parameters
from yibao.actuarial.population import Array
from yibao.actuarial.projection import Projection

MORTALITY_STEP = 0.9  # the second projection's mortality factor, for the sensitivity


@dataclass(frozen=True, slots=True)
class Paths:
    """Income, expenditure and structural expenditure per path, float yuan (P, N, T)."""

    income: Array
    expenditure: Array
    structural: Array
    opening: Array  # (N,)
    interest: float


def _index(rng: np.random.Generator, sd: float, local: float, shape: tuple[int, int, int]) -> Array:
    paths, n, t = shape
    common = rng.standard_normal((paths, 1, t))
    own = rng.standard_normal((paths, n, t))
    eps = sd * (np.sqrt(1 - local) * common + np.sqrt(local) * own)
    out: Array = np.exp(np.cumsum(eps, axis=2))
    return out


def simulate(
    p: Parameters,
    central: Projection,
    low_mortality: Projection,
    fund: int,
    paths: int,
    seed: int,
) -> Paths:
    """Draw ``paths`` paths of one fund (0 employee pooled, 1 resident) for every prefecture."""
    rng = np.random.default_rng(seed)
    n, nt = central.income.shape[1], central.income.shape[2]
    shape = (paths, n, nt)
    local = p.number("uncertainty.local_share")
    cost = _index(rng, p.number("uncertainty.medical_inflation_sd"), local, shape)
    u = rng.standard_normal(paths) * p.number("uncertainty.utilisation_sd")
    cost *= np.exp(u[:, None, None] * np.arange(1, nt + 1)[None, None, :])
    wage = _index(rng, p.number("uncertainty.wage_growth_sd"), local, shape)
    m = rng.standard_normal(paths) * p.number("uncertainty.mortality_sd")
    # m is the relative change of the mortality level; the sensitivity run moved it by −10 %
    k = (m / (MORTALITY_STEP - 1))[:, None, None]
    inc = central.income[fund][None] + k * (low_mortality.income[fund] - central.income[fund])[None]
    exp_delta = (low_mortality.expenditure[fund] - central.expenditure[fund])[None]
    exp_ = central.expenditure[fund][None] + k * exp_delta
    struct = central.structural[fund][None] + k * exp_delta
    if fund == 0:
        inc = inc * wage
    return Paths(inc, exp_ * cost, struct * cost, central.opening[fund].copy(), central.interest)


def balances(paths: Paths) -> Array:
    """Year-end balances of each prefecture on its own (地市级统筹), (P, N, T)."""
    out = np.empty_like(paths.income)
    b = np.broadcast_to(paths.opening, paths.income.shape[:2]).copy()
    for t in range(paths.income.shape[2]):
        b = b * (1 + paths.interest) + paths.income[:, :, t] - paths.expenditure[:, :, t]
        out[:, :, t] = b
    return out


def exhaustion_years(bal: Array, years: tuple[int, ...]) -> Array:
    """First year each path × prefecture is below zero; ``0`` where it lasts the horizon."""
    neg = bal < 0
    first = np.argmax(neg, axis=2)
    hit = neg.any(axis=2)
    yrs = np.asarray(years)
    out: Array = np.where(hit, yrs[first], 0).astype(np.float64)
    return out


def fan(values: Array, quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> Array:
    """Quantiles over paths (axis 0): shape (len(quantiles), …)."""
    out: Array = np.quantile(values, quantiles, axis=0)
    return out
