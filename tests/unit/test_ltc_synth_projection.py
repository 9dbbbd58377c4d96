"""The synthetic province's LTC year and the LTC projection (ageing drives it)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from yibao.actuarial.params import parse_assumptions
from yibao.actuarial.population import initial_state, rates_from
from yibao.commands.actuarial_cmd import shipped_assumptions
from yibao.ltc.assess import Assessment, assess
from yibao.ltc.benefit import shipped_pack
from yibao.ltc.financing import QINGDAO_2018
from yibao.ltc.projection import project_ltc
from yibao.ltc.synth import ltc_year
from yibao.money import Stage, apply_ratio
from yibao.synth import SynthConfig
from yibao.synth.generate import generate_base

PACK = shipped_pack("demo-province")


@pytest.fixture(scope="module")
def persons() -> pa.Table:
    return generate_base(SynthConfig(seed=7, year=2025, persons=12000)).tables()[0]


def test_disabled_share_of_the_elderly_is_near_the_national_figure(persons: pa.Table) -> None:
    y = ltc_year(persons, 2025, 7, PACK, QINGDAO_2018)
    share = (y.assessed + y.not_covered) / y.elderly
    assert 0.08 < share < 0.15  # ≈ 11.6 % of the 60+ (雷雯 2025 [A])
    assert sum(y.by_level.values()) == y.assessed == len(y.assessments)


def test_levels_are_the_assessment_standard_and_the_year_is_deterministic(
    persons: pa.Table,
) -> None:
    a = ltc_year(persons, 2025, 7, PACK, QINGDAO_2018)
    b = ltc_year(persons, 2025, 7, PACK, QINGDAO_2018)
    assert (a.fund, a.bills, a.income) == (b.fund, b.bills, b.income)
    assert a.fund == sum(a.by_form.values()) and 0 < a.fund < a.cost


def test_financing_income_follows_the_qingdao_rule(persons: pa.Table) -> None:
    y = ltc_year(persons, 2025, 7, PACK, QINGDAO_2018)
    rows = persons.select(["scheme", "monthly_wage_fen"]).to_pylist()
    bases = [
        r["monthly_wage_fen"]
        for r in rows
        if r["scheme"] == "employee" and (r["monthly_wage_fen"] or 0) > 0
    ]
    # 0.5 % of each base from the pooled fund, monthly, rounded per person
    pooled = 12 * sum(apply_ratio(b, Decimal("0.005"), Stage.LTC_FINANCING) for b in bases)
    assert y.income["pooled_transfer"] == pooled
    assert abs(y.income["fiscal_subsidy"] - 3000 * len(bases)) <= 12  # 30 yuan a year, monthly


def test_assessment_records_carry_their_totals(persons: pa.Table) -> None:
    y = ltc_year(persons, 2025, 7, PACK, QINGDAO_2018)
    rec = y.assessments[0]
    assert set(rec) >= {"adl_total", "cognition_total", "perception_total", "level"}
    assert 0 <= rec["adl_total"] <= 100 and 0 <= rec["level"] <= 5


def test_the_projection_grows_with_ageing() -> None:
    p = parse_assumptions(shipped_assumptions("default.yaml").read_text(), "default.yaml")
    x = project_ltc(p, PACK, QINGDAO_2018)
    assert x.beneficiaries[:, -1].sum() > 1.5 * x.beneficiaries[:, 0].sum()
    assert x.expenditure[:, -1].sum() > x.expenditure[:, 0].sum()
    # first year, by hand: employees 60+ × prevalence × paid share × a year of institution care
    rates = rates_from(p, p.prefectures)
    emp = initial_state(p, p.prefectures, rates).employees
    older = (
        emp[:, :, 60:70].sum() * 0.05 + emp[:, :, 70:80].sum() * 0.12 + emp[:, :, 80:].sum() * 0.30
    )
    assert np.isclose(x.expenditure[:, 0].sum(), older * 0.55 * 60 * 0.96 * 365)


def test_the_assessment_level_of_a_record_matches_assess() -> None:
    from datetime import date

    from yibao.ltc.assess import INDICATORS

    worst = {ind: {k: v[0] for k, v in items.items()} for ind, items in INDICATORS.items()}
    out = assess(Assessment("P", date(2025, 1, 1), date(2026, 1, 1), date(2024, 1, 1), worst))
    assert int(out.level) == 5
