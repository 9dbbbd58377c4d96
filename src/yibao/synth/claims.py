"""Claims (结算单据): how many, when, where, for what, and the cost each one should reach.

Per person and year: inpatient admissions, general outpatient visits, chronic-disease visits
and pharmacy purchases are negative-binomial counts (a gamma frailty makes care cluster in
some persons, as it does) with the means of :mod:`calibration` scaled by the enrolled part of
the year. Admissions of one person never overlap. Everything is vectorised over a chunk of
persons; nothing loops over claims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.synth import calibration as cal
from yibao.synth.population import PERSON_TYPES, Persons
from yibao.synth.providers import CATEGORIES, pick_providers
from yibao.synth.reference import Conditions

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
DateArray = npt.NDArray[np.datetime64]

INPATIENT, OUTPATIENT, CHRONIC, PHARMACY = 0, 1, 2, 3
SETTINGS = ("inpatient", "outpatient", "chronic", "outpatient")  # condition setting per visit
ROUTES: tuple[str, ...] = ("local", "filed", "referred", "emergency", "unfiled")
FRAILTY_SHAPE = {INPATIENT: 0.5, OUTPATIENT: 1.0, CHRONIC: 4.0, PHARMACY: 0.8}  # [M]
COMORBIDITY_MAX = 4


@dataclass(frozen=True)
class Claims:
    """Claims of a chunk as parallel arrays, ordered by person, date and visit type."""

    person: IntArray  # global person index
    visit: IntArray  # INPATIENT … PHARMACY
    admit: DateArray
    discharge: DateArray
    los: IntArray
    age: IntArray  # age in whole years on the admission date
    condition: IntArray
    provider: IntArray
    category: IntArray  # index into providers.CATEGORIES (kind and level)
    route: IntArray
    main_dx: IntArray  # index into conditions.main_dx.codes
    procedures: IntArray  # (n, 2) indices: main into procedures.codes, second into secondary
    other_dx: IntArray  # (n, COMORBIDITY_MAX) indices into comorbidities, −1 = none
    target_fen: FloatArray  # the cost the lines should add up to, before calibration

    def __len__(self) -> int:
        return len(self.person)


def _window(persons: Persons, lo: int, hi: int, year: int) -> tuple[IntArray, IntArray]:
    """First and last enrolled day of the year (day offsets from 1 January) of each person."""
    jan1 = np.datetime64(f"{year}-01-01", "D")
    last = np.datetime64(f"{year}-12-31", "D")
    start = np.maximum(persons.enrolled_from[lo:hi], jan1)
    to = persons.enrolled_to[lo:hi]
    end = np.where(np.isnat(to), last, np.minimum(to, last))
    return (start - jan1).astype(np.int64), (end - jan1).astype(np.int64)


def _means(persons: Persons, lo: int, hi: int, rng: np.random.Generator) -> list[FloatArray]:
    """Mean count per person for the whole year, by visit type."""
    ptype = persons.ptype[lo:hi]
    # solve active rate a: (ACTIVE·a + RETIRED·3.5a) / EMPLOYEES = 0.2186 (PF 2023)
    act = (
        cal.INPATIENT_RATE["employee"]
        * cal.EMPLOYEES_2024
        / (cal.ACTIVE_2024 + cal.RETIRED_2024 * cal.RETIRED_TO_ACTIVE_INPATIENT)
    )
    inpatient = {"active": act, "retired": act * cal.RETIRED_TO_ACTIVE_INPATIENT,
                 **cal.RESIDENT_INPATIENT}  # fmt: skip
    filed = rng.random(len(ptype)) < np.array([cal.CHRONIC_FILING[t] for t in PERSON_TYPES])[ptype]

    def per_type(table: dict[str, float]) -> FloatArray:
        return np.array([table[t] for t in PERSON_TYPES])[ptype]

    return [
        per_type(inpatient),
        per_type(cal.OUTPATIENT_VISITS),
        np.where(filed, cal.CHRONIC_VISITS_PER_FILED, 0.0),
        per_type(cal.PHARMACY_VISITS),
    ]


def _counts(mean: FloatArray, shape: float, rng: np.random.Generator) -> IntArray:
    """Negative-binomial counts: Poisson with a gamma(shape, mean/shape) frailty."""
    lam = rng.gamma(shape, 1.0 / shape, len(mean)) * mean
    return rng.poisson(lam).astype(np.int64)


def _rank_in_group(group: IntArray) -> IntArray:
    """0, 1, 2 … within runs of equal consecutive values."""
    n = len(group)
    if n == 0:
        return np.zeros(0, np.int64)
    new = np.ones(n, bool)
    new[1:] = group[1:] != group[:-1]
    starts = np.flatnonzero(new)
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))


def _age_at(persons: Persons, person: IntArray, day: DateArray) -> IntArray:
    birth = persons.birth[person]
    years = day.astype("datetime64[Y]").astype(np.int64) - birth.astype("datetime64[Y]").astype(
        np.int64
    )
    doy_day = (day - day.astype("datetime64[Y]")).astype(np.int64)
    doy_birth = (birth - birth.astype("datetime64[Y]")).astype(np.int64)
    age: IntArray = np.maximum(years - (doy_day < doy_birth), 0)
    return age


def pick_conditions(
    cond: Conditions, setting: str, sex: IntArray, age: IntArray, u: FloatArray
) -> IntArray:
    """A condition for each claim, by weight among those eligible for the sex and age."""
    ids = np.flatnonzero(cond.setting == setting)
    ages = np.arange(101)
    ok_age = (ages[:, None] >= cond.min_age[ids]) & (ages[:, None] <= cond.max_age[ids])
    tables = []
    for s in (1, 2):
        ok = ok_age & ((cond.sex[ids] == 0) | (cond.sex[ids] == s))
        w = ok * cond.weight[ids]
        empty = w.sum(1) == 0
        w[empty] = cond.weight[ids]  # nobody eligible: fall back to all (never in shipped data)
        tables.append(np.cumsum(w, 1) / w.sum(1, keepdims=True))
    cum = np.stack(tables)  # (2, 101, k)
    group = (sex - 1) * 101 + np.minimum(age, 100)
    flat = (np.arange(202)[:, None] + cum.reshape(202, -1)).ravel()
    pos = np.searchsorted(flat, group + np.clip(u, 1e-12, 1 - 1e-12), side="left")
    picked: IntArray = ids[pos - group * len(ids)]
    return picked


def _inpatient_dates(
    rng: np.random.Generator, k: IntArray, start: IntArray, end: IntArray, year: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Admission day, room (days until the slot ends) and owner of non-overlapping stays."""
    owner = np.repeat(np.arange(len(k)), k)
    j = _rank_in_group(owner)
    span = (end - start + 1)[owner]
    slot = span / k[owner]
    s0 = start[owner] + np.floor(j * slot).astype(np.int64)
    s1 = start[owner] + np.floor((j + 1) * slot).astype(np.int64) - 1
    room = s1 - s0
    admit = s0 + np.floor(rng.random(len(owner)) * np.maximum(room - 1, 0) * 0.7).astype(np.int64)
    return admit, s1 - admit, owner


def _levels(rng: np.random.Generator, visit: IntArray) -> IntArray:
    """Provider category per claim (index into providers.CATEGORIES)."""
    n = len(visit)
    out = np.full(n, CATEGORIES.index(("pharmacy", "L1")), np.int64)
    mixes = {
        INPATIENT: {("hospital", lv): p for lv, p in cal.INPATIENT_LEVEL_MIX.items()},
        OUTPATIENT: {
            (("community", "L1") if lv == "community" else ("hospital", lv)): p
            for lv, p in cal.OUTPATIENT_LEVEL_MIX.items()
        },
        CHRONIC: {
            (("community", "L1") if lv == "community" else ("hospital", lv)): p
            for lv, p in cal.CHRONIC_LEVEL_MIX.items()
        },
    }
    for v, mix in mixes.items():
        idx = np.flatnonzero(visit == v)
        cats = np.array([CATEGORIES.index(c) for c in mix])
        p = np.array(list(mix.values()))
        out[idx] = cats[rng.choice(len(cats), size=len(idx), p=p / p.sum())]
    return out


def _regions(
    rng: np.random.Generator, home: IntArray, visit: IntArray, nregions: int
) -> tuple[IntArray, IntArray]:
    """Treatment region and route of each claim: a few % go to another prefecture."""
    rate = np.array(
        [
            cal.CROSS_REGION[v]
            for v in ("inpatient", "outpatient_general", "outpatient_chronic", "pharmacy")
        ]
    )
    away = (rng.random(len(home)) < rate[visit]) & (nregions > 1)
    shift = 1 + np.floor(rng.random(len(home)) * max(nregions - 1, 1)).astype(np.int64)
    region = np.where(away, (home + shift) % max(nregions, 1), home)
    mix = np.array(list(cal.CROSS_ROUTE_MIX.values()))
    route_away = 1 + rng.choice(len(mix), size=len(home), p=mix / mix.sum())
    return region, np.where(away, route_away, 0)


def _codes(
    rng: np.random.Generator, cond: Conditions, condition: IntArray, visit: IntArray,
    age: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:  # fmt: skip
    n = len(condition)
    md = cond.main_dx
    main_dx = md.start[condition] + np.floor(rng.random(n) * md.count[condition]).astype(np.int64)
    pr, sc = cond.procedures, cond.secondary
    procs = np.full((n, 2), -1, np.int64)
    has = pr.count[condition] > 0
    pick = pr.start[condition] + np.floor(rng.random(n) * pr.count[condition]).astype(np.int64)
    procs[:, 0] = np.where(has, pick, -1)
    has2 = (sc.count[condition] > 0) & (rng.random(n) < 0.5)
    pick2 = sc.start[condition] + np.floor(rng.random(n) * sc.count[condition]).astype(np.int64)
    procs[:, 1] = np.where(has2, pick2, -1)
    # comorbidities: more with age, inpatients more than outpatients ([M])
    lam = np.where(visit == INPATIENT, 0.3 + age / 40.0, 0.05 + age / 200.0)
    k = np.minimum(rng.poisson(lam), COMORBIDITY_MAX)
    ncom = len(cond.comorbidities)
    other = np.full((n, COMORBIDITY_MAX), -1, np.int64)
    some = np.flatnonzero(k > 0)  # distinct codes: the first k of a random permutation
    draw = np.argsort(rng.random((len(some), ncom)), axis=1)[:, :COMORBIDITY_MAX]
    other[some] = np.where(np.arange(COMORBIDITY_MAX) < k[some, None], draw, -1)
    return main_dx, procs, other


def _targets(
    rng: np.random.Generator, cond: Conditions, visit: IntArray, employee: npt.NDArray[np.bool_],
    category: IntArray, condition: IntArray,
) -> FloatArray:  # fmt: skip
    """The cost in fen each claim aims at; calibrated to the scheme means later."""
    scheme = np.where(employee, "employee", "resident")
    n = len(visit)
    ip_level = np.array([cal.INPATIENT_LEVEL_COST[lv] for _, lv in CATEGORIES])
    op_level = np.array(
        [cal.OUTPATIENT_LEVEL_COST["community" if k == "community" else lv]
         for k, lv in CATEGORIES]
    )  # fmt: skip
    means = {
        INPATIENT: (cal.INPATIENT_COST_YUAN, 0.55),
        OUTPATIENT: (cal.OUTPATIENT_COST_YUAN, 0.6),
        CHRONIC: (cal.CHRONIC_COST_YUAN, 0.4),
        PHARMACY: (cal.PHARMACY_COST_YUAN, 0.7),
    }
    target = np.zeros(n)
    for v, (table, sigma) in means.items():
        idx = np.flatnonzero(visit == v)
        base = np.array([table[s] for s in ("employee", "resident")])[
            (scheme[idx] == "resident").astype(np.int64)
        ]
        level = (ip_level if v == INPATIENT else op_level)[category[idx]]
        factor = cond.cost_factor[condition[idx]] if v == INPATIENT else 1.0
        noise = np.exp(rng.normal(-(sigma**2) / 2, sigma, len(idx)))
        target[idx] = base * 100 * level * factor * noise
    return target


def generate_claims(
    persons: Persons, lo: int, hi: int, year: int, cond: Conditions,
    picker: tuple[FloatArray, IntArray, IntArray, int], nregions: int,
    rng: np.random.Generator,
) -> Claims:  # fmt: skip
    """Claims of persons lo..hi−1 for the year."""
    start, end = _window(persons, lo, hi, year)
    span = np.maximum(end - start + 1, 0)
    exposure = span / 365.0
    means = _means(persons, lo, hi, rng)
    counts = [_counts(m * exposure, FRAILTY_SHAPE[v], rng) for v, m in enumerate(means)]
    counts[INPATIENT] = np.minimum(counts[INPATIENT], span // 4)
    ip_admit, ip_room, ip_owner = _inpatient_dates(rng, counts[INPATIENT], start, end, year)
    owners = [ip_owner] + [np.repeat(np.arange(hi - lo), c) for c in counts[1:]]
    days = [ip_admit] + [
        start[o] + np.floor(rng.random(len(o)) * span[o]).astype(np.int64) for o in owners[1:]
    ]
    visit = np.concatenate([np.full(len(o), v, np.int64) for v, o in enumerate(owners)])
    local = np.concatenate(owners)
    day = np.concatenate(days)
    room = np.concatenate([ip_room] + [np.zeros(len(o), np.int64) for o in owners[1:]])
    order = np.lexsort((visit, day, local))
    local, visit, day, room = local[order], visit[order], day[order], room[order]
    person = local + lo
    jan1 = np.datetime64(f"{year}-01-01", "D")
    admit = jan1 + day.astype("timedelta64[D]")
    age = _age_at(persons, person, admit)
    sex = persons.sex[person]
    n = len(person)
    condition = np.zeros(n, np.int64)
    u = rng.random(n)
    for v in (INPATIENT, OUTPATIENT, CHRONIC, PHARMACY):
        idx = np.flatnonzero(visit == v)
        condition[idx] = pick_conditions(cond, SETTINGS[v], sex[idx], age[idx], u[idx])
    # a person's chronic visits share one condition: that of their first chronic visit
    ch = np.flatnonzero(visit == CHRONIC)
    first = np.unique(person[ch], return_index=True)
    condition[ch] = condition[ch[first[1]]][np.searchsorted(first[0], person[ch])]
    category = _levels(rng, visit)
    region, route = _regions(rng, persons.region[person], visit, nregions)
    provider = pick_providers(picker, region, category, rng.random(n))
    los_level = np.array([cal.INPATIENT_LEVEL_LOS[lv] for _, lv in CATEGORIES])[category]
    raw_los = rng.gamma(2.0, cond.los_mean[condition] * los_level / 2.0)
    los = np.where(visit == INPATIENT, np.clip(np.round(raw_los), 1, np.maximum(room, 1)), 0)
    main_dx, procs, other = _codes(rng, cond, condition, visit, age)
    employee = persons.ptype[person] <= 1
    target = _targets(rng, cond, visit, employee, category, condition)
    # longer stays cost more: scale by (LOS / expected LOS)^0.6 ([M]; mean restored later)
    expected = np.maximum(cond.los_mean[condition] * los_level, 1.0)
    target = np.where(visit == INPATIENT, target * (np.maximum(los, 1) / expected) ** 0.6, target)
    los = los.astype(np.int64)
    admit = _outside_stays(person, visit, admit, los)
    keep = np.lexsort((visit, admit, person))
    return Claims(
        person=person[keep],
        visit=visit[keep],
        admit=admit[keep],
        discharge=(admit + los.astype("timedelta64[D]"))[keep],
        los=los[keep],
        age=_age_at(persons, person[keep], admit[keep]),
        condition=condition[keep],
        provider=provider[keep],
        category=category[keep],
        route=route[keep],
        main_dx=main_dx[keep],
        procedures=procs[keep],
        other_dx=other[keep],
        target_fen=target[keep],
    )


def _outside_stays(person: IntArray, visit: IntArray, admit: DateArray, los: IntArray) -> DateArray:
    """Move outpatient and pharmacy claims dated inside a stay of their person to its discharge day.

    An inpatient is treated on the ward: an outpatient visit or a pharmacy purchase of his own
    on a day strictly inside the stay is what the rule 住院期间门诊购药 (OP_DURING_STAY) flags,
    so clean data does not hold it; the discharge day itself is ordinary (带药出院 follow-up).
    Claims are ordered by person, day and visit (inpatient first), and stays of one person do
    not overlap, so the only stay a claim can fall in is its person's latest admission so far.
    """
    n = len(person)
    pos = np.arange(n)
    last_ip = np.maximum.accumulate(np.where(visit == INPATIENT, pos, -1))
    has = last_ip >= 0
    stay = np.where(has, last_ip, 0)
    discharge = admit[stay] + los[stay].astype("timedelta64[D]")
    inside = (
        has & (visit != INPATIENT) & (person[stay] == person)
        & (admit > admit[stay]) & (admit < discharge)
    )  # fmt: skip
    return np.where(inside, discharge, admit)
