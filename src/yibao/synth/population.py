"""Insured persons (参保人员): scheme, person type, age and sex, region, enrollment, accounts.

Ages are drawn per person type from band weights ([M] plausible shapes: a working-age bulge
for active employees, retirees from 50, resident children following the birth cohorts, and
resident elderly thinning with age); the type shares come from :mod:`calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.synth import calibration as cal
from yibao.synth.config import SynthConfig
from yibao.synth.income import household_income

PERSON_TYPES: tuple[str, ...] = ("active", "retired", "adult", "child", "elderly")
ASSISTANCE: tuple[str, ...] = (
    "tekun", "dibao", "fanpin", "dibao_edge", "monitored", "illness_poverty",
)  # fmt: skip
EMPLOYER_KINDS: tuple[str, ...] = ("enterprise", "public_institution", "flexible")

# Age bands [low, high) and weights per person type ([M], see the module docstring).
AGE_BANDS: dict[str, tuple[tuple[int, int, float], ...]] = {
    "active": ((18, 25, 0.08), (25, 35, 0.28), (35, 45, 0.28), (45, 55, 0.26),
               (55, 60, 0.08), (60, 65, 0.02)),
    "retired": ((50, 55, 0.05), (55, 60, 0.12), (60, 65, 0.18), (65, 70, 0.20),
                (70, 75, 0.18), (75, 80, 0.12), (80, 85, 0.09), (85, 100, 0.06)),
    # births in millions per cohort ([M] NBS): age -1 = born during the year
    "child": ((-1, 0, 9.0), (0, 2, 9.5), (2, 3, 9.6), (3, 4, 10.6), (4, 5, 12.0),
              (5, 6, 14.7), (6, 7, 15.2), (7, 8, 17.2), (8, 9, 17.9), (9, 18, 16.4)),
    "adult": ((18, 30, 0.22), (30, 45, 0.30), (45, 60, 0.48)),
    "elderly": ((60, 65, 0.27), (65, 70, 0.24), (70, 75, 0.19), (75, 80, 0.13),
                (80, 85, 0.09), (85, 100, 0.08)),
}  # fmt: skip
MALE_SHARE: dict[str, float] = {  # [M]
    "active": 0.56, "retired": 0.47, "adult": 0.49, "child": 0.53, "elderly": 0.46,
}  # fmt: skip
LEAVE_RATE: dict[str, float] = {  # enrollment ends in the year (death, moving) [M]
    "active": 0.01, "retired": 0.03, "adult": 0.01, "child": 0.003, "elderly": 0.04,
}  # fmt: skip
JOIN_RATE = 0.015  # share of non-newborns who join during the year [M]


@dataclass(frozen=True)
class Persons:
    """Persons as parallel numpy arrays (index = person number − 1)."""

    sex: npt.NDArray[np.int64]  # 1 male, 2 female
    birth: npt.NDArray[np.datetime64]
    age: npt.NDArray[np.int64]  # whole years on 1 January of the year (−1 = born in the year)
    ptype: npt.NDArray[np.int64]  # index into PERSON_TYPES
    region: npt.NDArray[np.int64]  # index into config.prefectures
    employer_kind: npt.NDArray[np.int64]  # index into EMPLOYER_KINDS, −1 = none
    wage_fen: npt.NDArray[np.int64]  # −1 = none
    assistance: npt.NDArray[np.int64]  # index into ASSISTANCE, −1 = none
    balance_fen: npt.NDArray[np.int64]
    enrolled_from: npt.NDArray[np.datetime64]
    enrolled_to: npt.NDArray[np.datetime64]  # NaT = open
    household_income_fen: npt.NDArray[np.int64]  # synthetic, see :mod:`yibao.synth.income`

    def __len__(self) -> int:
        return len(self.sex)

    @property
    def employee(self) -> npt.NDArray[np.bool_]:
        return self.ptype <= 1


def _choice(rng: np.random.Generator, n: int, weights: list[float]) -> npt.NDArray[np.int64]:
    p = np.asarray(weights, np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def _person_types(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    emp, act = cal.EMPLOYEE_SHARE, cal.ACTIVE_SHARE
    res = cal.RESIDENT_TYPE_SHARE
    weights = [emp * act, emp * (1 - act), (1 - emp) * res["adult"], (1 - emp) * res["child"],
               (1 - emp) * res["elderly"]]  # fmt: skip
    return _choice(rng, n, weights)


def _ages(rng: np.random.Generator, ptype: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    age = np.empty(len(ptype), np.int64)
    for t, name in enumerate(PERSON_TYPES):
        idx = np.flatnonzero(ptype == t)
        bands = AGE_BANDS[name]
        band = _choice(rng, len(idx), [b[2] for b in bands])
        low = np.array([b[0] for b in bands])[band]
        high = np.array([b[1] for b in bands])[band]
        age[idx] = low + np.floor(rng.random(len(idx)) * (high - low)).astype(np.int64)
    return age


def _birth_dates(
    rng: np.random.Generator, age: npt.NDArray[np.int64], year: int
) -> npt.NDArray[np.datetime64]:
    """A birth date giving ``age`` on 1 January (age −1: born during the year)."""
    jan1 = np.datetime64(f"{year}-01-01", "D")
    newborn = age < 0
    # born between the (age+1)-th and age-th anniversary before 1 January
    last_birthday = (jan1.astype("datetime64[Y]") - np.maximum(age, 0)).astype("datetime64[D]")
    offset = np.floor(rng.random(len(age)) * 365).astype(np.int64) + 1
    before = last_birthday - offset.astype("timedelta64[D]") + np.timedelta64(1, "D")
    before = np.where(age == 0, np.minimum(before, jan1 - np.timedelta64(1, "D")), before)
    during = jan1 + (offset - 1).astype("timedelta64[D]")
    return np.where(newborn, during, before)


def _enrollment(
    rng: np.random.Generator, ptype: npt.NDArray[np.int64], birth: npt.NDArray[np.datetime64],
    year: int,
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:  # fmt: skip
    n = len(ptype)
    jan1 = np.datetime64(f"{year}-01-01", "D")
    day = (np.floor(rng.random(n) * 365)).astype("timedelta64[D]")
    years_back = np.floor(rng.random(n) * 20).astype(np.int64) + 1
    earlier = (jan1.astype("datetime64[Y]") - years_back).astype("datetime64[D]") + day
    start = np.maximum(earlier, birth)
    joins = rng.random(n) < JOIN_RATE
    start = np.where(joins, np.maximum(jan1 + day, birth), start)
    leave = rng.random(n) < np.array([LEAVE_RATE[t] for t in PERSON_TYPES])[ptype]
    end_day = jan1 + (np.floor(rng.random(n) * 365)).astype("timedelta64[D]")
    leave &= end_day > start
    end = np.where(leave, end_day, np.datetime64("NaT", "D"))
    return start, end


def _assistance(rng: np.random.Generator, ptype: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    n = len(ptype)
    rate = np.array([cal.ASSISTANCE_RATE[t] for t in PERSON_TYPES])[ptype]
    has = rng.random(n) < rate
    res_mix = [cal.ASSISTANCE_MIX_RESIDENT.get(a, 0.0) for a in ASSISTANCE]
    emp_mix = [cal.ASSISTANCE_MIX_EMPLOYEE.get(a, 0.0) for a in ASSISTANCE]
    category = np.where(ptype <= 1, _choice(rng, n, emp_mix), _choice(rng, n, res_mix))
    return np.where(has, category, -1)


def _wages(
    rng: np.random.Generator, ptype: npt.NDArray[np.int64], kind: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Monthly wage of employees in service, in whole yuan as fen ([M] NBS averages)."""
    mean = np.array([cal.WAGE_MEAN_YUAN[k] for k in EMPLOYER_KINDS])[np.maximum(kind, 0)]
    sigma = cal.WAGE_SIGMA
    yuan = mean * np.exp(rng.normal(-(sigma**2) / 2, sigma, len(ptype)))
    fen = np.round(np.clip(yuan, 2_000, 60_000)).astype(np.int64) * 100
    return np.where(ptype == 0, fen, -1)


def _balances(rng: np.random.Generator, ptype: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Opening individual-account balance: employees only, mean from PF 2024 (14,471.75亿)."""
    sigma = 1.0
    yuan = cal.ACCOUNT_MEAN_YUAN * np.exp(rng.normal(-(sigma**2) / 2, sigma, len(ptype)))
    return np.where(ptype <= 1, np.round(yuan * 100).astype(np.int64), 0)


def generate_persons(config: SynthConfig, rng: np.random.Generator) -> Persons:
    n = config.persons
    ptype = _person_types(rng, n)
    age = _ages(rng, ptype)
    male_share = np.array([MALE_SHARE[t] for t in PERSON_TYPES])[ptype]
    sex = np.where(rng.random(n) < male_share, 1, 2).astype(np.int64)
    birth = _birth_dates(rng, age, config.year)
    region = _choice(rng, n, config.region_weights())
    kind_share = [cal.EMPLOYER_KIND_SHARE[k] for k in EMPLOYER_KINDS]
    kind = np.where(ptype == 0, _choice(rng, n, kind_share), -1)
    start, end = _enrollment(rng, ptype, birth, config.year)
    wage = _wages(rng, ptype, kind)
    assistance = _assistance(rng, ptype)
    return Persons(
        sex=sex,
        birth=birth,
        age=age,
        ptype=ptype,
        region=region,
        employer_kind=kind,
        wage_fen=wage,
        assistance=assistance,
        balance_fen=_balances(rng, ptype),
        enrolled_from=start,
        enrolled_to=end,
        household_income_fen=household_income(config.seed, ptype <= 1, wage, assistance >= 0),
    )
