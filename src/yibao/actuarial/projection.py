"""Yearly fund income, expenditure and balance per prefecture (基金收支预测).

Employee pooled fund (职工医保统筹基金): in-service employees × average wage × 12 × (employer rate
+ any employee share to the pool) × collection rate; after 国办发〔2021〕14号 the whole employer
contribution goes to the pooled fund and the employee's 2 % to the individual account. Retirees
pay nothing unless a scenario sets ``retiree_contribution_rate`` (on a base of
``retiree_base_share_of_wage`` × wage). The retiree individual-account allocation (a fixed amount
a month, §1.1) is paid out of the pooled fund.

Resident fund (城乡居民医保基金): residents × (individual contribution + fiscal subsidy, §2.1)
× collection rate, less the critical-illness carve-out (§0).

Expenditure: persons by age and sex × per-capita pooled-fund cost curves (from settled claims or
the assumptions) × cost factor × (1 + medical inflation + the prefecture's excess cost growth)^t
× (1 + utilisation trend)^t × the benefit-ratio factor, less the deductible change per admission
× the average fund share (84.6 % employee / 68.1 % resident, §10 2023), plus the ceiling change
as a linear elasticity on the share of spending near the ceiling. "Structural" expenditure is the
same without the excess cost growth: what the prefecture would spend if it controlled costs like
the province, used by the adjustment-fund allocation.

Arrays are float yuan of shape (funds, prefectures, years); see :mod:`yibao.actuarial` for where
they are rounded to fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from yibao.actuarial.params import AGE_GROUPS, Parameters
from yibao.actuarial.population import Array, expand, initial_state, rates_from, step

FUND_NAMES = ("employee_pooled", "resident_pooled")
FUND_SHARE = {"employee": 0.846, "resident": 0.681}  # §10: in-catalogue fund share 2023


@dataclass(frozen=True, slots=True)
class Projection:
    """A deterministic projection: float yuan arrays (fund, prefecture, year)."""

    codes: tuple[str, ...]
    years: tuple[int, ...]
    income: Array
    expenditure: Array
    structural: Array  # expenditure had costs grown at the provincial rate
    opening: Array  # (fund, prefecture) accumulated balance before the first year
    interest: float
    in_service: Array  # (prefecture, year)
    retirees: Array
    residents: Array
    wage: Array  # (prefecture, year) average monthly wage, yuan

    def balances(self) -> Array:
        """Year-end accumulated balance (累计结余) with interest on the opening balance."""
        out = np.zeros_like(self.income)
        b = self.opening.copy()
        for t in range(len(self.years)):
            b = b * (1 + self.interest) + self.income[:, :, t] - self.expenditure[:, :, t]
            out[:, :, t] = b
        return out


def cost_curves(p: Parameters) -> dict[str, Array]:
    """Per-capita yearly pooled-fund cost by scheme: arrays (2 sexes, 101 ages), yuan."""
    return {
        scheme: np.stack(
            [expand(AGE_GROUPS, p.table(f"costs.{scheme}.{s}")) for s in ("male", "female")]
        )
        for scheme in ("employee", "resident")
    }


def project(
    p: Parameters,
    codes: tuple[str, ...] | None = None,
    curves: Mapping[str, Array] | None = None,
    mortality_factor: float = 1.0,
) -> Projection:
    """Project every year from ``base_year`` to ``horizon`` for the given prefectures."""
    codes = codes or p.prefectures
    curves = curves or cost_curves(p)
    base, horizon = int(p.number("base_year")), int(p.number("horizon"))
    years = tuple(range(base, horizon + 1))
    nt, n = len(years), len(codes)
    rates = rates_from(p, codes, mortality_factor)
    state = initial_state(p, codes, rates)
    pref = {
        f: np.array([p.pref(c, f) for c in codes])
        for f in (
            "wage_yuan_month",
            "cost_factor",
            "excess_cost_growth",
            "collection_rate",
            "employee_balance_yuan",
            "resident_balance_yuan",
        )
    }
    g_wage = p.number("economy.wage_growth")
    infl = p.number("economy.medical_inflation")
    util = p.number("economy.utilisation_trend")
    c = "contributions."
    emp_rate = p.number(c + "employer_rate") + p.number(c + "employee_rate_to_pool")
    ret_rate = p.number(c + "retiree_contribution_rate")
    ret_base = p.number(c + "retiree_base_share_of_wage")
    ret_account = p.number(c + "retiree_account_yuan_month") * 12
    res_contrib = p.number(c + "resident_individual_yuan") + p.number(c + "resident_subsidy_yuan")
    res_growth = p.number(c + "resident_contribution_growth")
    ci_share = p.number(c + "critical_illness_share")
    b = "benefits."
    ratio_f = {
        "employee": p.number(b + "employee_ratio_factor"),
        "resident": p.number(b + "resident_ratio_factor"),
    }
    ded = p.number(b + "deductible_change_yuan")
    adm = {
        "employee": p.number(b + "admissions.employee"),
        "resident": p.number(b + "admissions.resident"),
    }
    ceiling = 1 + p.number(b + "share_above_ceiling") * (p.number(b + "ceiling_factor") - 1)

    income = np.zeros((2, n, nt))
    expenditure = np.zeros((2, n, nt))
    structural = np.zeros((2, n, nt))
    in_service = np.zeros((n, nt))
    retirees = np.zeros((n, nt))
    residents = np.zeros((n, nt))
    wage = np.zeros((n, nt))
    for t in range(nt):
        if t > 0:
            state, _ = step(state, rates, t - 1)
        ins = state.in_service(rates.retire_at)
        ret = state.retirees(rates.retire_at)
        res_people = state.persons - state.employees
        w = pref["wage_yuan_month"] * (1 + g_wage) ** t
        in_service[:, t], retirees[:, t], wage[:, t] = ins, ret, w
        residents[:, t] = res_people.sum(axis=(1, 2))
        coll = pref["collection_rate"]
        income[0, :, t] = (ins * w * 12 * emp_rate + ret * w * 12 * ret_base * ret_rate) * coll
        income[1, :, t] = (
            residents[:, t] * res_contrib * (1 + res_growth) ** t * (1 - ci_share) * coll
        )
        trend = (1 + util) ** t
        for f, (scheme, people) in enumerate(
            (("employee", state.employees), ("resident", res_people))
        ):
            per_head = (people * curves[scheme][None, :, :]).sum(axis=(1, 2))
            heads = people.sum(axis=(1, 2))
            saving = heads * adm[scheme] * ded * FUND_SHARE[scheme] * ratio_f[scheme]
            base_cost = per_head * pref["cost_factor"] * ratio_f[scheme] * ceiling * trend
            own = base_cost * (1 + infl + pref["excess_cost_growth"]) ** t - saving
            prov = base_cost * (1 + infl) ** t - saving
            extra = ret * ret_account if scheme == "employee" else 0.0
            expenditure[f, :, t] = np.maximum(own, 0.0) + extra
            structural[f, :, t] = np.maximum(prov, 0.0) + extra
    opening = np.stack([pref["employee_balance_yuan"], pref["resident_balance_yuan"]])
    return Projection(
        codes,
        years,
        income,
        expenditure,
        structural,
        opening,
        p.number("economy.interest_rate"),
        in_service,
        retirees,
        residents,
        wage,
    )


def estimate_curves(
    ages: Array,
    sexes: Array,
    schemes: Array,
    fund_paid: Array,
    fallback: Mapping[str, Array],
    min_persons: int = 30,
) -> tuple[dict[str, Array], int]:
    """Per-capita cost curves from one year of settled claims (用户数据或合成数据).

    Inputs are one row per insured person: age (years), sex (0 male / 1 female), scheme
    (0 employee / 1 resident) and the pooled-fund payments of the year in yuan (0 if no claim).
    Each five-year age group × sex × scheme with at least ``min_persons`` persons takes its mean;
    sparser cells keep the ``fallback`` curve. Returns the curves and the number of cells replaced.
    """
    out = {k: v.copy() for k, v in fallback.items()}
    replaced = 0
    group_of = np.minimum(ages.astype(int) // 5, len(AGE_GROUPS) - 1)
    for si, scheme in enumerate(("employee", "resident")):
        for sex in (0, 1):
            for g in range(len(AGE_GROUPS)):
                mask = (schemes == si) & (sexes == sex) & (group_of == g)
                if int(mask.sum()) < min_persons:
                    continue
                lo = g * 5
                hi = 101 if g == len(AGE_GROUPS) - 1 else lo + 5
                out[scheme][sex, lo:hi] = float(fund_paid[mask].mean())
                replaced += 1
    return out, replaced


def exhaustion_year(balances: Array, years: tuple[int, ...]) -> list[list[int | None]]:
    """First year each fund × prefecture balance goes below zero (None = lasts the horizon)."""
    out: list[list[int | None]] = []
    for f in range(balances.shape[0]):
        row: list[int | None] = []
        for i in range(balances.shape[1]):
            neg = np.nonzero(balances[f, i] < 0)[0]
            row.append(years[int(neg[0])] if neg.size else None)
        out.append(row)
    return out
