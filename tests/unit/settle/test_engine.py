"""The scalar engine on a small literate policy: deductibles, ceilings, reversal, trace, errors."""

from __future__ import annotations

from datetime import date

import pytest

from yibao.errors import InputError
from yibao.policy.loader import parse_pack
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import shipped_packs
from yibao.settle.engine import reverse, settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.types import Level, PersonType, Route, Scheme, Sex, VisitType

# A city: per-admission deductible 1,000 at L3 (2nd stay 50 %, 3rd+ 200), 90 % to 10,000
# then 95 %, a 20,000 ceiling on fund payment, large amount 80 % above it.
CITY = """\
pack: city
name: A test city
level: prefecture
parent: national
region: "990999"
references:
  t: {title: "written for this test", synthetic: true}
parameters:
  _from: 2024-01-01
  _ref: t
  employee:
    ceilings:
      basic: {kind: fund, amount: 20000}
    large_amount: {enabled: true, ratio: 0.8, cap: null}
    account: {enabled: true, covers: [deductible, coinsurance]}
    inpatient:
      ceiling_group: basic
      deductible:
        mode: per_admission
        amount: {L1: 300, L2: 600, L3: 1000}
        second_factor: 0.5
        third_fixed: 200
        third_factor: null
        floor: 0
        annual_cap: null
      fund:
        basis: expense
        scope: year
        ratio_add: 0
        age_adjust: []
        bands:
          L3: [{upto: 10000, ratio: 0.90}, {upto: null, ratio: 0.95}]
"""

PERSON = Person("P1", Scheme.EMPLOYEE, PersonType.ACTIVE, Sex.MALE, date(1970, 5, 1), "990999")


@pytest.fixture(scope="module")
def chain() -> PolicyChain:
    city = parse_pack(CITY, source="city.yaml")
    return PolicyChain((city, *shipped_packs().chain("national").packs))


def stay(n: int, total: int, day: date = date(2025, 3, 1)) -> Claim:
    return Claim(
        f"C{n}",
        "H1",
        Level.L3,
        "990999",
        VisitType.INPATIENT,
        day,
        day,
        Route.LOCAL,
        presplit=PreSplit(total),
    )


def test_repeat_admissions_reduce_the_deductible(chain: PolicyChain) -> None:
    acc = Accumulators(2025)
    charged = []
    for n in range(1, 5):
        s = settle(PERSON, stay(n, 500_000), acc, chain)
        charged.append(s.parts.deductible)
        acc = s.after
    assert charged == [100_000, 50_000, 20_000, 20_000]
    assert acc.pool(VisitType.INPATIENT).admissions == 4


def test_segments_accumulate_over_the_year(chain: PolicyChain) -> None:
    first = settle(PERSON, stay(1, 800_000), Accumulators(2025), chain)
    # 7,000 above the deductible at 90 %
    assert first.parts.pooled_fund == 630_000
    second = settle(PERSON, stay(2, 800_000), first.after, chain)
    # axis 8,000 → 16,000, deductible 500 first: 8,500..10,000 at 90 %, 10,000..16,000 at 95 %
    assert second.parts.pooled_fund == 135_000 + 570_000
    assert second.parts.violations() == []


def test_fund_ceiling_is_reached_inside_a_claim_and_the_rest_goes_to_large_amount(
    chain: PolicyChain,
) -> None:
    s = settle(PERSON, stay(1, 3_000_000), Accumulators(2025), chain)
    assert s.parts.pooled_fund == 2_000_000
    # the ceiling is reached at 10,000 + (20,000 − 8,100) / 0.95 = 22,526.32 of expense
    assert s.parts.over_ceiling == 3_000_000 - 2_252_632
    assert s.parts.large_amount == 597_894  # 80 % of 7,473.68 = 5,978.944
    assert s.parts.violations() == []
    nxt = settle(PERSON, stay(2, 100_000, date(2025, 4, 1)), s.after, chain)
    assert nxt.parts.pooled_fund == 0 and nxt.parts.over_ceiling == 100_000 - 50_000


def test_the_account_pays_only_what_it_covers(chain: PolicyChain) -> None:
    acc = Accumulators(2025, account_balance=50_000)
    claim = Claim(
        "C1",
        "H1",
        Level.L3,
        "990999",
        VisitType.INPATIENT,
        date(2025, 3, 1),
        date(2025, 3, 1),
        presplit=PreSplit(300_000, full_selfpay=40_000),
    )
    s = settle(PERSON, claim, acc, chain)
    # deductible 1,000 + coinsurance 10 % of 1,600 = 1,160 covered; 500 in the account
    assert (s.parts.account, s.after.account_balance) == (50_000, 0)
    assert s.parts.cash == 300_000 - s.parts.pooled_fund - 50_000


def test_reversal_restores_the_accumulators(chain: PolicyChain) -> None:
    acc = Accumulators(2025, account_balance=100_000)
    first = settle(PERSON, stay(1, 900_000), acc, chain)
    second = settle(PERSON, stay(2, 2_800_000, date(2025, 5, 1)), first.after, chain)
    parts, restored = reverse(second, second.after)
    assert restored == first.after
    assert parts.pooled_fund == -second.parts.pooled_fund and parts.total == -2_800_000
    again = settle(PERSON, stay(2, 2_800_000, date(2025, 5, 1)), restored, chain)
    assert again.parts == second.parts


def test_trace_cites_every_parameter_with_its_source(chain: PolicyChain) -> None:
    s = settle(PERSON, stay(1, 500_000), Accumulators(2025), chain)
    steps = {step.name: step for step in s.trace}
    assert list(steps) == [
        "bill_split",
        "deductible",
        "pooled_fund",
        "large_amount",
        "critical_illness",
        "assistance",
        "account",
        "cash",
    ]
    cited = {c.path: c for c in steps["deductible"].citations}
    amount = cited["employee.inpatient.deductible.amount.L3"]
    assert (amount.value, amount.pack, amount.reference.title) == (
        100_000,
        "city",
        "written for this test",
    )
    fund_paths = {c.path for c in steps["pooled_fund"].citations}
    assert {"employee.inpatient.fund.bands.L3", "employee.ceilings.basic.amount"} <= fund_paths


def inpatient(presplit: PreSplit | None, admit: date = date(2025, 3, 1)) -> Claim:
    return Claim(
        "C1",
        "H",
        Level.L3,
        "990999",
        VisitType.INPATIENT,
        admit,
        date(2025, 3, 1),
        presplit=presplit,
    )


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (stay(1, 100_000, date(2026, 1, 5)), "outside the accumulator year 2025"),
        (inpatient(PreSplit(1), admit=date(2025, 3, 2)), "is after discharge_date"),
        (inpatient(PreSplit(-5)), "total must not be negative"),
        (inpatient(PreSplit(100, full_selfpay=200)), "exceed the total"),
        (inpatient(None), "no lines and no pre-split"),
    ],
)
def test_bad_claims_are_refused_with_the_field_named(
    chain: PolicyChain, claim: Claim, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        settle(PERSON, claim, Accumulators(2025), chain)


def test_a_claim_outside_the_enrollment_is_refused(chain: PolicyChain) -> None:
    person = Person(
        "P2",
        Scheme.EMPLOYEE,
        PersonType.ACTIVE,
        Sex.MALE,
        date(1970, 5, 1),
        "990999",
        enrolled_from=date(2025, 6, 1),
    )
    with pytest.raises(InputError, match="outside the enrollment of person P2"):
        settle(person, stay(1, 1000), Accumulators(2025), chain)
