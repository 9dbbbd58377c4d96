"""The worked examples in tests/scenarios settle to the figures they state; the runner can fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.policy.errors import PolicyError
from yibao.scenario import parse_scenario, run, run_scenario, scenario_files

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))
NINGBO = SCENARIOS / "ningbo-2023-resident-adult-tier3.yaml"

# Every example of settlement-examples.yaml but the hospital-side DRG case (see README.md).
EXAMPLE_IDS = {
    "ningbo-2023-resident-adult-tier3",
    "jiangyin-assistance-chain",
    "ci-resident-segmented-150000",
    "ningbo-resident-outpatient-community",
    "retiree-tier3-knee-replacement-2012",
    "chengdu-2012-age-based-tier1",
    "ci-2018-segments-above-deductible",
    "resident-tier3-segments-first-admission",
    "retiree-third-admission-qa",
    "shenyang-2009-retiree-simulation",
    "shanghai-retiree-tier3-qa-error",
    "hangzhou-retiree-tier3-ai-error",
    "quzhou-retiree-outpatient-error",
}


def test_one_file_per_example() -> None:
    assert {f.stem for f in FILES} == EXAMPLE_IDS
    assert "drg-sb11-hospital-settlement" in (SCENARIOS / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_example_settles_as_stated(path: Path) -> None:
    result = run_scenario(path)
    assert result.scenario.name == path.stem
    assert result.scenario.source_url, "every example cites its source"
    assert result.checks >= 4
    assert result.mismatches == ()
    for claim in result.claims:
        assert claim.settlement.parts.violations() == []


def _mutate(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def test_wrong_expectation_is_reported() -> None:
    text = _mutate(NINGBO, "pooled_fund: 13160 ", "pooled_fund: 13160.01 ")
    result = run(parse_scenario(text, "wrong.yaml"))
    assert not result.ok
    (m,) = result.mismatches
    assert (m.claim_id, m.field, m.expected, m.got) == ("stay-1", "pooled_fund", 1316001, 1316000)


def test_wrong_published_figure_is_reported() -> None:
    """The published (wrong) figure of a negative example does not pass."""
    path = SCENARIOS / "hangzhou-retiree-tier3-ai-error.yaml"
    text = _mutate(path, "pooled_fund: 7052 ", "pooled_fund: 7544 ")
    result = run(parse_scenario(text, "published.yaml"))
    assert [(m.field, m.expected, m.got) for m in result.mismatches] == [
        ("pooled_fund", 754400, 705200)
    ]


def test_overrides_are_cited_in_the_trace() -> None:
    result = run_scenario(NINGBO)
    cites = [c for step in result.claims[0].settlement.trace for c in step.citations]
    ours = {c.path: c for c in cites if c.pack == "scenario"}
    amount = ours["resident.inpatient.deductible.amount.L3"]
    assert amount.value == 120000
    assert amount.reference.synthetic
    assert amount.reference.title == "scenario ningbo-2023-resident-adult-tier3"
    assert str(amount.start) == "1900-01-01"
    # values the overrides leave alone come from the base pack
    assert any(c.pack == "national" for c in cites)


def test_claims_accumulate_and_reset() -> None:
    text = """
name: accumulate
on: 2024-03-01
overrides:
  resident:
    critical_illness: {enabled: false}
    inpatient:
      deductible: {mode: per_admission, amount: {L2: 500}, second_factor: 0.5}
      fund: {bands: {L2: [{upto: null, ratio: 0.5}]}}
person: {scheme: resident, type: adult, age: 30, sex: 2}
claims:
  - {visit: inpatient, level: L2, presplit: {total: 1000}, expect: {deductible: 500}}
  - {visit: inpatient, level: L2, presplit: {total: 1000}, expect: {deductible: 250}}
  - {visit: inpatient, level: L2, reset: true, presplit: {total: 1000},
     expect: {deductible: 500, pooled_fund: 250}}
  - {visit: inpatient, level: L2, date: 2025-01-10, presplit: {total: 1000},
     expect: {deductible: 500}}
"""
    result = run(parse_scenario(text, "acc.yaml"))
    assert result.mismatches == ()
    assert [c.settlement.admission_seq for c in result.claims] == [1, 2, 1, 1]


def test_starting_accumulators_and_account_balance() -> None:
    text = """
name: start
on: 2024-05-01
overrides:
  employee:
    inpatient:
      deductible: {mode: per_admission, amount: {L1: 100}, third_fixed: 40}
      fund: {bands: {L1: [{upto: null, ratio: 0.9}]}}
person: {scheme: employee, type: active, birth_date: 1980-02-29, sex: male,
         account_balance: 50}
accumulators:
  pools: {inpatient: {admissions: 2, scope: 3000, deductible: 150}}
claims:
  - visit: inpatient
    level: L1
    presplit: {total: 1040}
    expect: {deductible: 40, pooled_fund: 900, coinsurance: 100, account: 50, cash: 90}
"""
    result = run(parse_scenario(text, "start.yaml"))
    assert result.mismatches == ()
    after = result.claims[0].settlement.after
    assert after.account_balance == 0
    assert after.pools["inpatient"].admissions == 3


BAD = [
    # (old, new, words the one-line error must contain)
    ("ceiling_group: basic", "ceiling_groop: basic", ["bad.yaml:", "ceiling_groop"]),
    ("ratio: 0.70}", "ratio: 1.70}", ["bad.yaml:", "fund.bands.L3.ratio", "1.70"]),
    ("      cash: 8840 ", "      cassh: 8840 ", ["bad.yaml", "expect", "cassh"]),
    ("total: 22000\n", "total: -22000\n", ["bad.yaml", "presplit.total", "-22000"]),
    ("total: 22000\n", "total: lots\n", ["bad.yaml", "presplit.total", "lots"]),
    ("total: 22000\n", "total: 22000.001\n", ["bad.yaml", "presplit.total", "22000.001"]),
    ("name: ningbo", "nam: ningbo", ["bad.yaml", "unknown field 'nam'"]),
    ("  type: adult", "  type: retired", ["bad.yaml", "person.type", "retired"]),
    ("  age: 59", "  age: fifty", ["bad.yaml", "person.age", "fifty"]),
    ("    level: L3", "    level: L9", ["bad.yaml", "claims[1].level", "L9"]),
    ("    visit: inpatient", "    visit: spa", ["bad.yaml", "claims[1].visit", "spa"]),
    ("policy: national", "policy: atlantis", ["unknown policy pack 'atlantis'"]),
    ("discharge_date: 2024-06-10", "discharge_date: 2024-13-10", ["bad.yaml", "discharge_date"]),
    (
        "admit_date: 2024-06-01\n    discharge_date: 2024-06-10",
        "admit_date: 2019-06-01\n    discharge_date: 2019-06-10",
        ["bad.yaml", "claims[1]", "2019-06-10"],
    ),
    ("  sex: male", "  sex: male\n  sex: female", ["bad.yaml", "duplicate key 'sex'"]),
    ("claims:\n", "claims:\n  oops: [\n", ["bad.yaml", "malformed YAML"]),
]


@pytest.mark.parametrize(("old", "new", "words"), BAD, ids=[b[1].strip()[:24] for b in BAD])
def test_bad_file_gives_one_line_error(old: str, new: str, words: list[str]) -> None:
    text = _mutate(NINGBO, old, new)
    with pytest.raises((InputError, PolicyError)) as info:
        run(parse_scenario(text, "bad.yaml"))
    message = str(info.value)
    assert "\n" not in message
    for w in words:
        assert w in message, message


def test_override_error_names_the_line_in_the_scenario_file() -> None:
    text = _mutate(NINGBO, "ceiling_group: basic", "ceiling_groop: basic")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "ceiling_groop" in ln)
    with pytest.raises(PolicyError, match=re.escape(f"bad.yaml:{line}: overrides: ")):
        parse_scenario(text, "bad.yaml")


def test_flow_style_overrides_are_validated_too() -> None:
    text = """
name: flow
on: 2024-01-01
overrides: {resident: {inpatient: {deductible: {amont: 1}}}}
person: {scheme: resident, type: adult, age: 3, sex: 1}
claims: [{visit: inpatient, level: L1, presplit: {total: 1}, expect: {cash: 1}}]
"""
    with pytest.raises(PolicyError, match=r"flow\.yaml: overrides: unknown key 'amont'"):
        parse_scenario(text, "flow.yaml")


def test_missing_expect_is_an_error() -> None:
    text = _mutate(NINGBO, "    expect:\n", "    expected:\n")
    with pytest.raises(InputError, match=r"claims\[1\]: unknown field 'expected'"):
        parse_scenario(text, "bad.yaml")


def test_scenario_files_expands_directories(tmp_path: Path) -> None:
    assert scenario_files([SCENARIOS]) == FILES
    with pytest.raises(InputError, match="no such file"):
        scenario_files([tmp_path / "nope.yaml"])
    with pytest.raises(InputError, match=r"no \*\.yaml scenario files"):
        scenario_files([tmp_path])


def test_critical_illness_accumulates_over_the_year() -> None:
    """累计计算、分段报销、按次结算: the same self-pay in two stays pays the same in total."""
    path = SCENARIOS / "ci-resident-segmented-150000.yaml"
    text = path.read_text(encoding="utf-8")
    head, _ = text.split("claims:\n")
    two = head + (
        "claims:\n"
        "  - {id: a, visit: inpatient, level: L3, date: 2024-03-01, presplit: {total: 100000},\n"
        "     expect: {coinsurance: 30000, critical_illness: 10800}}\n"
        "  - {id: b, visit: inpatient, level: L3, date: 2024-09-01, presplit: {total: 400000},\n"
        "     expect: {coinsurance: 120000, critical_illness: 83000}}\n"
    )
    result = run(parse_scenario(two, "two.yaml"))
    assert result.mismatches == ()
    assert sum(c.settlement.parts.critical_illness for c in result.claims) == 9380000


def test_overrides_may_be_the_last_key() -> None:
    text = """name: last
on: 2024-01-01
person: {scheme: resident, type: adult, age: 30, sex: 1}
claims: [{visit: inpatient, level: L1, presplit: {total: 100}, expect: {pooled_fund: 25}}]
overrides:
  resident:
    # a comment inside the block
    inpatient:
      deductible: {amount: {L1: 50}}
      fund: {bands: {L1: [{upto: null, ratio: 0.5}]}}"""
    assert run(parse_scenario(text, "last.yaml")).mismatches == ()
    bad = text.replace("ratio: 0.5}", "ratio: 5}")
    with pytest.raises(PolicyError, match=r"last\.yaml:10: overrides: .*ratio"):
        parse_scenario(bad, "last.yaml")
