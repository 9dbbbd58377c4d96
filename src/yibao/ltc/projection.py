"""The LTC fund's projection: ageing drives it (长护险基金收支预测).

The population is the actuarial projection's own (:mod:`yibao.actuarial.population`: persons by
prefecture × sex × age, employees among them). Each year:

* beneficiaries = covered persons aged 60+ × disability prevalence by age (the synthetic shape
  of :mod:`yibao.ltc.synth`, averaging ≈ 11.6 % of the 60+, policy-facts-2 §1.1 [A]) × the share
  assessed severe enough to be paid (levels ≥ the pack's minimum; an assumption);
* expenditure = beneficiaries × a year of the pack's institutional care at its day cap and
  ratio × (1 + care cost growth)^t;
* income = the financing rule on in-service wages (pooled-fund and account shares) plus the
  fiscal amount per covered person, wages growing as the actuarial assumptions say.

Coverage follows the pack's eligibility (employees only: the employees among the persons).
Float yuan, rounded to fen only where shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yibao.actuarial.params import Parameters
from yibao.actuarial.population import Array, initial_state, rates_from, step
from yibao.ltc.benefit import Pack
from yibao.ltc.financing import FinancingRule
from yibao.ltc.synth import PREVALENCE
from yibao.types import Scheme

PAID_SHARE = 0.55  # share of the disabled assessed at a paid level ([M] synthetic)
CARE_COST_GROWTH = 0.03  # yearly growth of care costs and caps ([M] synthetic)


@dataclass(frozen=True, slots=True)
class LtcProjection:
    codes: tuple[str, ...]
    years: tuple[int, ...]
    beneficiaries: Array  # (prefecture, year)
    income: Array  # yuan
    expenditure: Array

    def balances(self) -> Array:
        return np.cumsum(self.income - self.expenditure, axis=1)


def prevalence_by_age() -> Array:
    out = np.zeros(101)
    for low, rate in PREVALENCE:
        out[low:] = rate
    return out


def project_ltc(p: Parameters, pack: Pack, rule: FinancingRule) -> LtcProjection:
    """Every year from the assumptions' base year to the horizon."""
    codes = p.prefectures
    base, horizon = int(p.number("base_year")), int(p.number("horizon"))
    years = tuple(range(base, horizon + 1))
    rates = rates_from(p, codes)
    state = initial_state(p, codes, rates)
    wage0 = np.array([p.pref(c, "wage_yuan_month") for c in codes])
    g_wage = p.number("economy.wage_growth")
    care = pack.rules["institution"]
    assert care.day_cap is not None and care.ratio is not None
    per_beneficiary = float(care.day_cap) / 100 * float(care.ratio) * 365
    rate = float(rule.pooled_rate + rule.account_rate)
    fiscal = float(rule.fiscal_per_person_year) / 100
    prev = prevalence_by_age()
    n, nt = len(codes), len(years)
    ben, inc, exp = np.zeros((n, nt)), np.zeros((n, nt)), np.zeros((n, nt))
    employees_only = pack.eligibility.schemes == frozenset({Scheme.EMPLOYEE})
    for t in range(nt):
        if t > 0:
            state, _ = step(state, rates, t - 1)
        covered = state.employees if employees_only else state.persons
        ben[:, t] = (covered * prev[None, None, :]).sum(axis=(1, 2)) * PAID_SHARE
        exp[:, t] = ben[:, t] * per_beneficiary * (1 + CARE_COST_GROWTH) ** t
        wage = wage0 * (1 + g_wage) ** t
        inc[:, t] = state.in_service(rates.retire_at) * wage * 12 * rate
        inc[:, t] += covered.sum(axis=(1, 2)) * fiscal
    return LtcProjection(codes, years, ben, inc, exp)
