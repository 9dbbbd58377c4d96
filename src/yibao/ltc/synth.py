"""The synthetic province's LTC year: disabled elderly, their assessments, care providers,
monthly care bills settled by the real rules, and the month's financing.

Everything drawn here is SYNTHETIC. The one sourced anchor: disabled elderly ≈ 11.6 % of
people aged 60+ (about 35 million of 310 million, 雷雯, 行政管理改革 2025(12), policy-facts-2
§1.1 [A]); the prevalence rises with age ([M] shape, scaled to that average). Assessments are
item scores run through :func:`yibao.ltc.assess.assess` (whose bands are themselves synthetic);
bills go through eligibility and the pack's benefit rules; financing uses Qingdao 2018's rule
on the employees' wages. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa

from yibao.ledger.model import Fund, Journal
from yibao.ledger.postings import fund_movement
from yibao.ltc.assess import INDICATORS, Assessment, Level
from yibao.ltc.benefit import CareBill, Pack
from yibao.ltc.care import Case, settle_case
from yibao.ltc.eligibility import Enrolment, add_months
from yibao.ltc.financing import FinancingRule, financing_journal
from yibao.money import Fen
from yibao.types import Scheme

# Disability prevalence by age band ([M] shape), scaled so 60+ averages about 11.6 % [A].
PREVALENCE: tuple[tuple[int, float], ...] = ((60, 0.05), (70, 0.12), (80, 0.30))
# Care forms chosen by the eligible, with the share of a day cap a day's care costs ([M]).
FORM_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("institution", 0.45),
    ("home_visit", 0.40),
    ("hospital_l2", 0.10),
    ("hospital_l3", 0.05),
)
PROVIDERS_PER_FORM = 3  # care providers of each form per prefecture (synthetic)


@dataclass
class LtcYear:
    """What the report and the projection need of the LTC year."""

    elderly: int = 0
    assessed: int = 0
    by_level: Counter[int] = field(default_factory=Counter)
    eligible: int = 0
    bills: int = 0
    refused: int = 0
    not_covered: int = 0  # disabled, but their scheme is outside the pilot's coverage
    cost: Fen = 0
    fund: Fen = 0
    by_form: Counter[str] = field(default_factory=Counter)
    income: dict[str, Fen] = field(default_factory=dict)
    providers: list[tuple[str, str, str]] = field(default_factory=list)  # id, region, form
    assessments: list[dict[str, object]] = field(default_factory=list)
    journals: list[Journal] = field(default_factory=list)

    @property
    def balance(self) -> Fen:
        return sum(self.income.values()) - self.fund


def _prevalence(age: int) -> float:
    p = 0.0
    for low, rate in PREVALENCE:
        if age >= low:
            p = rate
    return p


def _scores(rng: random.Random, severity: float) -> dict[str, dict[str, int]]:
    """Item scores: each item at its best value with probability 1 − severity, else lower."""
    out: dict[str, dict[str, int]] = {}
    for ind, items in INDICATORS.items():
        sev = severity if ind == "adl" else severity * 0.6
        out[ind] = {
            name: allowed[-1] if rng.random() > sev else rng.choice(allowed[:-1])
            for name, allowed in items.items()
        }
    return out


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def providers(regions: list[str]) -> list[tuple[str, str, str]]:
    return [
        (f"LTC{region}{form[:3].upper()}{i}", region, form)
        for region in regions
        for form, _ in FORM_WEIGHTS
        for i in range(1, PROVIDERS_PER_FORM + 1)
    ]


def ltc_year(
    persons: pa.Table, year: int, seed: int, pack: Pack, rule: FinancingRule, region_of: str = ""
) -> LtcYear:
    """Draw, assess and settle the year; post the financing month by month."""
    rng = random.Random(seed)
    jan1 = date(year, 1, 1)
    rows = persons.select(
        ["person_id", "birth_date", "scheme", "insured_region", "enrolled_from", "monthly_wage_fen"]
    ).to_pylist()
    regions = sorted({str(r["insured_region"]) for r in rows})
    out = LtcYear(providers=providers(regions))
    by_region_form: dict[tuple[str, str], list[str]] = {}
    for pid, region, form in out.providers:
        by_region_form.setdefault((region, form), []).append(pid)
    for r in rows:
        age = _age(r["birth_date"], jan1)
        if age < 60:
            continue
        out.elderly += 1
        if rng.random() >= _prevalence(age):
            continue
        assessed_on = jan1 - timedelta(days=rng.randrange(0, 540))
        a = Assessment(
            str(r["person_id"]),
            assessed_on,
            add_months(assessed_on, 24) - timedelta(days=1),  # valid 2 years (Shanghai ≤2 [T])
            assessed_on - timedelta(days=rng.randrange(150, 900)),
            _scores(rng, rng.choice((0.2, 0.5, 0.8, 0.95))),
        )
        enrolled = r["enrolled_from"] or date(year - 10, 1, 1)
        who = Enrolment(a.person_id, Scheme(str(r["scheme"])), enrolled)
        if who.scheme not in pack.eligibility.schemes:
            out.not_covered += 1
            continue
        form = rng.choices([f for f, _ in FORM_WEIGHTS], [w for _, w in FORM_WEIGHTS])[0]
        provider = rng.choice(by_region_form[(str(r["insured_region"]), form)])
        _settle_person(out, pack, a, who, form, provider, year, rng)
    _finance(out, rows, year, rule, region_of or pack.ledger_region)
    return out


def _settle_person(
    out: LtcYear,
    pack: Pack,
    a: Assessment,
    who: Enrolment,
    form: str,
    provider: str,
    year: int,
    rng: random.Random,
) -> None:
    bills = []
    rule = pack.rules[form]
    for month in range(1, 13):
        start = date(year, month, 1)
        days = ((add_months(start, 1) - start).days) if month < 12 else 31
        cap = rule.day_cap or rule.cash_per_day or 0
        cost = sum(int(cap * rng.uniform(0.7, 1.3)) for _ in range(days))
        bills.append(
            CareBill(f"{a.person_id}-{month:02d}", a.person_id, provider, start, form, days, cost)
        )
    out.assessed += 1
    level_case = Case(who, a, ())
    outcome, _ = settle_case(pack, level_case)
    out.by_level[int(outcome.level)] += 1
    out.assessments.append(
        {
            "person_id": a.person_id,
            "assessed_on": a.assessed_on,
            "valid_until": a.valid_until,
            "disabled_since": a.disabled_since,
            **{f"{k}_total": v for k, v in outcome.totals.items()},
            "level": int(outcome.level),
        }
    )
    if outcome.level < pack.min_level:
        return
    paid_any = False
    for bill in bills:
        try:
            _, settled = settle_case(pack, Case(who, a, (bill,)))
        except ValueError:  # ineligible that month: waiting period, assessment lapsed, scheme
            out.refused += 1
            continue
        for b, s in settled:
            paid_any = True
            out.bills += 1
            out.cost += b.cost
            out.fund += s.fund
            out.by_form[b.form] += s.fund
    out.eligible += paid_any


def _finance(
    out: LtcYear, rows: list[dict[str, object]], year: int, rule: FinancingRule, region: str
) -> None:
    bases = {
        str(r["person_id"]): int(str(r["monthly_wage_fen"]))
        for r in rows
        if r["scheme"] == "employee"
        and r["monthly_wage_fen"] is not None
        and int(str(r["monthly_wage_fen"])) > 0
    }
    for month in range(1, 13):
        day = date(year, month, 1)
        j = financing_journal(f"LTCF-{region}-{year}-{month:02d}", region, day, rule, bases)
        out.journals.append(j)
    for key, v in fund_movement(out.journals, region, Fund.LONG_TERM_CARE).items():
        if key.startswith("income:"):
            out.income[key[7:]] = out.income.get(key[7:], 0) + v


def level_name(level: int) -> str:
    return Level(level).name
