"""Contribution rules against the demo and national packs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yibao.enroll.contributions import (
    arrears,
    contribution_base,
    employee_contribution,
    employee_parameters,
    resident_contribution,
    resident_parameters,
)
from yibao.errors import InputError
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import shipped_packs
from yibao.types import AssistanceCategory

DAY = date(2025, 3, 1)


@pytest.fixture(scope="module")
def demo() -> PolicyChain:
    return shipped_packs().chain("demo-north")


def test_base_clamped_to_60_and_300_percent(demo: PolicyChain) -> None:
    p = employee_parameters(demo, DAY)  # demo average wage 8000 yuan/month
    assert (p.base_floor, p.base_ceiling) == (480000, 2400000)
    assert contribution_base(100000, p) == 480000
    assert contribution_base(900000, p) == 900000
    assert contribution_base(5000000, p) == 2400000


def test_employee_month_2021_reform(demo: PolicyChain) -> None:
    c = employee_contribution(900000, employee_parameters(demo, DAY))
    # demo employer 7 %, employee 2 %; the employee's 2 % to the account, employer's to the pool
    assert (c.employer, c.employee, c.to_account, c.to_pool) == (63000, 18000, 18000, 63000)
    low = employee_contribution(100000, employee_parameters(demo, DAY))
    assert low.base == 480000 and low.employee == 9600


def test_retiree_credit_from_pack(demo: PolicyChain) -> None:
    assert employee_parameters(demo, DAY).retiree_account_credit == 10000


def test_national_needs_a_local_wage() -> None:
    national = shipped_packs().chain("national")
    with pytest.raises(InputError, match="average_wage"):
        employee_parameters(national, DAY)


def test_resident_2025_national_figures(demo: PolicyChain) -> None:
    p = resident_parameters(demo, DAY)
    assert (p.individual, p.subsidy) == (40000, 70000)  # 400 + 700 yuan (2025 notice)
    assert {c.reference.key for c in p.citations} >= {"resident-notice-2025"}
    c = resident_contribution(p)
    assert (c.by_person, c.by_assistance, c.central, c.local) == (40000, 0, 42000, 28000)
    assert resident_parameters(demo, date(2024, 5, 1)).subsidy == 67000


def test_assistance_pays_contributions(demo: PolicyChain) -> None:
    tekun = resident_contribution(resident_parameters(demo, DAY, AssistanceCategory.TEKUN))
    assert (tekun.by_person, tekun.by_assistance) == (0, 40000)
    dibao = resident_contribution(resident_parameters(demo, DAY, AssistanceCategory.DIBAO))
    assert (dibao.by_person, dibao.by_assistance) == (20000, 20000)
    assert resident_parameters(demo, DAY, AssistanceCategory.DIBAO).assistance_aid == Decimal("0.5")


def test_arrears() -> None:
    due = [("2025-01", 100), ("2025-02", 100), ("2025-03", 100)]
    got = arrears(due, [("2025-01", 100), ("2025-02", 60), ("2025-02", 10)])
    assert [(a.month, a.owed) for a in got] == [("2025-02", 30), ("2025-03", 100)]
