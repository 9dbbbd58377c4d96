"""Cohort-component population projection by age and sex per prefecture (队列要素法人口预测).

State: persons by prefecture × sex (0 male, 1 female) × single year of age 0 … 100 (100 = 100 and
over), and among them the employee-insured (职工医保参保人, in service or retired). One step is
one year: deaths (mortality with yearly improvement), net migration (a rate times an age
profile), ageing by one year, births (fertility of women 15–49, sex ratio at birth), then entry
into and exit from employee insurance below the retirement age (employment shares by age). Above
the retirement age people keep the scheme they retired in (retirees pay no contributions,
国发〔1998〕44号). Everyone not employee-insured is a resident insured (城乡居民).

Counts are float arrays (expected persons); the step conserves people exactly up to float error:
next total = total − deaths + births + migration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.actuarial.params import AGE_GROUPS, FERTILE_GROUPS, MAX_AGE, Parameters

Array = npt.NDArray[np.float64]
AGES = MAX_AGE + 1


def expand(groups: tuple[str, ...], values: tuple[float, ...], per_person: bool = True) -> Array:
    """Five-year age-group values → single years 0 … 100.

    With ``per_person`` a rate applies to each year of the group; otherwise the value is a share
    of the whole group, spread evenly over its years (85+ over 85 … 100).

    >>> expand(("0-4",), (0.5,), per_person=False)[:5].round(2).tolist()
    [0.1, 0.1, 0.1, 0.1, 0.1]
    """
    out = np.zeros(AGES)
    for name, v in zip(groups, values, strict=True):
        if name.endswith("+"):
            lo, hi = int(name[:-1]), MAX_AGE
        else:
            a, b = name.split("-")
            lo, hi = int(a), int(b)
        n = hi - lo + 1
        out[lo : hi + 1] = v if per_person else v / n
    return out


@dataclass(frozen=True, slots=True)
class Rates:
    """Single-year rates, shape (prefectures, 2, 101) unless noted."""

    mortality: Array  # annual death probability q(x)
    improvement: float  # yearly relative fall in mortality
    fertility: Array  # (101,) births per woman
    male_birth_share: float
    migration: Array  # net migrants per person per year
    employment: Array  # target employee-insured share of the age (below retirement)
    retire_at: tuple[int, int]  # retirement age (male, female)


@dataclass(frozen=True, slots=True)
class State:
    """Persons and employee-insured persons, shape (prefectures, 2, 101)."""

    persons: Array
    employees: Array

    def in_service(self, retire_at: tuple[int, int]) -> Array:
        """In-service employees per prefecture (在职职工)."""
        out: Array = np.stack(
            [self.employees[:, s, : retire_at[s]].sum(axis=1) for s in (0, 1)], axis=1
        ).sum(axis=1)
        return out

    def retirees(self, retire_at: tuple[int, int]) -> Array:
        """Retired employees per prefecture (退休职工)."""
        out: Array = np.stack(
            [self.employees[:, s, retire_at[s] :].sum(axis=1) for s in (0, 1)], axis=1
        ).sum(axis=1)
        return out


@dataclass(frozen=True, slots=True)
class Flows:
    """What one step moved, per prefecture."""

    deaths: Array
    births: Array
    migration: Array
    entries: Array  # into employee insurance
    exits: Array  # from employee insurance to residents (below retirement age)


def rates_from(p: Parameters, codes: tuple[str, ...], mortality_factor: float = 1.0) -> Rates:
    """Single-year rates from the assumptions for the given prefectures."""
    q = np.stack(
        [expand(AGE_GROUPS, p.table(f"demography.mortality.{s}")) for s in ("male", "female")]
    )
    q = np.clip(q * mortality_factor, 0.0, 1.0)
    profile = expand(AGE_GROUPS, p.table("demography.migration_profile"))
    profile = profile / profile.mean() if profile.mean() > 0 else profile
    mig = np.stack([p.pref(c, "net_migration") * profile for c in codes])
    emp = np.stack(
        [expand(AGE_GROUPS, p.table(f"demography.employment.{s}")) for s in ("male", "female")]
    )
    factors = np.array([p.pref(c, "employment_factor") for c in codes])
    employment = np.clip(emp[None, :, :] * factors[:, None, None], 0.0, 1.0)
    srb = p.number("demography.sex_ratio_at_birth")
    return Rates(
        mortality=np.broadcast_to(q, (len(codes), 2, AGES)).copy(),
        improvement=p.number("demography.mortality_improvement"),
        fertility=expand(FERTILE_GROUPS, p.table("demography.fertility")),
        male_birth_share=srb / (1 + srb),
        migration=np.stack([mig, mig], axis=1),
        employment=employment,
        retire_at=(
            int(p.number("demography.retirement_age.male")),
            int(p.number("demography.retirement_age.female")),
        ),
    )


def initial_state(p: Parameters, codes: tuple[str, ...], rates: Rates) -> State:
    """The base-year population: totals × age structure (60+ scaled by ``elderly_factor``)."""
    persons = np.zeros((len(codes), 2, AGES))
    for i, code in enumerate(codes):
        shares = np.stack(
            [
                expand(AGE_GROUPS, p.table(f"demography.age_structure.{s}"), per_person=False)
                for s in ("male", "female")
            ]
        )
        shares[:, 60:] *= p.pref(code, "elderly_factor")
        persons[i] = shares / shares.sum() * p.pref(code, "population")
    employees = persons * rates.employment
    for s in (0, 1):
        r = rates.retire_at[s]
        # retired cohorts carry the employment share they had just before retiring
        employees[:, s, r:] = persons[:, s, r:] * rates.employment[:, s, r - 1 : r]
    return State(persons, employees)


def step(state: State, rates: Rates, t: int) -> tuple[State, Flows]:
    """One year of the cohort-component projection; ``t`` years after the base year."""
    q = np.clip(rates.mortality * (1 - rates.improvement) ** t, 0.0, 1.0)
    p, e = state.persons, state.employees
    deaths = p * q
    survivors = p - deaths
    e_surv = e * (1 - q)
    mig = np.maximum(survivors * rates.migration, -survivors)
    share = np.divide(e_surv, survivors, out=np.zeros_like(e_surv), where=survivors > 0)
    survivors = survivors + mig
    e_surv = survivors * share
    births = (p[:, 1, :] * rates.fertility).sum(axis=1)
    aged = np.zeros_like(p)
    aged[:, :, 1:] = survivors[:, :, :-1]
    aged[:, :, -1] += survivors[:, :, -1]
    e_aged = np.zeros_like(e)
    e_aged[:, :, 1:] = e_surv[:, :, :-1]
    e_aged[:, :, -1] += e_surv[:, :, -1]
    aged[:, 0, 0] = births * rates.male_birth_share
    aged[:, 1, 0] = births * (1 - rates.male_birth_share)
    e_new = e_aged.copy()
    entries = np.zeros(p.shape[0])
    exits = np.zeros(p.shape[0])
    for s in (0, 1):
        r = rates.retire_at[s]
        target = aged[:, s, :r] * rates.employment[:, s, :r]
        diff = target - e_aged[:, s, :r]
        entries += np.clip(diff, 0, None).sum(axis=1)
        exits += np.clip(-diff, 0, None).sum(axis=1)
        e_new[:, s, :r] = target
    flows = Flows(deaths.sum(axis=(1, 2)), births, mig.sum(axis=(1, 2)), entries, exits)
    return State(aged, np.minimum(e_new, aged)), flows


def project(state: State, rates: Rates, years: int) -> list[State]:
    """The states of the base year and the ``years`` following years."""
    out = [state]
    for t in range(years):
        state, _ = step(state, rates, t)
        out.append(state)
    return out
